# Roles without data.personal_info see contacts.email masked.
resource "engage_masking_column" "contact_email" {
  table       = "contacts"
  column      = "email"
  mask        = "partial"
  description = "Support identifies callers by part of the address."
}

# mask defaults to "full".
resource "engage_masking_column" "contact_birthday" {
  table  = "contacts"
  column = "birthday"
}

resource "engage_masking_column" "contact_phone" {
  table       = "contacts"
  column      = "phone"
  mask        = "hash"
  description = "Analysts count distinct callers without seeing numbers."
}
