package engage

# A role that grants a sensitive permission (personal data, bulk exports)
# names who answers for it: its description contains "owner: <email or
# team>" (any letter case), e.g. "Finance exports. Owner: finance@example.com".
# The provider computes `sensitive` at plan time from the permissions and
# their dependencies, so the plan says whether a role is sensitive.
owner_pattern := `(?i)(^|\s)owner:\s*\S+`

deny contains msg if {
	some rc in writes("engage_role")
	rc.change.after.sensitive == true
	is_string(rc.change.after.description) # unknown until apply: cannot tell yet
	not regex.match(owner_pattern, rc.change.after.description)
	msg := sprintf(
		"%s: grants sensitive permissions but its description names no owner; add \"owner: <email or team>\" to description",
		[rc.address],
	)
}
