resource "engage_role" "editor" {
  name        = "Campaign Editor"
  permissions = ["campaign.edit"]
}

resource "engage_role" "viewer" {
  name        = "Campaign Viewer"
  permissions = ["campaign.view"]
}

resource "engage_user" "ada" {
  email        = "ada@example.com"
  display_name = "Ada Lovelace"
  role_id      = engage_role.editor.id # a downgrade: engage_role.viewer.id
  disabled     = false
}

# On demand: terraform apply -invoke=action.engage_revoke_sessions.ada
action "engage_revoke_sessions" "ada" {
  config {
    user_id = engage_user.ada.id
  }
}

# After every change of Ada's role or disabled flag, in the same apply, so
# that a downgrade or a disabled user takes effect at once. terraform_data
# follows exactly those two attributes: a new display name ends no session.
resource "terraform_data" "ada_access" {
  input = [engage_user.ada.role_id, engage_user.ada.disabled]

  lifecycle {
    action_trigger {
      events  = [after_update]
      actions = [action.engage_revoke_sessions.ada]
    }
  }
}
