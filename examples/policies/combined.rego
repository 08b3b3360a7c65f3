# Package engage.combined evaluates both sets of policies in one opa eval:
# the access policies (package engage.access) on the review as input, and
# the plan policies (package engage) on the plan, given as data under
# engage_plan:
#
#   opa eval --format json --data examples/policies --data approvals.json \
#     --data engage_plan:plan.json --input review.json data.engage.combined.deny
package engage.combined

deny contains msg if {
	some msg in data.engage.access.deny
}

deny contains msg if {
	some msg in data.engage.deny with input as data.engage_plan
}

# Without the plan, the plan policies would pass silently.
deny contains msg if {
	not data.engage_plan.format_version
	msg := "engage_plan: no plan given; pass the plan as data with --data engage_plan:plan.json (the JSON of terraform show -json), or query data.engage.access.deny for the review alone"
}

# The review and the plan must be of the same plan. The report does not
# identify its plan; a different terraform version at least gives a stale
# or mismatched file away.
deny contains msg if {
	is_string(input.terraform_version)
	is_string(data.engage_plan.terraform_version)
	input.terraform_version != ""
	input.terraform_version != data.engage_plan.terraform_version
	msg := sprintf(
		"engage_plan: the review is of a plan by terraform %s but the plan given is by terraform %s; run review-plan on the same plan.json",
		[input.terraform_version, data.engage_plan.terraform_version],
	)
}
