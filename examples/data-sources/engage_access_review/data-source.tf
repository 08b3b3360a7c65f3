# Review the whole account against the platform's best practices. The
# thresholds are optional; these are the defaults.
data "engage_access_review" "this" {
  max_admins              = 1
  inactive_after_days     = 14
  credential_max_age_days = 90
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

# A check block reports warnings on every plan and apply without failing
# them; CI can fail on them with `terraform plan -detailed-exitcode` or by
# reading `terraform show -json`.
check "no_access_review_warnings" {
  assert {
    condition     = length([for f in data.engage_access_review.this.findings : f if f.severity == "warning"]) == 0
    error_message = "The access review has warnings: ${join("; ", [for f in data.engage_access_review.this.findings : "${f.check} ${f.object_name}" if f.severity == "warning"])}"
  }
}

# A precondition, in contrast, stops the run: here, more Full Admins than
# allowed block any change.
resource "terraform_data" "admin_gate" {
  lifecycle {
    precondition {
      condition     = data.engage_access_review.this.counts["full_admin_user"] <= data.engage_access_review.this.max_admins
      error_message = "More users hold Full Admin than max_admins allows."
    }
  }
}
