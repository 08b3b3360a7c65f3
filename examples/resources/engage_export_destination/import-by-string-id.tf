import {
  to = engage_export_destination.warehouse_sftp
  id = "name:Warehouse (SFTP)"
}
