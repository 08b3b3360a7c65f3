# By the key used in configuration...
data "engage_permission" "export_user_data" {
  key = "import_export.export_user_data"
}

# ...or by the numeric id the platform's documentation publishes.
data "engage_permission" "raw_data_exports" {
  id = 163
}
