# System roles are found by name (regardless of case)...
data "engage_role" "full_admin" {
  name = "Full Admin"
}

# ...or by id.
data "engage_role" "read_only" {
  id = "rol_read_only"
}

output "full_admin_is_sensitive" {
  value = data.engage_role.full_admin.sensitive
}
