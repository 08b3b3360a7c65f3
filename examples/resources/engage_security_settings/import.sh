# The security settings are a singleton: their import ID is always "account".
terraform import engage_security_settings.this account
