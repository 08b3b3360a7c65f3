import {
  to = engage_transfer_credential.sftp_prod
  id = "name:sftp_prod"
}
