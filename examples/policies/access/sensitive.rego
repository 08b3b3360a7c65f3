package engage.access

# Gaining a sensitive permission (personal data, bulk exports) needs an
# approval that names the person and the permission. The review lists the
# sensitive part of what each person gains, through whatever path: a new
# user, a role change, a role gaining a permission or a dependency.
#
# Approvals are read from data.engage_approvals, a document the author of
# the change cannot write: a file owned by the security team (CODEOWNERS)
# that CI takes from the target branch, or one CI builds from an approval
# given outside the change. Its shape:
#
#   {"engage_approvals": {"grants": [
#     {"email": "ana@example.com", "permissions": ["data.export_data"],
#      "ticket": "SEC-1234", "expires": "2026-12-31"}
#   ]}}
#
# An email matches in any letter case; a grant covers only the permissions
# it lists; "expires" (optional, YYYY-MM-DD, UTC) is the last day the grant
# counts. A grant with an unreadable "expires" counts as expired.
deny contains msg if {
	some p in principals
	missing := sort([permission |
		some permission in p.sensitive_gained
		not approved(p.email, permission)
	])
	count(missing) > 0
	msg := sprintf(
		"%s: gains sensitive permissions %s%s without an approval; ask the security team to approve them in engage_approvals (%s), or give a role without them",
		[p.email, concat(", ", missing), reasons_text(p), json.marshal({"email": p.email, "permissions": missing})],
	)
}

approved(email, permission) if {
	some grant in data.engage_approvals.grants
	is_string(grant.email)
	lower(grant.email) == lower(email)
	permission in grant.permissions
	in_force(grant)
}

ns_per_day := ((24 * 60) * 60) * 1000000000

in_force(grant) if object.get(grant, "expires", null) == null

in_force(grant) if time.parse_ns("2006-01-02", grant.expires) + ns_per_day > time.now_ns()
