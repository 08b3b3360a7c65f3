package engage.access

# Sign-in protections the plan turns off. A longer session timeout or
# campaigns published without a second approval are findings for the
# reviewer, not denials.
deny contains msg if {
	some f in findings_of("two_factor_disabled")
	msg := sprintf(
		"%s: turns off required two-factor authentication; keep require_two_factor = true",
		[subject_of(f, f.subject)],
	)
}

deny contains msg if {
	some f in findings_of("sso_enforcement_removed")
	msg := sprintf(
		"%s: stops enforcing single sign-on, so password logins work again; keep sso.enforce = true",
		[subject_of(f, f.subject)],
	)
}
