package engage.access

# An SFTP destination without a pinned host key trusts whatever server
# answers at the host name, so exports could be delivered to an impostor.
deny contains msg if {
	supported
	some e in input.exports
	e.kind == "export_destination"
	e.action != "delete"
	e.host_key_pinned == false
	msg := sprintf(
		"%s: SFTP destination %s has no pinned host key; set sftp.host_key_sha256 to the server's SHA256 host key fingerprint",
		[subject_of(e, e.name), e.target],
	)
}
