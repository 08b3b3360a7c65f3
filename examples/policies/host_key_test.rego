package engage_test

sftp_destination(host_key) := {
	"name": "warehouse",
	"type": "sftp",
	"sftp": {"host": "sftp.example.com", "port": 22, "path": "/exports", "host_key_sha256": host_key, "credential_id": "crd_1"},
	"s3": null,
	"export_kinds": ["report"],
}

no_host_key_message := `engage_export_destination.warehouse: SFTP destination has no pinned host key; set sftp.host_key_sha256 to the server's SHA256 host key fingerprint`

test_an_sftp_destination_without_a_host_key_is_denied if {
	data.engage.deny == {no_host_key_message} with input as plan([create(
		"engage_export_destination.warehouse", "engage_export_destination",
		sftp_destination(null),
	)])
}

test_unpinning_a_host_key_is_denied if {
	data.engage.deny == {no_host_key_message} with input as plan([update(
		"engage_export_destination.warehouse", "engage_export_destination",
		sftp_destination("SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"), sftp_destination(""),
	)])
}

test_an_sftp_destination_with_a_host_key_is_allowed if {
	count(data.engage.deny) == 0 with input as plan([create(
		"engage_export_destination.warehouse", "engage_export_destination",
		sftp_destination("SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"),
	)])
}

test_a_host_key_known_only_at_apply_counts_as_pinned if {
	rc := object.union(
		create("engage_export_destination.warehouse", "engage_export_destination", sftp_destination(null)),
		{"change": {"after_unknown": {"sftp": {"host_key_sha256": true}}}},
	)
	count(data.engage.deny) == 0 with input as plan([rc])
}

test_an_s3_destination_needs_no_host_key if {
	count(data.engage.deny) == 0 with input as plan([create(
		"engage_export_destination.bucket", "engage_export_destination",
		{"name": "bucket", "type": "s3", "sftp": null, "s3": {"bucket": "exports", "region": "eu-west-1"}},
	)])
}
