# An identity names the object by its id, never by its name: a name can change.
import {
  to       = engage_export_destination.warehouse_sftp
  identity = { id = "dst_0123456789abcdef" }
}
