# A credential can be imported by its id or by its name. The secret is not
# read back, and the platform keeps it: the configuration may leave secret_wo
# out (generated configuration has secret_wo = null) until you set secret_wo
# and a new secret_wo_version, whose apply sends the secret (a rotation).
terraform import engage_transfer_credential.sftp_prod cred_0123456789abcdef
terraform import engage_transfer_credential.sftp_prod name:sftp_prod
