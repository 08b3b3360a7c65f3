import {
  to = engage_security_settings.this
  id = "account"
}
