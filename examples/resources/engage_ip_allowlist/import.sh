# An IP allowlist can be imported by its id...
terraform import engage_ip_allowlist.office ipl_0123456789abcdef

# ...or by its name, matched regardless of case.
terraform import engage_ip_allowlist.office "name:Office and VPN"
