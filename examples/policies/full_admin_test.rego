package engage_test

full_admin_message := `engage_user.ops: assigns the "Full Admin" role (role_id "rol_full_admin"), which grants every permission; give the user an engage_role with only the permissions it needs`

user(role_id) := {"email": "ops@example.com", "display_name": "Ops", "role_id": role_id, "disabled": false}

test_a_new_user_with_full_admin_is_denied if {
	data.engage.deny == {full_admin_message} with input as plan([create("engage_user.ops", "engage_user", user("rol_full_admin"))])
}

test_moving_a_user_to_full_admin_is_denied if {
	data.engage.deny == {full_admin_message} with input as plan([update(
		"engage_user.ops", "engage_user",
		user("rol_0123456789abcdef"), user("rol_full_admin"),
	)])
}

test_replacing_a_user_with_full_admin_is_denied_when_it_did_not_hold_it if {
	replace := change("engage_user.ops", "engage_user", ["delete", "create"], user("rol_read_only"), user("rol_full_admin"))
	data.engage.deny == {full_admin_message} with input as plan([replace])
}

test_a_new_user_with_a_custom_role_is_allowed if {
	count(data.engage.deny) == 0 with input as plan([create("engage_user.ops", "engage_user", user("rol_0123456789abcdef"))])
}

test_a_user_who_already_holds_full_admin_may_be_updated if {
	before := user("rol_full_admin")
	after := object.union(before, {"display_name": "Operations"})
	count(data.engage.deny) == 0 with input as plan([update("engage_user.ops", "engage_user", before, after)])
}

test_taking_full_admin_away_is_allowed if {
	count(data.engage.deny) == 0 with input as plan([update(
		"engage_user.ops", "engage_user",
		user("rol_full_admin"), user("rol_read_only"),
	)])
}

test_deleting_a_full_admin_user_is_allowed if {
	count(data.engage.deny) == 0 with input as plan([delete("engage_user.ops", "engage_user", user("rol_full_admin"))])
}

test_a_role_id_known_only_at_apply_is_not_judged if {
	# A new engage_role's id is unknown at plan time; it can never be the
	# Full Admin system role.
	rc := object.union(
		create("engage_user.ops", "engage_user", {"email": "ops@example.com"}),
		{"change": {"after_unknown": {"role_id": true}}},
	)
	count(data.engage.deny) == 0 with input as plan([rc])
}
