# The account's security settings: declare this resource at most once.
# Destroying it resets the platform defaults.
resource "engage_security_settings" "this" {
  require_two_factor         = true
  session_timeout_minutes    = 480 # 8 hours; 5-10080, default 1440 (one day)
  campaign_approval_required = true

  sso = {
    enabled       = true
    enforce       = true # password logins off: needs a complete IdP and an unexpired certificate
    idp_entity_id = "https://idp.example.com/saml/metadata"
    idp_sso_url   = "https://idp.example.com/saml/sso"
    # The signing certificate from the IdP's SAML metadata, PEM-encoded. A
    # heredoc works too:  idp_certificate_pem = <<EOT ... EOT
    idp_certificate_pem = file("${path.module}/idp-certificate.pem")
  }
}

# Known at plan time: a plan review shows when a new certificate runs out.
output "idp_certificate_expires_at" {
  value = engage_security_settings.this.sso.idp_certificate_expires_at
}
