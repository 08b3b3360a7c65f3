# A user can be imported by its id...
terraform import engage_user.ada usr_0123456789abcdef

# ...or by its email address, matched regardless of case.
terraform import engage_user.ada ada@example.com
