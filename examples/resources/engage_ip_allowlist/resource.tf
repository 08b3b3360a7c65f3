resource "engage_ip_allowlist" "office" {
  name        = "Office and VPN"
  description = "Console access from the Berlin office and the company VPN. Owner: it-security@example.com"

  entries = [
    { cidr = "203.0.113.7", description = "Berlin office egress" }, # a bare address means 203.0.113.7/32
    { cidr = "198.51.100.0/24", description = "Company VPN" },
    { cidr = "2001:db8:4000::/40", description = "Company VPN (IPv6)" },
  ]
}

# A list kept ready for an incident, but not enforced.
resource "engage_ip_allowlist" "break_glass" {
  name    = "Break glass"
  enabled = false

  entries = [
    { cidr = "192.0.2.10", description = "Jump host" },
  ]
}
