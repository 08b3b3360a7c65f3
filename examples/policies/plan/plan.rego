# Package engage holds policies over the JSON form of a Terraform plan
# (`terraform show -json tfplan`) for the engage provider. Every policy adds
# to `deny` one message per violation, naming the resource address and what
# to change. The rules look at what the plan writes: resources created,
# updated or replaced (and, where it matters, destroyed); objects the plan
# leaves alone are the access review's business (engage_access_review).
package engage

# written holds the resource changes that write a managed resource: create,
# update, and both halves of a replace.
written contains rc if {
	some rc in input.resource_changes
	rc.mode == "managed"
	some action in rc.change.actions
	action in {"create", "update"}
}

# writes returns the written changes of one resource type.
writes(type) := {rc | some rc in written; rc.type == type}

# destroyed holds the changes that delete a managed resource without
# creating it again.
destroyed contains rc if {
	some rc in input.resource_changes
	rc.mode == "managed"
	rc.change.actions == ["delete"]
}
