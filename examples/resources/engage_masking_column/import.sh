# A masking column is imported by <table>/<column>, which is also its id.
terraform import engage_masking_column.contact_email contacts/email
