# An identity names the object by its id, never by its name: a name can change.
import {
  to       = engage_transfer_credential.sftp_prod
  identity = { id = "cred_0123456789abcdef" }
}
