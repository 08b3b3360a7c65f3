package engage_test

allowlist(cidrs) := {
	"name": "offices",
	"enabled": true,
	"entries": [{"cidr": c, "description": null} | some c in cidrs],
}

test_every_ipv4_address_is_denied if {
	data.engage.deny == {`engage_ip_allowlist.offices: entry "0.0.0.0/0" allows every address to reach the console; list only the networks that need access`} with input as plan([create(
		"engage_ip_allowlist.offices", "engage_ip_allowlist",
		allowlist(["192.0.2.0/24", "0.0.0.0/0"]),
	)])
}

test_every_ipv6_address_added_to_a_list_is_denied if {
	data.engage.deny == {`engage_ip_allowlist.offices: entry "::/0" allows every address to reach the console; list only the networks that need access`} with input as plan([update(
		"engage_ip_allowlist.offices", "engage_ip_allowlist",
		allowlist(["2001:db8::/32"]), allowlist(["2001:db8::/32", "::/0"]),
	)])
}

test_both_any_networks_are_each_denied if {
	count(data.engage.deny) == 2 with input as plan([create(
		"engage_ip_allowlist.offices", "engage_ip_allowlist",
		allowlist(["0.0.0.0/0", "::/0"]),
	)])
}

test_specific_networks_are_allowed if {
	count(data.engage.deny) == 0 with input as plan([create(
		"engage_ip_allowlist.offices", "engage_ip_allowlist",
		allowlist(["192.0.2.0/24", "198.51.100.7/32", "2001:db8::/32", "0.0.0.0/32", "10.0.0.0/8"]),
	)])
}

test_removing_an_any_network_list_is_allowed if {
	count(data.engage.deny) == 0 with input as plan([delete(
		"engage_ip_allowlist.offices", "engage_ip_allowlist",
		allowlist(["0.0.0.0/0"]),
	)])
}
