package engage.access

# Nobody is to end up with every permission through this pipeline: not with
# the "Full Admin" system role, and not with a custom role that lists all of
# them (the review compares effective permissions, so 43 permissions spelt
# out are Full Admin too). People who already held every permission are
# left alone. There is no approval for this: admins are few, and added by
# the security team outside the author's change.
full_admin_gained contains p.email if {
	some p in principals
	p.full_admin_after == true
	not p.full_admin_before
}

deny contains msg if {
	some p in principals
	p.email in full_admin_gained
	msg := sprintf(
		"%s: gets every permission, the same as Full Admin%s; give the user a role with only the permissions it needs",
		[p.email, reasons_text(p)],
	)
}

# A full_admin_granted finding about someone the principals do not show
# (a role that becomes equivalent to Full Admin for holders the review
# counts but does not list) is denied too.
deny contains msg if {
	some f in findings_of("full_admin_granted")
	not f.subject in full_admin_gained
	msg := sprintf(
		"%s: %s; give a role with only the permissions needed",
		[f.subject, f.message],
	)
}
