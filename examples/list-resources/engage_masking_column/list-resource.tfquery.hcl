# Every masked column, shown as table.column.
list "engage_masking_column" "all" {
  provider = engage
  limit    = 1000
}

# The masked columns of one table.
list "engage_masking_column" "contacts" {
  provider = engage
  config {
    table = "contacts"
  }
}
