# Test helper: reads the team back through the provider's data sources, apart
# from the team module's state, so a test asserts on what the platform holds
# rather than on what Terraform recorded.
terraform {
  required_providers {
    engage = {
      source = "engage-oss/engage"
    }
  }
}

variable "role_name" {
  type = string
}

variable "emails" {
  type = set(string)
}

data "engage_role" "team" {
  name = var.role_name
}

data "engage_user" "member" {
  for_each = var.emails

  email = each.key
}

output "role_id" {
  value = data.engage_role.team.id
}

output "role_permissions" {
  value = data.engage_role.team.permissions
}

output "users" {
  value = {
    for email, user in data.engage_user.member : email => {
      id           = user.id
      role_id      = user.role_id
      display_name = user.display_name
      disabled     = user.disabled
    }
  }
}
