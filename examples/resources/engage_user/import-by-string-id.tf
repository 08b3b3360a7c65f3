import {
  to = engage_user.ada
  id = "ada@example.com" # or the user's id, e.g. "usr_0123456789abcdef"
}
