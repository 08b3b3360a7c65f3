import {
  to       = engage_security_settings.this
  identity = { id = "account" }
}
