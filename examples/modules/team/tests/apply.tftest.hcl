# Apply runs: the module creates a team on the embedded backend, a helper
# module reads it back through the data sources, then the team changes. The
# runs share one database file and one state, in order; at the end terraform
# test destroys what they created.
#
# A run compares with an earlier run's outputs through its own variables
# (created_role_id = run.creates_the_team.role_id, then var.created_role_id
# in the assertion) rather than run.creates_the_team.role_id in the
# assertion itself, which OpenTofu (1.12) does not allow.
provider "engage" {
  embedded_path = ".engage/apply.tftest.db"
}

variables {
  name        = "Lifecycle"
  owner       = "lifecycle-leads@example.com"
  permissions = ["campaign.publish"]
  members = {
    "ada@example.com"   = { display_name = "Ada Lovelace" }
    "grace@example.com" = { display_name = "Grace Hopper" }
    "linus@example.com" = { display_name = "Linus Torvalds" }
  }
  masked_columns = [
    { table = "contacts", column = "email", mask = "partial", description = "Support sees part of the address." },
  ]
}

run "creates_the_team" {
  assert {
    condition     = startswith(output.role_id, "rol_")
    error_message = "The role has no platform id: ${output.role_id}."
  }

  assert {
    condition     = length(output.user_ids) == 3 && alltrue([for id in values(output.user_ids) : startswith(id, "usr_")])
    error_message = "Expected 3 users with platform ids: ${jsonencode(output.user_ids)}."
  }

  assert {
    condition     = alltrue([for user in engage_user.member : user.role_id == output.role_id])
    error_message = "Every member should log in with the team's role."
  }

  assert {
    condition     = output.user_status == { "ada@example.com" = "invited", "grace@example.com" = "invited", "linus@example.com" = "invited" }
    error_message = "New members should be invited: ${jsonencode(output.user_status)}."
  }

  assert {
    condition     = output.masked_column_ids == tolist(["contacts/email"])
    error_message = "Unexpected masked columns: ${jsonencode(output.masked_column_ids)}."
  }
}

run "the_platform_holds_the_team" {
  module {
    source = "./tests/platform"
  }

  variables {
    role_name       = "lifecycle" # names are matched regardless of case
    emails          = keys(run.creates_the_team.user_ids)
    created_role_id = run.creates_the_team.role_id
  }

  assert {
    condition     = output.role_id == var.created_role_id
    error_message = "The platform's role \"Lifecycle\" is not the one the module created."
  }

  assert {
    condition     = output.role_permissions == toset(["campaign.publish"])
    error_message = "The platform's role grants ${jsonencode(output.role_permissions)}."
  }

  assert {
    condition     = alltrue([for user in values(output.users) : user.role_id == var.created_role_id && !user.disabled])
    error_message = "Every member should hold the team's role, enabled: ${jsonencode(output.users)}."
  }
}

# Linus leaves, Grace's access is revoked (and her email's case changes),
# the role gains a permission: updates in place, one user deleted.
run "changes_the_team" {
  variables {
    permissions = ["campaign.publish", "analytics.insights"]
    members = {
      "ada@example.com"   = { display_name = "Ada King" }
      "Grace@Example.com" = { display_name = "Grace Hopper", disabled = true }
    }
    created_role_id  = run.creates_the_team.role_id
    created_user_ids = run.creates_the_team.user_ids
  }

  assert {
    condition     = output.role_id == var.created_role_id
    error_message = "The role was replaced instead of updated."
  }

  assert {
    condition     = contains(output.effective_permissions, "analytics.insights")
    error_message = "The role did not gain analytics.insights: ${jsonencode(output.effective_permissions)}."
  }

  assert {
    condition     = keys(output.user_ids) == ["Grace@Example.com", "ada@example.com"]
    error_message = "Expected Ada and Grace only: ${jsonencode(keys(output.user_ids))}."
  }

  assert {
    condition     = output.user_ids["ada@example.com"] == var.created_user_ids["ada@example.com"]
    error_message = "Ada's user was replaced instead of updated."
  }

  assert {
    condition     = output.user_ids["Grace@Example.com"] == var.created_user_ids["grace@example.com"]
    error_message = "Changing the case of Grace's email replaced her user."
  }

  assert {
    condition     = output.user_status["Grace@Example.com"] == "disabled"
    error_message = "Grace's access was not revoked: ${output.user_status["Grace@Example.com"]}."
  }
}

run "the_platform_holds_the_changed_team" {
  module {
    source = "./tests/platform"
  }

  variables {
    role_name = "Lifecycle"
    emails    = keys(run.changes_the_team.user_ids)
  }

  assert {
    condition     = output.role_permissions == toset(["analytics.insights", "campaign.publish"])
    error_message = "The platform's role grants ${jsonencode(output.role_permissions)}."
  }

  assert {
    condition     = output.users["ada@example.com"].display_name == "Ada King"
    error_message = "Ada's display name on the platform is ${output.users["ada@example.com"].display_name}."
  }

  assert {
    condition     = output.users["Grace@Example.com"].disabled
    error_message = "Grace is not disabled on the platform."
  }
}
