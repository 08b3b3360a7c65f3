package engage.access_test

# Bypass 1 of the plan policies: a custom role that lists all 43
# permissions, on a new user. No role_id is "rol_full_admin", but the user
# holds every permission.
everything_user := principal("ops@example.com", [], all_permissions, {"reasons": [`created with role "Everything"`]})

everything_review := review({
	"highest_severity": "high",
	"principals": [everything_user],
	"roles": [{
		"name": "Everything", "role_id": "", "address": "engage_role.everything", "action": "create",
		"before": null, "after": all_permissions, "gained": all_permissions, "lost": [],
		"sensitive_before": false, "sensitive_after": true, "full_admin_equivalent": true,
		"holders_managed": 1, "holders_account": null,
	}],
	"findings": [
		finding("full_admin_granted", "high", "ops@example.com", "engage_user.ops", `gets every permission through role "Everything"`),
		finding("sensitive_access_gained", "high", "ops@example.com", "engage_user.ops", "gains 10 sensitive permissions"),
	],
})

everything_message := `ops@example.com: gets every permission, the same as Full Admin (created with role "Everything"); give the user a role with only the permissions it needs`

test_a_custom_role_with_every_permission_is_denied if {
	deny := data.engage.access.deny with input as everything_review
	everything_message in deny
	count(deny) == 2 # and the sensitive permissions, unapproved
}

test_approving_the_sensitive_permissions_does_not_allow_full_admin if {
	data.engage.access.deny == {everything_message} with input as everything_review
		with data.engage_approvals as approvals([{"email": "ops@example.com", "permissions": sort(sensitive_permissions)}])
}

test_moving_a_user_to_full_admin_is_denied if {
	moved := principal(
		"ops@example.com", ["campaign.view"], all_permissions,
		{"reasons": [`role changed from "Read Only" to "Full Admin"`]},
	)
	deny := data.engage.access.deny with input as review({"principals": [moved]})
	`ops@example.com: gets every permission, the same as Full Admin (role changed from "Read Only" to "Full Admin"); give the user a role with only the permissions it needs` in deny
}

test_a_user_who_already_holds_every_permission_is_left_alone if {
	renamed := principal("root@example.com", all_permissions, all_permissions, {"reasons": ["enabled again"]})
	renamed.full_admin_before
	count(data.engage.access.deny) == 0 with input as review({"principals": [renamed]})
}

test_a_full_admin_finding_about_a_role_is_denied if {
	r := review({"findings": [finding(
		"full_admin_granted", "high", "Everything", "engage_role.everything",
		"becomes equivalent to Full Admin for 3 holders on the account",
	)]})
	data.engage.access.deny == {"Everything: becomes equivalent to Full Admin for 3 holders on the account; give a role with only the permissions needed"} with input as r
}

test_losing_full_admin_is_allowed if {
	demoted := principal("root@example.com", all_permissions, ["campaign.view"], {})
	count(data.engage.access.deny) == 0 with input as review({"principals": [demoted]})
}
