# An identity names the user by id, never by email: an email can change.
import {
  to       = engage_user.ada
  identity = { id = "usr_0123456789abcdef" }
}
