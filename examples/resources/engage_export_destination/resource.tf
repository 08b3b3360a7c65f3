resource "engage_export_destination" "warehouse_sftp" {
  name = "Warehouse (SFTP)"
  sftp = {
    host = "sftp.example.com"
    # port defaults to 22
    path = "/incoming/engage"
    # Pin the server's host key: `ssh-keyscan sftp.example.com | ssh-keygen -lf -`
    host_key_sha256 = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s"
    credential_id   = engage_transfer_credential.sftp_prod.id
  }
  export_kinds = ["raw_data_export", "report"]
}

resource "engage_export_destination" "lake_s3" {
  name = "Data lake (S3)"
  s3 = {
    bucket        = "acme-engage-exports"
    region        = "eu-central-1"
    prefix        = "engage/cloud/"
    credential_id = engage_transfer_credential.s3_writer.id
  }
  export_kinds = ["cloud_export"]
}
