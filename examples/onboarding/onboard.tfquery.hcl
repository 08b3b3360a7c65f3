# One list block per resource type: `terraform query` shows what the account
# holds, and -generate-config-out writes configuration and import blocks for
# all of it. The system roles (Full Admin, Read Only) are not listed: they
# are the platform's, and users refer to them by their fixed ids.
#
# Terraform stops each list block at its `limit`, 100 unless set; the
# provider warns when an account has more. Raise list_limit for a larger
# account (terraform query -var list_limit=50000 ...).
variable "list_limit" {
  type        = number
  default     = 10000
  description = "The most objects of each type to list."
}

list "engage_role" "existing" {
  provider = engage
  limit    = var.list_limit
}

list "engage_user" "existing" {
  provider = engage
  limit    = var.list_limit
}

list "engage_masking_column" "existing" {
  provider = engage
  limit    = var.list_limit
}

list "engage_ip_allowlist" "existing" {
  provider = engage
  limit    = var.list_limit
}

list "engage_transfer_credential" "existing" {
  provider = engage
  limit    = var.list_limit
}

list "engage_export_destination" "existing" {
  provider = engage
  limit    = var.list_limit
}

list "engage_security_settings" "existing" {
  provider = engage
}
