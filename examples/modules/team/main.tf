# A team's access to Engage: one role, its members, and the columns of its
# data that only roles with data.personal_info may read.

resource "engage_role" "this" {
  name        = var.name
  description = trimspace("${var.description} Owner: ${var.owner}")
  permissions = var.permissions

  lifecycle {
    # sensitive is known at plan time (the provider follows the catalog's
    # dependencies), so this fails the plan, not the apply.
    postcondition {
      condition     = !self.sensitive || var.allow_sensitive_permissions
      error_message = "The role \"${var.name}\" would grant sensitive permissions (personal data or bulk exports of it): ${join(", ", sort(setintersection(self.effective_permissions, data.engage_permissions.sensitive.keys)))}. Set allow_sensitive_permissions = true if the team needs them."
    }
  }
}

# Only to name the sensitive permissions in the postcondition's message.
data "engage_permissions" "sensitive" {
  sensitive = true
}

# Keyed by the lower-case email: the platform compares emails regardless of
# case, so changing only the case updates the user instead of replacing it.
resource "engage_user" "member" {
  for_each = { for email, member in var.members : lower(email) => merge(member, { email = email }) }

  email        = each.value.email
  display_name = each.value.display_name
  role_id      = engage_role.this.id
  disabled     = each.value.disabled
}

resource "engage_masking_column" "this" {
  for_each = { for c in var.masked_columns : "${c.table}/${c.column}" => c }

  table       = each.value.table
  column      = each.value.column
  mask        = each.value.mask
  description = each.value.description
}
