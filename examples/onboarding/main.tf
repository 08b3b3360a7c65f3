# Onboarding an account that was built by hand in the console (Terraform 1.14+):
#
#   terraform init
#   terraform query -generate-config-out=generated.tf   # finds every object
#   terraform plan                                      # N to import, 0 to add, change or destroy
#   terraform apply
#
# The provider reaches the account as usual: ENGAGE_ENDPOINT and
# ENGAGE_API_TOKEN for a platform, or the embedded database (embedded_path,
# default .engage/engage.db). generated.tf then holds one resource block and
# one import block per object, the import blocks naming each object by its
# identity. Review it, move the blocks where they belong, replace literal ids
# by references (role_id = engage_role.x.id), and delete the import blocks
# after the apply.
terraform {
  required_version = ">= 1.14.0"
  required_providers {
    engage = {
      source = "engage-oss/engage"
    }
  }
}

provider "engage" {}
