# The allowlists that are enforced, with their entries.
list "engage_ip_allowlist" "enabled" {
  provider         = engage
  include_resource = true
  config {
    enabled = true
  }
}
