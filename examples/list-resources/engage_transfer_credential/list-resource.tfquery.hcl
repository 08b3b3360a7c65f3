# Every transfer credential. Secrets are never listed: generated
# configuration has `secret_wo = null`, which keeps the platform's secret.
list "engage_transfer_credential" "all" {
  provider = engage
}
