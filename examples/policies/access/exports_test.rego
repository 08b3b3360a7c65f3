package engage.access_test

warehouse(action, pinned) := {
	"kind": "export_destination", "name": "warehouse", "address": "engage_export_destination.warehouse",
	"action": action, "target": "sftp://sftp.example.com:22/exports", "target_before": "",
	"export_kinds": ["raw_data_export"], "host_key_pinned": pinned,
}

test_an_sftp_destination_without_a_host_key_is_denied if {
	r := review({
		"exports": [warehouse("create", false)],
		"findings": [finding("host_key_not_pinned", "high", "engage_export_destination.warehouse", "engage_export_destination.warehouse", "no pinned host key")],
	})
	data.engage.access.deny == {"engage_export_destination.warehouse: SFTP destination sftp://sftp.example.com:22/exports has no pinned host key; set sftp.host_key_sha256 to the server's SHA256 host key fingerprint"} with input as r
}

test_an_sftp_destination_with_a_host_key_is_allowed if {
	count(data.engage.access.deny) == 0 with input as review({"exports": [warehouse("create", true)]})
}

test_deleting_an_unpinned_destination_is_allowed if {
	count(data.engage.access.deny) == 0 with input as review({"exports": [warehouse("delete", false)]})
}

test_a_transfer_credential_has_no_host_key_to_pin if {
	credential := {
		"kind": "transfer_credential", "name": "sftp_prod", "address": "engage_transfer_credential.sftp",
		"action": "create", "target": "", "target_before": "", "export_kinds": [], "host_key_pinned": true,
	}
	count(data.engage.access.deny) == 0 with input as review({"exports": [credential]})
}
