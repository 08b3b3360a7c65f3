package engage_test

settings(two_factor) := {"id": "account", "require_two_factor": two_factor, "session_timeout_minutes": 1440}

test_turning_two_factor_off_is_denied if {
	data.engage.deny == {`engage_security_settings.account: sets require_two_factor to false; set require_two_factor = true`} with input as plan([update(
		"engage_security_settings.account", "engage_security_settings",
		settings(true), settings(false),
	)])
}

test_managing_settings_without_two_factor_is_denied if {
	data.engage.deny == {`engage_security_settings.account: sets require_two_factor to false; set require_two_factor = true`} with input as plan([create(
		"engage_security_settings.account", "engage_security_settings",
		settings(false),
	)])
}

test_destroying_settings_that_require_two_factor_is_denied if {
	data.engage.deny == {`engage_security_settings.account: is destroyed, which resets require_two_factor to false; to stop managing the settings, use a removed block with lifecycle { destroy = false }`} with input as plan([delete(
		"engage_security_settings.account", "engage_security_settings",
		settings(true),
	)])
}

test_keeping_two_factor_on_is_allowed if {
	before := settings(true)
	after := object.union(before, {"session_timeout_minutes": 60})
	count(data.engage.deny) == 0 with input as plan([
		create("engage_security_settings.new", "engage_security_settings", settings(true)),
		update("engage_security_settings.account", "engage_security_settings", before, after),
	])
}

test_turning_two_factor_on_is_allowed if {
	count(data.engage.deny) == 0 with input as plan([update(
		"engage_security_settings.account", "engage_security_settings",
		settings(false), settings(true),
	)])
}
