# Package engage.access holds policies over the access delta of a plan: the
# JSON that `terraform-provider-engage review-plan --format json PLAN` prints
# (schema_version 1; internal/planreview/report.go is its definition). The
# review has already worked out who gains what: effective permissions with
# their dependencies, custom roles equivalent to Full Admin, the union of
# enabled allowlists. So these rules say what a reviewer means, where rules
# over the raw plan could only match spellings.
#
# Every rule adds to `deny` (query data.engage.access.deny) one message per
# violation, starting with its subject (an email, a resource address, a
# finding's subject) and ending with the way out.
#
# Approvals come from data.engage_approvals, never from the input: the review
# is computed from the author's change, so anything in it (a role
# description, a tag) is the author's word. See README.md.
package engage.access

# supported is true when the input is the report version these rules read.
# Fields are only added within a version, so version 1 is safe to read.
supported if input.schema_version == 1

deny contains msg if {
	not supported
	msg := sprintf(
		"review-plan report: schema_version %s is not 1, the version these policies read; give them the output of `terraform-provider-engage review-plan --format json` (not the plan), from a release whose report is version 1",
		[version_text],
	)
}

default version_text := "(missing)"

version_text := json.marshal(input.schema_version)

# The report's sections, empty unless the version is supported. A section
# that is null (no entries) yields nothing.
principals contains p if {
	supported
	some p in input.principals
}

findings contains f if {
	supported
	some f in input.findings
}

unresolved contains u if {
	supported
	some u in input.unresolved
}

findings_of(check) := {f | some f in findings; f.check == check}

# subject_of names a finding or section entry by its resource address, or
# by what the review calls it when it has none.
subject_of(x, fallback) := x.address if {
	is_string(x.address)
	x.address != ""
} else := fallback

# reasons_text is a principal's reasons in parentheses, or nothing.
reasons_text(p) := sprintf(" (%s)", [concat("; ", p.reasons)]) if {
	is_array(p.reasons)
	count(p.reasons) > 0
} else := ""
