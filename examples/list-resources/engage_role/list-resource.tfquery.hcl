# Every custom role (system roles are not listed), with its attributes.
list "engage_role" "all" {
  provider         = engage
  include_resource = true
  limit            = 1000
}

# The roles that grant a sensitive permission, directly or through a
# dependency: the ones a review looks at first.
list "engage_role" "sensitive" {
  provider = engage
  config {
    sensitive = true
  }
}

# Roles by name prefix, compared as the platform compares names
# (case-insensitively).
list "engage_role" "data_team" {
  provider = engage
  config {
    name_prefix = "Data "
  }
}
