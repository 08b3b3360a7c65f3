import {
  to = engage_masking_column.contact_email
  id = "contacts/email"
}
