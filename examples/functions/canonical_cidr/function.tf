# The form engage_ip_allowlist stores an entry in: a bare address becomes a
# /32 or /128, IPv6 is compressed and lower-case.
output "office" {
  value = provider::engage::canonical_cidr("192.0.2.7") # "192.0.2.7/32"
}

# Normalise addresses that come from elsewhere before comparing them with
# an allowlist's entries.
variable "vpn_egress" {
  type    = list(string)
  default = ["198.51.100.10", "2001:DB8:0:0::/64"]
}

resource "engage_ip_allowlist" "vpn" {
  name = "vpn"
  entries = [
    for a in var.vpn_egress : {
      cidr        = provider::engage::canonical_cidr(a)
      description = "VPN egress"
    }
  ]
}
