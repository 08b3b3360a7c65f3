# Package engage.combined_test runs both sets of policies at once, as
# `opa eval --input review.json --data engage_plan:plan.json` does, on
# hand-written reviews (engage.access_test) and plans (engage_test).
package engage.combined_test

import data.engage.access_test
import data.engage_test

stewards_role(description) := engage_test.create("engage_role.stewards", "engage_role", {
	"name": "Data stewards",
	"description": description,
	"permissions": ["data.personal_info"],
	"sensitive": true,
})

owned_plan := engage_test.plan([stewards_role("Reads personal data. owner: data-team@example.com")])

unowned_plan := engage_test.plan([stewards_role("Reads personal data")])

no_owner_message := `engage_role.stewards: grants sensitive permissions but its description names no owner; add "owner: <email or team>" to description`

test_a_clean_review_and_plan_are_allowed if {
	count(data.engage.combined.deny) == 0 with input as access_test.empty_review
		with data.engage_plan as owned_plan
}

test_the_plan_policies_run_on_the_plan if {
	data.engage.combined.deny == {no_owner_message} with input as access_test.empty_review
		with data.engage_plan as unowned_plan
}

test_both_sets_of_denials_are_reported if {
	deny := data.engage.combined.deny with input as access_test.exports_review
		with data.engage_plan as unowned_plan
	deny == {no_owner_message, access_test.grace_message}
}

test_an_owner_line_in_the_plan_is_not_an_approval if {
	# Bypass 3: the author adds "owner:" to the role; the plan policy is
	# satisfied, the gain still needs an approval.
	data.engage.combined.deny == {access_test.grace_message} with input as access_test.exports_review
		with data.engage_plan as owned_plan
}

test_an_approval_allows_the_gain_in_both if {
	count(data.engage.combined.deny) == 0 with input as access_test.exports_review
		with data.engage_plan as owned_plan
		with data.engage_approvals as access_test.approvals([{"email": "grace@example.com", "permissions": ["data.export_data"]}])
}

test_a_missing_plan_is_denied if {
	data.engage.combined.deny == {"engage_plan: no plan given; pass the plan as data with --data engage_plan:plan.json (the JSON of terraform show -json), or query data.engage.access.deny for the review alone"} with input as access_test.empty_review
}

test_a_plan_of_another_terraform_is_denied if {
	plan := object.union(owned_plan, {"terraform_version": "1.9.0"})
	data.engage.combined.deny == {"engage_plan: the review is of a plan by terraform 1.11.4 but the plan given is by terraform 1.9.0; run review-plan on the same plan.json"} with input as access_test.empty_review
		with data.engage_plan as plan
}

test_a_plan_of_the_same_terraform_is_allowed if {
	plan := object.union(owned_plan, {"terraform_version": "1.11.4"})
	count(data.engage.combined.deny) == 0 with input as access_test.empty_review
		with data.engage_plan as plan
}
