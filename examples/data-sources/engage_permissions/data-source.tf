# Every permission that grants access to personal data or bulk exports of it.
data "engage_permissions" "sensitive" {
  sensitive = true
}

# The campaign permissions, with their dependencies.
data "engage_permissions" "campaign" {
  category = "campaign"
}

output "sensitive_permission_keys" {
  value = data.engage_permissions.sensitive.keys
}
