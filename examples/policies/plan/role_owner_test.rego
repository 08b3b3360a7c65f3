package engage_test

role(description, sensitive) := {
	"name": "Data stewards",
	"description": description,
	"permissions": ["data.personal_info"],
	"sensitive": sensitive,
}

no_owner_message := `engage_role.stewards: grants sensitive permissions but its description names no owner; add "owner: <email or team>" to description`

test_a_sensitive_role_without_an_owner_is_denied if {
	data.engage.deny == {no_owner_message} with input as plan([create(
		"engage_role.stewards", "engage_role",
		role("Reads personal data", true),
	)])
}

test_a_sensitive_role_with_an_empty_description_is_denied if {
	data.engage.deny == {no_owner_message} with input as plan([create("engage_role.stewards", "engage_role", role("", true))])
}

test_a_role_that_becomes_sensitive_without_an_owner_is_denied if {
	data.engage.deny == {no_owner_message} with input as plan([update(
		"engage_role.stewards", "engage_role",
		role("Campaign viewers", false), role("Campaign viewers", true),
	)])
}

test_the_word_owner_without_a_name_is_denied if {
	data.engage.deny == {no_owner_message} with input as plan([create("engage_role.stewards", "engage_role", role("owner:", true))])
}

test_a_sensitive_role_with_an_owner_email_is_allowed if {
	count(data.engage.deny) == 0 with input as plan([create(
		"engage_role.stewards", "engage_role",
		role("Reads personal data. owner: data-team@example.com", true),
	)])
}

test_a_sensitive_role_with_an_owner_team_first_is_allowed if {
	count(data.engage.deny) == 0 with input as plan([create(
		"engage_role.stewards", "engage_role",
		role("owner: finance-data", true),
	)])
}

test_the_owner_label_may_be_capitalised if {
	count(data.engage.deny) == 0 with input as plan([create(
		"engage_role.stewards", "engage_role",
		role("Exports contact data. Owner: data-team@example.com", true),
	)])
}

test_a_word_ending_in_owner_is_not_an_owner if {
	data.engage.deny == {no_owner_message} with input as plan([create("engage_role.stewards", "engage_role", role("co-owner: nobody", true))])
}

test_a_role_that_is_not_sensitive_needs_no_owner if {
	count(data.engage.deny) == 0 with input as plan([create("engage_role.viewers", "engage_role", role("", false))])
}

test_a_description_known_only_at_apply_is_not_judged if {
	rc := create("engage_role.stewards", "engage_role", {"sensitive": true})
	count(data.engage.deny) == 0 with input as plan([rc])
}
