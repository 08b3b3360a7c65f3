# An export destination can be imported by its id or by its name.
terraform import engage_export_destination.warehouse_sftp dst_0123456789abcdef
terraform import engage_export_destination.warehouse_sftp "name:Warehouse (SFTP)"
