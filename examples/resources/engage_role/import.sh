# A role can be imported by its id...
terraform import engage_role.campaign_publisher rol_0123456789abcdef

# ...or by its name, matched regardless of case.
terraform import engage_role.campaign_publisher "name:Campaign Publisher"
