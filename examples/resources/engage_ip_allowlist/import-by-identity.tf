# An identity names the object by its id, never by its name: a name can change.
import {
  to       = engage_ip_allowlist.office
  identity = { id = "ipl_0123456789abcdef" }
}
