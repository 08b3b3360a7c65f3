# Plan-only runs: what the module would create, and the inputs it refuses,
# before anything exists. No account, no server and no mocks: the provider's
# embedded backend keeps the account in a database file of its own (git
# ignores .engage/), and a plan reads the same catalog and rules as the
# platform.
provider "engage" {
  embedded_path = ".engage/plan.tftest.db"
}

variables {
  name        = "Growth"
  owner       = "growth-leads@example.com"
  description = "Builds and ships campaigns."
  permissions = ["campaign.publish", "analytics.insights"]
  members = {
    "ada@example.com"   = { display_name = "Ada Lovelace" }
    "grace@example.com" = { display_name = "Grace Hopper", disabled = true }
  }
  masked_columns = [
    { table = "contacts", column = "email", mask = "partial" },
    { table = "contacts", column = "phone" },
  ]
}

run "plans_the_role_with_what_it_really_grants" {
  command = plan

  assert {
    condition     = engage_role.this.name == "Growth"
    error_message = "The role is not named after the team: ${engage_role.this.name}."
  }

  assert {
    condition     = engage_role.this.description == "Builds and ships campaigns. Owner: growth-leads@example.com"
    error_message = "The role's description does not name the owner: ${engage_role.this.description}."
  }

  # campaign.publish implies campaign.edit, which implies campaign.view: the
  # provider knows this before anything is created.
  assert {
    condition     = output.effective_permissions == toset(["analytics.insights", "campaign.edit", "campaign.publish", "campaign.view"])
    error_message = "Unexpected effective permissions: ${jsonencode(output.effective_permissions)}."
  }

  assert {
    condition     = output.sensitive == false
    error_message = "Campaign and analytics permissions should not be sensitive."
  }
}

run "plans_one_user_per_member" {
  command = plan

  assert {
    condition     = length(engage_user.member) == 2
    error_message = "Expected 2 users, got ${length(engage_user.member)}."
  }

  assert {
    condition     = engage_user.member["ada@example.com"].status == "invited"
    error_message = "A new member should be invited: ${engage_user.member["ada@example.com"].status}."
  }

  assert {
    condition     = engage_user.member["grace@example.com"].status == "disabled"
    error_message = "A disabled member should plan as disabled: ${engage_user.member["grace@example.com"].status}."
  }
}

run "plans_the_masked_columns" {
  command = plan

  assert {
    condition     = output.masked_column_ids == tolist(["contacts/email", "contacts/phone"])
    error_message = "Unexpected masked columns: ${jsonencode(output.masked_column_ids)}."
  }

  assert {
    condition     = engage_masking_column.this["contacts/email"].mask == "partial"
    error_message = "contacts.email should be partially masked."
  }

  assert {
    condition     = engage_masking_column.this["contacts/phone"].mask == "full"
    error_message = "A column with no mask should be fully masked (the provider's default)."
  }
}

run "keys_members_by_their_email_in_lower_case" {
  command = plan

  variables {
    members = { "Ada@Example.com" = { display_name = "Ada Lovelace" } }
  }

  assert {
    condition     = keys(engage_user.member) == ["ada@example.com"]
    error_message = "Members should be keyed by lower-case email: ${jsonencode(keys(engage_user.member))}."
  }

  assert {
    condition     = engage_user.member["ada@example.com"].email == "Ada@Example.com"
    error_message = "The user should keep the email as given."
  }
}

# The provider rejects an unknown key at plan time too, but only a custom
# condition can be an expected failure: the module's validation is what a
# test can hold it to.
run "rejects_an_unknown_permission_key" {
  command = plan

  variables {
    permissions = ["campaign.publish", "campaign.pubish"]
  }

  expect_failures = [var.permissions]
}

run "rejects_a_team_without_permissions" {
  command = plan

  variables {
    permissions = []
  }

  expect_failures = [var.permissions]
}

# data.export_data is sensitive; the role's postcondition reads the planned
# sensitive attribute, so the plan fails before anything is created.
run "rejects_sensitive_permissions_unless_allowed" {
  command = plan

  variables {
    permissions = ["data.export_data"]
  }

  expect_failures = [engage_role.this]
}

run "grants_sensitive_permissions_when_allowed" {
  command = plan

  variables {
    permissions                 = ["data.export_data"]
    allow_sensitive_permissions = true
  }

  assert {
    condition     = output.sensitive
    error_message = "data.export_data should make the role sensitive."
  }

  assert {
    condition     = output.effective_permissions == toset(["data.export_data", "data.view_data", "data.view_segment_table"])
    error_message = "Unexpected effective permissions: ${jsonencode(output.effective_permissions)}."
  }
}

run "rejects_emails_that_differ_only_in_case" {
  command = plan

  variables {
    members = {
      "ada@example.com" = { display_name = "Ada Lovelace" }
      "Ada@example.com" = { display_name = "Ada Lovelace" }
    }
  }

  expect_failures = [var.members]
}

run "rejects_a_column_masked_twice" {
  command = plan

  variables {
    masked_columns = [
      { table = "contacts", column = "email" },
      { table = "contacts", column = "email", mask = "hash" },
    ]
  }

  expect_failures = [var.masked_columns]
}

run "rejects_an_owner_with_white_space" {
  command = plan

  variables {
    owner = "growth leads"
  }

  expect_failures = [var.owner]
}
