# Look a user up by email (regardless of case)...
data "engage_user" "ada" {
  email = "ada@example.com"
}

# ...or by id.
data "engage_user" "by_id" {
  id = "usr_0123456789abcdef"
}

output "ada_has_two_factor" {
  value = data.engage_user.ada.two_factor_enabled
}
