import {
  to = engage_masking_column.contact_email
  identity = {
    table  = "contacts"
    column = "email"
  }
}
