import {
  to = engage_role.campaign_publisher
  id = "name:Campaign Publisher"
}
