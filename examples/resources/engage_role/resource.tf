resource "engage_role" "campaign_publisher" {
  name        = "Campaign Publisher"
  description = "Builds and deploys journeys. Owner: growth-team@example.com"
  permissions = [
    "campaign.publish", # implies campaign.edit and campaign.view
    "content.marketing.send_test",
    "analytics.insights",
  ]
}

# effective_permissions is known at plan time: review what a role really grants.
output "campaign_publisher_grants" {
  value = engage_role.campaign_publisher.effective_permissions
}
