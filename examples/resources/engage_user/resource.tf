resource "engage_role" "analyst" {
  name        = "Analyst"
  description = "Reads insights. Owner: data-team@example.com"
  permissions = ["analytics.insights"]
}

resource "engage_user" "ada" {
  email        = "ada@example.com" # unique regardless of case; changing only the case is not a change
  display_name = "Ada Lovelace"
  role_id      = engage_role.analyst.id
}

# Revoke access without deleting the user.
resource "engage_user" "contractor" {
  email        = "contractor@example.com"
  display_name = "Former Contractor"
  role_id      = engage_role.analyst.id
  disabled     = true
}

# status is "invited" until the user first logs in, then "active".
output "ada_status" {
  value = engage_user.ada.status
}
