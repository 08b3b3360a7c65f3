package engage.access_test

masking(mask_before, mask_after, unmasked, weakened) := {
	"table": "contacts", "column": "phone", "address": "engage_masking_column.contact_phone",
	"mask_before": mask_before, "mask_after": mask_after, "unmasked": unmasked, "weakened": weakened,
}

# Bypass 4 of the plan policies: no plan policy looked at masking.
test_unmasking_a_column_is_denied if {
	r := review({
		"masking": [masking("full", "", true, false)],
		"findings": [finding("column_unmasked", "high", "contacts.phone", "engage_masking_column.contact_phone", "contacts.phone ends unmasked")],
	})
	data.engage.access.deny == {`engage_masking_column.contact_phone: unmasks column contacts.phone (mask was "full"), so every role sees its data; keep a mask (full, hash or partial), or stop managing it with a removed block and lifecycle { destroy = false }`} with input as r
}

test_an_unmasked_column_without_an_address_is_named_by_its_column if {
	r := review({"masking": [object.union(masking("hash", "", true, false), {"address": ""})]})
	data.engage.access.deny == {`contacts.phone: unmasks column contacts.phone (mask was "hash"), so every role sees its data; keep a mask (full, hash or partial), or stop managing it with a removed block and lifecycle { destroy = false }`} with input as r
}

test_weakening_a_mask_is_allowed if {
	count(data.engage.access.deny) == 0 with input as review({"masking": [masking("full", "partial", false, true)]})
}

test_masking_a_column_is_allowed if {
	count(data.engage.access.deny) == 0 with input as review({"masking": [masking("", "full", false, false)]})
}
