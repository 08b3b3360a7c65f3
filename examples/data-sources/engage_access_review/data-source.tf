# An object this configuration manages; the review below sees it.
resource "engage_role" "support" {
  name        = "Support"
  permissions = ["campaign.view"]
}

# Review the whole account against the platform's best practices. The
# thresholds are optional; these are the defaults.
data "engage_access_review" "this" {
  max_admins              = 1
  inactive_after_days     = 14
  credential_max_age_days = 90

  # A data source is read while Terraform plans, before the apply: without
  # depends_on, a run that changes Engage objects reviews the account as it
  # was, and the next plan shows the outputs changing. With it, a run that
  # changes one of these reads the review during the apply, after them (the
  # plan shows it as known after apply), and the next plan is empty. List
  # every resource or module of the configuration that manages Engage objects.
  depends_on = [engage_role.support]
}

# Every finding, one line each, for the audit every two weeks.
output "access_review" {
  value = [
    for f in data.engage_access_review.this.findings :
    "${f.severity} ${f.check} ${f.object_type} ${f.object_name}: ${f.message}"
  ]
}

# Counts by check id; every check is present, 0 when it found nothing.
output "access_review_counts" {
  value = data.engage_access_review.this.counts
}

# A failed check block is a warning on every plan and apply, never an
# error: `terraform plan -detailed-exitcode` still exits 0 when nothing
# changes. CI finds it in `terraform show -json <planfile>`, under `checks`
# with "status": "fail".
check "no_access_review_warnings" {
  assert {
    condition     = length([for f in data.engage_access_review.this.findings : f if f.severity == "warning"]) == 0
    error_message = "The access review has warnings: ${join("; ", [for f in data.engage_access_review.this.findings : "${f.check} ${f.object_name}" if f.severity == "warning"])}"
  }
}

# A precondition (on a resource, a data source or an output) fails the run
# with an error, exit code 1: here, when more users hold Full Admin than
# max_admins allows. It fails the plan when the review is read while
# planning; in a run that changes the objects above, it fails the apply,
# once they are changed.
resource "terraform_data" "admin_gate" {
  lifecycle {
    precondition {
      condition     = data.engage_access_review.this.counts["full_admin_user"] <= data.engage_access_review.this.max_admins
      error_message = "More users hold Full Admin than max_admins allows."
    }
  }
}
