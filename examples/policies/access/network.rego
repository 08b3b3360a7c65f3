package engage.access

# The console is open to the Internet when the enabled allowlists together
# admit every address of a family, however they split it (0.0.0.0/0, or
# 0.0.0.0/1 + 128.0.0.0/1, or 256 /8s across two lists), or when the plan
# leaves no allowlist enabled, which admits every address. The review
# computes the union; these rules read it.
network := input.network if {
	supported
	input.network.managed == true
}

family_label := {"ipv4": "IPv4", "ipv6": "IPv6"}

open_families contains family if {
	network.after.enforced == true
	some family in object.keys(family_label)
	network.after[family].internet == true
}

deny contains msg if {
	some family in open_families
	msg := sprintf(
		"%s: the enabled allowlists together let every %s address reach the console%s; list only the networks that need access",
		[lists_subject, family_label[family], opened_text(family)],
	)
}

enforcement_removed if {
	network.before.enforced == true
	network.after.enforced == false
}

deny contains msg if {
	enforcement_removed
	msg := sprintf(
		"%s: leaves no allowlist enabled, so every address can reach the console; keep at least one allowlist enabled with only the networks that need access",
		[lists_subject],
	)
}

# A network_opened_to_internet finding the sections above do not explain is
# denied on its own words (fail closed).
deny contains msg if {
	some f in findings_of("network_opened_to_internet")
	count(open_families) == 0
	not enforcement_removed
	msg := sprintf("%s: %s; list only the networks that need access", [subject_of(f, f.subject), f.message])
}

# lists_subject names the allowlists the plan changes, or "network".
lists_subject := concat(", ", addresses) if {
	addresses := sort({l.address | some l in network.lists; is_string(l.address); l.address != ""})
	count(addresses) > 0
} else := "network"

is_family(cidr, "ipv4") if not contains(cidr, ":")

is_family(cidr, "ipv6") if contains(cidr, ":")

# opened_text lists the ranges of one family the plan opens, when few.
opened_text(family) := text if {
	opened := [cidr | some cidr in network.opened; is_family(cidr, family)]
	count(opened) > 0
	text := opened_list(opened)
} else := ""

opened_list(opened) := sprintf(" (the plan opens %s)", [concat(", ", opened)]) if {
	count(opened) <= 8
} else := sprintf(" (the plan opens %d ranges)", [count(opened)])
