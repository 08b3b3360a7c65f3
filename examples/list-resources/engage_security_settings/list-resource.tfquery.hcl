# The account's security settings: always one object, `account`.
list "engage_security_settings" "account" {
  provider         = engage
  include_resource = true
}
