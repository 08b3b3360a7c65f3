# An identity names the object by its id, never by its name: a name can change.
import {
  to       = engage_role.campaign_publisher
  identity = { id = "rol_0123456789abcdef" }
}
