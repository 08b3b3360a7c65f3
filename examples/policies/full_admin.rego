package engage

# The "Full Admin" system role grants every permission, personal data and
# exports included; its id is fixed by the platform. Admins are kept to a
# minimum, so a plan may not hand the role to a user who does not hold it
# yet: new users, and users moved to it. Users who already hold it are left
# to the access review.
full_admin_role_id := "rol_full_admin"

deny contains msg if {
	some rc in writes("engage_user")
	rc.change.after.role_id == full_admin_role_id
	not held_full_admin(rc)
	msg := sprintf(
		"%s: assigns the \"Full Admin\" role (role_id %q), which grants every permission; give the user an engage_role with only the permissions it needs",
		[rc.address, full_admin_role_id],
	)
}

held_full_admin(rc) if rc.change.before.role_id == full_admin_role_id
