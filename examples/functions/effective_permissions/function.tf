# What a role will grant, dependencies included, before it exists.
locals {
  analyst_permissions = ["data.manage_segment", "analytics.insights"]
}

output "analyst_effective_permissions" {
  # ["analytics.insights", "data.manage_segment", "data.view_segment_table"]
  value = provider::engage::effective_permissions(local.analyst_permissions)
}

# Refuse, at plan time, a role that would reach personal data.
resource "engage_role" "analyst" {
  name        = "Analyst"
  permissions = local.analyst_permissions

  lifecycle {
    precondition {
      condition     = !contains(provider::engage::effective_permissions(local.analyst_permissions), "data.personal_info")
      error_message = "The Analyst role must not grant access to personal data."
    }
  }
}
