package engage.access_test

ipv4_only(enforced, addresses, internet) := {
	"enforced": enforced,
	"ipv4": {"addresses": addresses, "internet": internet},
	"ipv6": {"addresses": "0", "internet": false},
}

offices_list(action, enabled_before, enabled_after, added, removed) := {
	"name": "offices", "address": "engage_ip_allowlist.offices", "action": action,
	"enabled_before": enabled_before, "enabled_after": enabled_after, "added": added, "removed": removed,
}

# Bypass 2 of the plan policies: no entry is 0.0.0.0/0, but two halves
# cover every IPv4 address.
split_review := review({
	"highest_severity": "high",
	"network": {
		"managed": true,
		"before": ipv4_only(true, "256", false),
		"after": ipv4_only(true, "4294967296", true),
		"opened": ["0.0.0.0/1", "128.0.0.0/1"],
		"closed": [],
		"lists": [offices_list("update", true, true, ["0.0.0.0/1", "128.0.0.0/1"], ["192.0.2.0/24"])],
	},
	"findings": [finding("network_opened_to_internet", "high", "network", "", "every IPv4 address may reach the console")],
})

test_the_internet_split_in_halves_is_denied if {
	data.engage.access.deny == {"engage_ip_allowlist.offices: the enabled allowlists together let every IPv4 address reach the console (the plan opens 0.0.0.0/1, 128.0.0.0/1); list only the networks that need access"} with input as split_review
}

test_the_internet_split_across_lists_names_every_changed_list if {
	r := review({"network": {
		"managed": true,
		"before": ipv4_only(false, "0", false),
		"after": ipv4_only(true, "4294967296", true),
		"opened": ["0.0.0.0/1", "128.0.0.0/1"],
		"closed": [],
		"lists": [
			{"name": "b", "address": "engage_ip_allowlist.b", "action": "create", "enabled_before": false, "enabled_after": true, "added": ["128.0.0.0/1"], "removed": []},
			{"name": "a", "address": "engage_ip_allowlist.a", "action": "create", "enabled_before": false, "enabled_after": true, "added": ["0.0.0.0/1"], "removed": []},
		],
	}})
	data.engage.access.deny == {"engage_ip_allowlist.a, engage_ip_allowlist.b: the enabled allowlists together let every IPv4 address reach the console (the plan opens 0.0.0.0/1, 128.0.0.0/1); list only the networks that need access"} with input as r
}

test_every_ipv6_address_is_denied if {
	r := review({"network": {
		"managed": true,
		"before": ipv4_only(true, "256", false),
		"after": {
			"enforced": true,
			"ipv4": {"addresses": "256", "internet": false},
			"ipv6": {"addresses": "340282366920938463463374607431768211456", "internet": true},
		},
		"opened": ["::/0"],
		"closed": [],
		"lists": [offices_list("update", true, true, ["::/0"], [])],
	}})
	data.engage.access.deny == {"engage_ip_allowlist.offices: the enabled allowlists together let every IPv6 address reach the console (the plan opens ::/0); list only the networks that need access"} with input as r
}

test_many_opened_ranges_are_counted_not_listed if {
	opened := [sprintf("%d.0.0.0/8", [i]) | some i in numbers.range(0, 255)]
	r := review({"network": {
		"managed": true,
		"before": ipv4_only(true, "0", false),
		"after": ipv4_only(true, "4294967296", true),
		"opened": opened,
		"closed": [],
		"lists": [offices_list("update", true, true, opened, [])],
	}})
	data.engage.access.deny == {"engage_ip_allowlist.offices: the enabled allowlists together let every IPv4 address reach the console (the plan opens 256 ranges); list only the networks that need access"} with input as r
}

test_leaving_no_allowlist_enabled_is_denied if {
	r := review({"network": {
		"managed": true,
		"before": ipv4_only(true, "256", false),
		"after": ipv4_only(false, "0", false),
		"opened": [],
		"closed": ["192.0.2.0/24"],
		"lists": [offices_list("update", true, false, [], [])],
	}})
	data.engage.access.deny == {"engage_ip_allowlist.offices: leaves no allowlist enabled, so every address can reach the console; keep at least one allowlist enabled with only the networks that need access"} with input as r
}

test_a_disabled_list_on_an_account_without_one_is_allowed if {
	# The console was open to all before and stays so: the plan opens nothing.
	r := review({"network": {
		"managed": true,
		"before": ipv4_only(false, "0", false),
		"after": ipv4_only(false, "0", false),
		"opened": [],
		"closed": [],
		"lists": [offices_list("create", false, false, ["0.0.0.0/0"], [])],
	}})
	count(data.engage.access.deny) == 0 with input as r
}

test_an_unexplained_internet_finding_is_denied if {
	r := review({"findings": [finding("network_opened_to_internet", "high", "network", "engage_ip_allowlist.offices", "every IPv4 address may reach the console")]})
	data.engage.access.deny == {"engage_ip_allowlist.offices: every IPv4 address may reach the console; list only the networks that need access"} with input as r
}

test_an_unmanaged_network_section_is_not_read if {
	r := review({"network": {
		"managed": false,
		"before": ipv4_only(true, "0", false),
		"after": ipv4_only(true, "4294967296", true),
		"opened": [], "closed": [], "lists": [],
	}})
	count(data.engage.access.deny) == 0 with input as r
}

test_a_widened_network_short_of_the_internet_is_allowed if {
	r := review({"network": {
		"managed": true,
		"before": ipv4_only(true, "256", false),
		"after": ipv4_only(true, "2147483904", false),
		"opened": ["0.0.0.0/1"],
		"closed": [],
		"lists": [offices_list("update", true, true, ["0.0.0.0/1"], [])],
	}})
	count(data.engage.access.deny) == 0 with input as r
}
