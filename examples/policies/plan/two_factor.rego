package engage

# require_two_factor stays on once an account has it, and a new
# engage_security_settings must turn it on (the platform default is off).
deny contains msg if {
	some rc in writes("engage_security_settings")
	rc.change.after.require_two_factor == false
	msg := sprintf(
		"%s: sets require_two_factor to false; set require_two_factor = true",
		[rc.address],
	)
}

# Destroying engage_security_settings resets the platform defaults, and the
# default is require_two_factor = false.
deny contains msg if {
	some rc in destroyed
	rc.type == "engage_security_settings"
	rc.change.before.require_two_factor == true
	msg := sprintf(
		"%s: is destroyed, which resets require_two_factor to false; to stop managing the settings, use a removed block with lifecycle { destroy = false }",
		[rc.address],
	)
}
