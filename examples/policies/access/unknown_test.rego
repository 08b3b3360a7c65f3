package engage.access_test

test_a_user_whose_role_is_known_only_at_apply_is_denied if {
	unsure := principal("kim@example.com", [], ["campaign.view"], {"uncertain": true, "reasons": ["created with a role known only at apply"]})
	data.engage.access.deny == {"kim@example.com: the plan does not say which role this user will hold (known only at apply); assign a role whose id is known at plan time, e.g. apply a new role in an earlier change"} with input as review({"principals": [unsure]})
}

test_access_known_only_at_apply_is_denied if {
	r := review({
		"unresolved": [unresolved("engage_user.kim", "unknown_at_plan", "role_id is known only at apply")],
		"findings": [finding("access_unknown_at_plan", "medium", "engage_user.kim", "engage_user.kim", "role_id is known only at apply")],
	})
	data.engage.access.deny == {"engage_user.kim: access known only at apply (role_id is known only at apply), so the review cannot say who gains what; make the value known at plan time, e.g. apply what it depends on in an earlier change"} with input as r
}

test_an_unknown_access_finding_alone_is_denied if {
	r := review({"findings": [finding("access_unknown_at_plan", "medium", "engage_role.exporters", "engage_role.exporters", "permissions are known only at apply")]})
	data.engage.access.deny == {"engage_role.exporters: access known only at apply (permissions are known only at apply), so the review cannot say who gains what; make the value known at plan time, e.g. apply what it depends on in an earlier change"} with input as r
}

test_a_fact_that_needs_a_backend_is_denied if {
	r := review({
		"backend": "none",
		"unresolved": [unresolved("rol_0123456789abcdef", "needs_backend", "the role is not in this configuration")],
	})
	data.engage.access.deny == {"rol_0123456789abcdef: the review needs the account to tell (the role is not in this configuration); run review-plan with ENGAGE_ENDPOINT and ENGAGE_API_TOKEN set (a token with access:read suffices)"} with input as r
}

test_an_object_the_account_does_not_know_is_left_to_apply if {
	# Applying a reference to a missing object fails; nothing is granted.
	r := review({"unresolved": [unresolved("rol_0123456789abcdef", "not_found", "no such role on the account")]})
	count(data.engage.access.deny) == 0 with input as r
}
