package engage

# An allowlist entry with prefix length 0 (0.0.0.0/0, ::/0) lets every
# address reach the console, which is the same as having no allowlist. The
# provider only accepts canonical networks, so "/0" is always one of those
# two; a bare address means /32 or /128 and is never /0.
deny contains msg if {
	some rc in writes("engage_ip_allowlist")
	some entry in rc.change.after.entries
	is_string(entry.cidr)
	endswith(entry.cidr, "/0")
	msg := sprintf(
		"%s: entry %q allows every address to reach the console; list only the networks that need access",
		[rc.address, entry.cidr],
	)
}
