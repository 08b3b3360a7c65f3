# Quickstart: two roles and a look at the built-in "Full Admin" role, on the
# embedded backend (no account, no server). Run it with `make demo`.
terraform {
  required_providers {
    engage = {
      source = "engage-oss/engage"
    }
  }
}

provider "engage" {}

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
