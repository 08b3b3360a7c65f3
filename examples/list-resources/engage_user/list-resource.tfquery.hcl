# Every user; Terraform lists 100 unless told otherwise.
list "engage_user" "all" {
  provider = engage
  limit    = 10000
}

# Who holds Full Admin.
list "engage_user" "full_admins" {
  provider = engage
  config {
    role_id = "rol_full_admin"
  }
}

# Invited users who never logged in, and disabled users: candidates for
# removal.
list "engage_user" "invited" {
  provider = engage
  config {
    status = "invited"
  }
}

list "engage_user" "disabled" {
  provider = engage
  config {
    disabled = true
  }
}
