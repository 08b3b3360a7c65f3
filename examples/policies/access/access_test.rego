# Package engage.access_test unit-tests package engage.access on hand-written
# reviews, in the shape of `review-plan --format json` output
# (internal/planreview/report.go, schema_version 1).
package engage.access_test

# The permission catalog (internal/access/permissions.json): all 43 keys,
# and the sensitive ones.
all_permissions := [
	"analytics.insights", "analytics.tracking",
	"campaign.edit", "campaign.publish", "campaign.view",
	"cms.export_landing_page_tracking_data",
	"content.marketing.edit", "content.marketing.publish", "content.marketing.send_test", "content.marketing.view",
	"content.transactional.edit", "content.transactional.publish", "content.transactional.send_test", "content.transactional.view",
	"data.automated_flow.manage", "data.automated_flow.view", "data.change_contact_data", "data.export_data",
	"data.import_data", "data.manage_segment", "data.manage_table", "data.manage_table_relations",
	"data.personal_info", "data.view_data", "data.view_segment_table",
	"general.change_account_settings", "general.global_frequency_capping", "general.invite_user",
	"general.manage_role", "general.manage_user",
	"import_export.configure_cloud_exports", "import_export.export_billing_data",
	"import_export.export_sensitive_user_data", "import_export.export_user_data",
	"import_export.manual_import_user_data", "import_export.raw_data_exports",
	"members.export_member_data", "messaging.supergroup_message_statistics",
	"statistics.export_group_statistics", "statistics.export_message_statistics", "statistics.export_partner_statistics",
	"system.create_edit_advanced_reports", "system.view_advanced_reports",
]

sensitive_permissions := {
	"cms.export_landing_page_tracking_data", "data.export_data", "data.personal_info",
	"import_export.configure_cloud_exports", "import_export.export_billing_data",
	"import_export.export_sensitive_user_data", "import_export.export_user_data",
	"import_export.manual_import_user_data", "import_export.raw_data_exports",
	"members.export_member_data",
}

test_the_catalog_has_43_permissions if {
	count(all_permissions) == 43
	count({p | some p in all_permissions}) == 43
}

no_network := {"enforced": false, "ipv4": {"addresses": "0", "internet": false}, "ipv6": {"addresses": "0", "internet": false}}

# empty_review is a report of a plan that changes no access.
empty_review := {
	"schema_version": 1,
	"terraform_version": "1.11.4",
	"highest_severity": "none",
	"backend": "rest",
	"principals": [],
	"roles": [],
	"network": {"managed": false, "before": no_network, "after": no_network, "opened": [], "closed": [], "lists": []},
	"exports": [],
	"masking": [],
	"settings": [],
	"findings": [],
	"unresolved": [],
}

# review is the empty review with some sections filled in.
review(sections) := object.union(empty_review, sections)

# principal is a person whose effective permissions go from before to after
# (sorted lists); gained, lost, sensitive_gained and the Full Admin flags are
# derived as review-plan derives them. More fields come from extra.
principal(email, before, after, extra) := object.union(
	{
		"email": email,
		"display_name": split(email, "@")[0],
		"user_id": "",
		"address": sprintf("engage_user.%s", [split(email, "@")[0]]),
		"managed": true,
		"before": before,
		"after": after,
		"gained": sort({p | some p in after} - {p | some p in before}),
		"lost": sort({p | some p in before} - {p | some p in after}),
		"sensitive_gained": sort(({p | some p in after} - {p | some p in before}) & sensitive_permissions),
		"full_admin_before": count(before) == count(all_permissions),
		"full_admin_after": count(after) == count(all_permissions),
		"reasons": [],
		"uncertain": false,
	},
	extra,
)

finding(check, severity, subject, address, message) := {
	"check": check,
	"severity": severity,
	"subject": subject,
	"address": address,
	"message": message,
}

unresolved(subject, reason, message) := {"subject": subject, "reason": reason, "message": message}

# approvals wraps grants in the data document the policies read.
approvals(grants) := {"grants": grants}

test_a_review_with_no_changes_is_allowed if {
	count(data.engage.access.deny) == 0 with input as empty_review
}

test_a_clean_review_is_allowed if {
	# Someone gains and loses ordinary permissions, a role changes, a list
	# narrows, a mask gets stronger, two-factor goes on: nothing to deny.
	viewer := principal(
		"ada@example.com",
		["campaign.view"], ["campaign.edit", "campaign.view", "content.marketing.view"],
		{"reasons": [`role "Campaigns" gains campaign.edit, content.marketing.view`]},
	)
	leaver := principal("bob@example.com", ["campaign.view", "data.export_data"], [], {"reasons": ["deleted"]})
	r := review({
		"highest_severity": "low",
		"principals": [viewer, leaver],
		"roles": [{
			"name": "Campaigns", "role_id": "rol_0123456789abcdef", "address": "engage_role.campaigns", "action": "update",
			"before": ["campaign.view"], "after": ["campaign.edit", "campaign.view", "content.marketing.view"],
			"gained": ["campaign.edit", "content.marketing.view"], "lost": [],
			"sensitive_before": false, "sensitive_after": false, "full_admin_equivalent": false,
			"holders_managed": 1, "holders_account": 1,
		}],
		"network": {
			"managed": true,
			"before": {"enforced": true, "ipv4": {"addresses": "512", "internet": false}, "ipv6": {"addresses": "0", "internet": false}},
			"after": {"enforced": true, "ipv4": {"addresses": "256", "internet": false}, "ipv6": {"addresses": "0", "internet": false}},
			"opened": [], "closed": ["198.51.100.0/24"],
			"lists": [{
				"name": "offices", "address": "engage_ip_allowlist.offices", "action": "update",
				"enabled_before": true, "enabled_after": true, "added": [], "removed": ["198.51.100.0/24"],
			}],
		},
		"masking": [{
			"table": "contacts", "column": "email", "address": "engage_masking_column.contact_email",
			"mask_before": "partial", "mask_after": "full", "unmasked": false, "weakened": false,
		}],
		"settings": [{"name": "require_two_factor", "before": false, "after": true, "weakened": false}],
	})
	count(data.engage.access.deny) == 0 with input as r
}

test_a_null_section_is_read_as_empty if {
	r := object.union(empty_review, {"principals": null, "findings": null, "unresolved": null, "masking": null, "exports": null})
	count(data.engage.access.deny) == 0 with input as r
}

test_another_schema_version_is_denied if {
	data.engage.access.deny == {"review-plan report: schema_version 2 is not 1, the version these policies read; give them the output of `terraform-provider-engage review-plan --format json` (not the plan), from a release whose report is version 1"} with input as object.union(empty_review, {"schema_version": 2})
}

test_another_schema_version_is_not_read_further if {
	# A version-2 report might mean something else by its fields: only the
	# version is reported.
	gainer := principal("ops@example.com", [], all_permissions, {})
	r := review({"schema_version": 2, "principals": [gainer]})
	count(data.engage.access.deny) == 1 with input as r
}

test_a_plan_given_as_the_review_is_denied if {
	data.engage.access.deny == {"review-plan report: schema_version (missing) is not 1, the version these policies read; give them the output of `terraform-provider-engage review-plan --format json` (not the plan), from a release whose report is version 1"} with input as {"format_version": "1.2", "resource_changes": []}
}
