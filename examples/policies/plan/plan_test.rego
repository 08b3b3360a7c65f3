# Package engage_test unit-tests package engage on hand-written plans, in
# the shape of `terraform show -json` output, trimmed to what the policies
# read.
package engage_test

# plan wraps resource changes in a plan document.
plan(changes) := {"format_version": "1.2", "resource_changes": changes}

# change is one managed resource change.
change(address, type, actions, before, after) := {
	"address": address,
	"mode": "managed",
	"type": type,
	"name": split(address, ".")[1],
	"change": {"actions": actions, "before": before, "after": after, "after_unknown": {}},
}

# create, update and delete are the usual actions.
create(address, type, after) := change(address, type, ["create"], null, after)

update(address, type, before, after) := change(address, type, ["update"], before, after)

delete(address, type, before) := change(address, type, ["delete"], before, null)

test_a_plan_with_no_changes_is_allowed if {
	count(data.engage.deny) == 0 with input as plan([])
}

test_data_sources_are_not_judged if {
	read := object.union(
		create("data.engage_user.x", "engage_user", {"role_id": "rol_full_admin"}),
		{"mode": "data"},
	)
	count(data.engage.deny) == 0 with input as plan([read])
}
