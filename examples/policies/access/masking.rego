package engage.access

# A masked column that ends unmasked (its engage_masking_column destroyed)
# shows personal data to every role without data.personal_info. A mask that
# stays but shows more (full to partial) is a finding for the reviewer, not
# a denial.
deny contains msg if {
	supported
	some m in input.masking
	m.unmasked == true
	column := sprintf("%s.%s", [m.table, m.column])
	msg := sprintf(
		"%s: unmasks column %s (mask was %q), so every role sees its data; keep a mask (full, hash or partial), or stop managing it with a removed block and lifecycle { destroy = false }",
		[subject_of(m, column), column, m.mask_before],
	)
}
