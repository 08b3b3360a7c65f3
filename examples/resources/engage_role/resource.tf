resource "engage_role" "campaign_publisher" {
  name        = "Campaign Publisher"
  description = "Builds and deploys journeys. Owner: growth-team@example.com"
  permissions = [
    "campaign.publish", # implies campaign.edit and campaign.view
    "content.marketing.send_test",
    "analytics.insights",
  ]

  # The platform refuses to delete a role that users hold. With this, one
  # apply can move the users to another role and remove this one: Terraform
  # updates the users before it destroys the role. Without it, use two
  # applies (move the users, then remove the role).
  lifecycle {
    create_before_destroy = true
  }
}

# effective_permissions is known at plan time: review what a role really grants.
output "campaign_publisher_grants" {
  value = engage_role.campaign_publisher.effective_permissions
}
