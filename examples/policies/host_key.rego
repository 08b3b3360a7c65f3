package engage

# An SFTP destination without a pinned host key trusts whatever server
# answers at the host name, so exports could be delivered to an impostor.
# A host key known only at apply (after_unknown) counts as pinned.
deny contains msg if {
	some rc in writes("engage_export_destination")
	sftp := rc.change.after.sftp
	is_object(sftp)
	not pinned_host_key(sftp)
	not rc.change.after_unknown.sftp.host_key_sha256
	msg := sprintf(
		"%s: SFTP destination has no pinned host key; set sftp.host_key_sha256 to the server's SHA256 host key fingerprint",
		[rc.address],
	)
}

pinned_host_key(sftp) if {
	is_string(sftp.host_key_sha256)
	sftp.host_key_sha256 != ""
}
