# Pass the secret through an ephemeral variable (Terraform 1.10+): a literal
# in a .tf file is part of the configuration, and Terraform shows
# configuration literals in plan JSON. secret_wo itself never reaches state.
variable "sftp_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "engage_transfer_credential" "sftp_prod" {
  name      = "sftp_prod"
  username  = "engage-exporter"
  secret_wo = var.sftp_secret

  # Change this number to send the secret again (rotation).
  secret_wo_version = 1
}

# Use the placeholder wherever the platform asks for the credential.
output "sftp_prod_reference" {
  value = engage_transfer_credential.sftp_prod.reference # {{credential.sftp_prod}}
}
