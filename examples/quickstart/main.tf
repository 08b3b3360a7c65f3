# Quickstart: one of every Engage access object, on the embedded backend
# (no account, no server). Run it with `make demo`; run it again and nothing
# changes.
terraform {
  required_version = ">= 1.11" # write-only attributes (secret_wo)

  required_providers {
    engage = {
      source = "engage-oss/engage"
    }
  }
}

provider "engage" {}

# Roles: what users may do. Dependencies are enabled automatically and shown
# at plan time in effective_permissions.
resource "engage_role" "campaign_publisher" {
  name        = "Campaign Publisher"
  description = "Builds and deploys journeys."
  permissions = ["campaign.publish", "content.marketing.send_test"]
}

resource "engage_role" "data_exporter" {
  name        = "Data Exporter"
  description = "Exports contact data to the warehouse. Owner: data-team@example.com"
  permissions = ["data.export_data", "import_export.configure_cloud_exports"]
}

data "engage_role" "full_admin" {
  name = "Full Admin"
}

# Users log in with one role each.
resource "engage_user" "ada" {
  email        = "ada@example.com"
  display_name = "Ada Lovelace"
  role_id      = engage_role.campaign_publisher.id
}

resource "engage_user" "grace" {
  email        = "grace@example.com"
  display_name = "Grace Hopper"
  role_id      = engage_role.data_exporter.id
}

# Personal-data columns hidden from every role without data.personal_info.
resource "engage_masking_column" "contact_email" {
  table  = "contacts"
  column = "email"
  mask   = "partial"
}

resource "engage_masking_column" "contact_phone" {
  table  = "contacts"
  column = "phone"
}

# Networks the console may be reached from.
resource "engage_ip_allowlist" "office" {
  name        = "Office"
  description = "Head office and VPN egress."
  entries = [
    { cidr = "203.0.113.0/24", description = "Head office" },
    { cidr = "198.51.100.7", description = "VPN egress (stored as /32)" },
    { cidr = "2001:db8:1234::/48", description = "Head office IPv6" },
  ]
}

# Where exports may go, and the credential they log in with. The secret is
# write-only: it goes to the platform and never into state. `make demo`
# passes a random one through TF_VAR_sftp_secret.
variable "sftp_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "engage_transfer_credential" "sftp_warehouse" {
  name      = "sftp_warehouse"
  username  = "engage-exporter"
  secret_wo = var.sftp_secret
}

resource "engage_export_destination" "warehouse" {
  name = "Warehouse"
  sftp = {
    host            = "sftp.example.com"
    path            = "/incoming/engage"
    host_key_sha256 = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s"
    credential_id   = engage_transfer_credential.sftp_warehouse.id
  }
  export_kinds = ["raw_data_export", "report"]
}

# The account's security settings (a singleton).
resource "engage_security_settings" "account" {
  require_two_factor         = true
  session_timeout_minutes    = 480
  campaign_approval_required = true
}

output "campaign_publisher_grants" {
  description = "What the publisher role really grants, dependencies included."
  value       = engage_role.campaign_publisher.effective_permissions
}

output "sensitive_roles" {
  description = "Roles that grant access to personal data."
  value = [
    for r in [engage_role.campaign_publisher, engage_role.data_exporter] : r.name if r.sensitive
  ]
}

output "full_admin_permission_count" {
  value = length(data.engage_role.full_admin.permissions)
}

output "user_status" {
  value = { for u in [engage_user.ada, engage_user.grace] : u.email => u.status }
}

output "sftp_credential_reference" {
  description = "The placeholder the platform substitutes for the secret during a transfer."
  value       = engage_transfer_credential.sftp_warehouse.reference
}
