package engage.access_test

test_turning_two_factor_off_is_denied if {
	r := review({
		"settings": [{"name": "require_two_factor", "before": true, "after": false, "weakened": true}],
		"findings": [finding("two_factor_disabled", "high", "security settings", "engage_security_settings.account", "two-factor authentication is no longer required")],
	})
	data.engage.access.deny == {"engage_security_settings.account: turns off required two-factor authentication; keep require_two_factor = true"} with input as r
}

test_removing_sso_enforcement_is_denied if {
	r := review({
		"settings": [{"name": "sso.enforce", "before": true, "after": false, "weakened": true}],
		"findings": [finding("sso_enforcement_removed", "high", "security settings", "", "password logins work again")],
	})
	data.engage.access.deny == {"security settings: stops enforcing single sign-on, so password logins work again; keep sso.enforce = true"} with input as r
}

test_a_longer_session_or_no_campaign_approval_is_left_to_the_reviewer if {
	r := review({
		"settings": [
			{"name": "session_timeout_minutes", "before": 60, "after": 10080, "weakened": true},
			{"name": "campaign_approval_required", "before": true, "after": false, "weakened": true},
		],
		"findings": [
			finding("session_timeout_raised", "low", "security settings", "engage_security_settings.account", "sessions last 10080 minutes"),
			finding("campaign_approval_disabled", "medium", "security settings", "engage_security_settings.account", "campaigns publish without a second approval"),
		],
	})
	count(data.engage.access.deny) == 0 with input as r
}
