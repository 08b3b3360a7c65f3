import {
  to = engage_ip_allowlist.office
  id = "name:Office and VPN"
}
