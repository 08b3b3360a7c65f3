terraform {
  # The oldest Terraform the provider supports (its write-only attributes need
  # 1.11); this module itself needs 1.8 for provider functions in validation.
  required_version = ">= 1.11"

  required_providers {
    engage = {
      source = "engage-oss/engage"
    }
  }
}
