# The REST backend against the reference server. `make demo-rest` starts the
# server on 127.0.0.1:8750, mints a token, and runs this with
# ENGAGE_ENDPOINT and ENGAGE_API_TOKEN set; by hand:
#
#   terraform-provider-engage token create --database .engage/server.db --name demo
#   terraform-provider-engage serve --database .engage/server.db &
#   ENGAGE_ENDPOINT=http://127.0.0.1:8750 ENGAGE_API_TOKEN=<token> terraform apply
terraform {
  required_providers {
    engage = {
      source = "engage-oss/engage"
    }
  }
}

# endpoint and api_token come from ENGAGE_ENDPOINT and ENGAGE_API_TOKEN.
provider "engage" {}

resource "engage_role" "analyst" {
  name        = "Analyst"
  description = "Reads insights and segments."
  permissions = ["analytics.insights", "data.view_segment_table"]
}

resource "engage_user" "ada" {
  email        = "ada@example.com"
  display_name = "Ada Lovelace"
  role_id      = engage_role.analyst.id
}

# The server enforces enabled allowlists on every request. This one keeps the
# machine running Terraform inside: lockout protection would refuse a list
# that left it out.
resource "engage_ip_allowlist" "admins" {
  name = "Admin workstations"
  entries = [
    { cidr = "127.0.0.0/8", description = "this machine (the demo server listens on loopback)" },
    { cidr = "203.0.113.0/24", description = "head office" },
  ]
}

output "analyst_grants" {
  value = engage_role.analyst.effective_permissions
}
