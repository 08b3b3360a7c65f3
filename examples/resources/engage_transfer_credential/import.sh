# A credential can be imported by its id or by its name. The secret is not
# read back: set secret_wo in configuration and leave secret_wo_version out
# (or the first apply sends the configured secret, which is a rotation).
terraform import engage_transfer_credential.sftp_prod cred_0123456789abcdef
terraform import engage_transfer_credential.sftp_prod name:sftp_prod
