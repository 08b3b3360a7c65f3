package engage.access

# Fail closed: when the review cannot establish who gets what, the plan is
# denied until it can.

# A person whose role is known only at apply: the review assumes the worst
# (its after is every permission the role could grant), and the plan is
# denied whatever that is.
deny contains msg if {
	some p in principals
	p.uncertain == true
	msg := sprintf(
		"%s: the plan does not say which role this user will hold (known only at apply); assign a role whose id is known at plan time, e.g. apply a new role in an earlier change",
		[p.email],
	)
}

# A fact Terraform learns only at apply.
unknown_subjects contains u.subject if {
	some u in unresolved
	u.reason == "unknown_at_plan"
}

deny contains msg if {
	some u in unresolved
	u.reason == "unknown_at_plan"
	msg := unknown_message(u.subject, u.message)
}

deny contains msg if {
	some f in findings_of("access_unknown_at_plan")
	not f.subject in unknown_subjects
	msg := unknown_message(f.subject, f.message)
}

unknown_message(subject, why) := sprintf(
	"%s: access known only at apply (%s), so the review cannot say who gains what; make the value known at plan time, e.g. apply what it depends on in an earlier change",
	[subject, why],
)

# A fact the account knows but the review was not given a backend for.
deny contains msg if {
	some u in unresolved
	u.reason == "needs_backend"
	msg := sprintf(
		"%s: the review needs the account to tell (%s); run review-plan with ENGAGE_ENDPOINT and ENGAGE_API_TOKEN set (a token with access:read suffices)",
		[u.subject, u.message],
	)
}
