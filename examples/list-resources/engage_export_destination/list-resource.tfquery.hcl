# Every export destination, shown with where it sends data.
list "engage_export_destination" "all" {
  provider = engage
}
