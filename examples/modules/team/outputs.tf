output "role_id" {
  description = "Id of the team's role."
  value       = engage_role.this.id
}

output "role_name" {
  description = "Name of the team's role."
  value       = engage_role.this.name
}

output "effective_permissions" {
  description = "What the role grants: its permissions and every permission they imply. Known at plan time."
  value       = engage_role.this.effective_permissions
}

output "sensitive" {
  description = "Whether the role grants access to personal data or bulk exports of it. Known at plan time."
  value       = engage_role.this.sensitive
}

output "user_ids" {
  description = "Id of each member's user, keyed by email as given in members."
  value       = { for email in keys(var.members) : email => engage_user.member[lower(email)].id }
}

output "user_status" {
  description = "Each member's status (invited, active or disabled), keyed by email as given in members."
  value       = { for email in keys(var.members) : email => engage_user.member[lower(email)].status }
}

output "masked_column_ids" {
  description = "The masked columns, as <table>/<column> (also their import ids)."
  value       = sort([for c in engage_masking_column.this : c.id])
}
