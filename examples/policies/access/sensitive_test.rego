package engage.access_test

# Bypass 3 of the plan policies: a role gains data.export_data and its
# description names an owner. The owner line was the author's own word; the
# review sees that grace now gains a sensitive permission.
grace_gains_exports := principal(
	"grace@example.com",
	["data.view_data"], ["data.export_data", "data.view_data"],
	{"user_id": "usr_grace", "reasons": [`role "Exporters" gains data.export_data`]},
)

exporters_role := {
	"name": "Exporters", "role_id": "rol_0123456789abcdef", "address": "engage_role.exporters", "action": "update",
	"before": ["data.view_data"], "after": ["data.export_data", "data.view_data"],
	"gained": ["data.export_data"], "lost": [],
	"sensitive_before": false, "sensitive_after": true, "full_admin_equivalent": false,
	"holders_managed": 1, "holders_account": 1,
}

exports_review := review({
	"highest_severity": "high",
	"principals": [grace_gains_exports],
	"roles": [exporters_role],
	"findings": [finding(
		"sensitive_access_gained", "high", "grace@example.com", "engage_user.grace",
		"gains data.export_data through role \"Exporters\"",
	)],
})

grace_message := `grace@example.com: gains sensitive permissions data.export_data (role "Exporters" gains data.export_data) without an approval; ask the security team to approve them in engage_approvals ({"email":"grace@example.com","permissions":["data.export_data"]}), or give a role without them`

test_a_sensitive_gain_without_an_approval_is_denied if {
	data.engage.access.deny == {grace_message} with input as exports_review
}

test_an_approval_allows_the_gain if {
	count(data.engage.access.deny) == 0 with input as exports_review
		with data.engage_approvals as approvals([{"email": "grace@example.com", "permissions": ["data.export_data"], "ticket": "SEC-1234"}])
}

test_an_approval_matches_the_email_in_any_case if {
	count(data.engage.access.deny) == 0 with input as exports_review
		with data.engage_approvals as approvals([{"email": "Grace@Example.com", "permissions": ["data.export_data"]}])
}

test_an_approval_for_someone_else_does_not_count if {
	data.engage.access.deny == {grace_message} with input as exports_review
		with data.engage_approvals as approvals([{"email": "ada@example.com", "permissions": ["data.export_data"]}])
}

test_an_approval_for_another_permission_does_not_count if {
	data.engage.access.deny == {grace_message} with input as exports_review
		with data.engage_approvals as approvals([{"email": "grace@example.com", "permissions": ["data.personal_info"]}])
}

test_an_approval_covers_only_the_permissions_it_names if {
	more := principal(
		"grace@example.com",
		["data.view_data"], ["data.export_data", "data.personal_info", "data.view_data"],
		{"reasons": [`role "Exporters" gains data.export_data, data.personal_info`]},
	)
	data.engage.access.deny == {`grace@example.com: gains sensitive permissions data.personal_info (role "Exporters" gains data.export_data, data.personal_info) without an approval; ask the security team to approve them in engage_approvals ({"email":"grace@example.com","permissions":["data.personal_info"]}), or give a role without them`} with input as review({"principals": [more]})
		with data.engage_approvals as approvals([{"email": "grace@example.com", "permissions": ["data.export_data"]}])
}

test_an_approval_counts_through_its_last_day if {
	count(data.engage.access.deny) == 0 with input as exports_review
		with data.engage_approvals as approvals([{"email": "grace@example.com", "permissions": ["data.export_data"], "expires": "2026-06-30"}])
		with time.now_ns as time.parse_rfc3339_ns("2026-06-30T23:59:59Z")
}

test_an_expired_approval_does_not_count if {
	data.engage.access.deny == {grace_message} with input as exports_review
		with data.engage_approvals as approvals([{"email": "grace@example.com", "permissions": ["data.export_data"], "expires": "2026-06-30"}])
		with time.now_ns as time.parse_rfc3339_ns("2026-07-01T00:00:00Z")
}

test_an_unreadable_expiry_does_not_count if {
	data.engage.access.deny == {grace_message} with input as exports_review
		with data.engage_approvals as approvals([{"email": "grace@example.com", "permissions": ["data.export_data"], "expires": "next year"}])
}

test_a_null_expiry_never_expires if {
	count(data.engage.access.deny) == 0 with input as exports_review
		with data.engage_approvals as approvals([{"email": "grace@example.com", "permissions": ["data.export_data"], "expires": null}])
}

test_an_approval_in_the_review_input_does_not_count if {
	# The input is derived from the author's change; approvals only come
	# from data.engage_approvals.
	r := object.union(exports_review, {"engage_approvals": approvals([{"email": "grace@example.com", "permissions": ["data.export_data"]}])})
	data.engage.access.deny == {grace_message} with input as r
}

test_a_new_user_with_a_sensitive_role_is_denied if {
	new := principal(
		"eve@example.com", [], ["data.personal_info", "data.view_data"],
		{"reasons": [`created with role "Data stewards"`]},
	)
	data.engage.access.deny == {`eve@example.com: gains sensitive permissions data.personal_info (created with role "Data stewards") without an approval; ask the security team to approve them in engage_approvals ({"email":"eve@example.com","permissions":["data.personal_info"]}), or give a role without them`} with input as review({"principals": [new]})
}

test_a_user_outside_the_configuration_is_judged_too if {
	# A role change reaches holders the configuration does not manage; the
	# backend names them.
	outside := principal(
		"hal@example.com", ["data.view_data"], ["data.export_data", "data.view_data"],
		{"address": "", "managed": false, "user_id": "usr_hal", "reasons": [`role "Exporters" gains data.export_data`]},
	)
	some msg in data.engage.access.deny with input as review({"principals": [outside]})
	startswith(msg, "hal@example.com: gains sensitive permissions data.export_data ")
}

test_keeping_a_sensitive_permission_needs_no_approval if {
	kept := principal(
		"grace@example.com", ["data.export_data"], ["campaign.view", "data.export_data"],
		{"reasons": [`role "Exporters" gains campaign.view`]},
	)
	count(data.engage.access.deny) == 0 with input as review({"principals": [kept]})
}
