variable "name" {
  description = "The team's name, used as its role's name: 1-128 characters, no leading or trailing white space, unique in the account regardless of case."
  type        = string
  nullable    = false

  validation {
    condition     = length(var.name) >= 1 && length(var.name) <= 128 && trimspace(var.name) == var.name
    error_message = "name must be 1-128 characters with no leading or trailing white space."
  }
}

variable "owner" {
  description = "Who answers for the team's access, an email address or a team handle. Written into the role's description as \"Owner: <owner>\", which the role_owner policy in examples/policies looks for."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^\\S+$", var.owner))
    error_message = "owner must be one word with no white space, such as growth-leads@example.com."
  }
}

variable "description" {
  description = "What the team's role is for; the role's description is this followed by the owner."
  type        = string
  default     = ""
  nullable    = false
}

variable "permissions" {
  description = "Keys of the permissions the team's role grants, from the provider's permission catalog (the engage_permissions data source lists them). Permissions they imply are granted too."
  type        = set(string)
  nullable    = false

  validation {
    condition     = length(var.permissions) > 0
    error_message = "permissions must name at least one permission key."
  }

  # The provider checks every key at plan time too, and suggests the closest
  # one, but its error is not a custom condition: a `terraform test` run can
  # only expect the failure of a validation, a precondition, a postcondition
  # or a check. Checking here, against the catalog built into the provider
  # (the function needs no backend), makes a bad key a testable failure of
  # this variable, and stops the plan before the provider's own error.
  validation {
    condition     = alltrue([for key in var.permissions : can(provider::engage::effective_permissions([key]))])
    error_message = "Unknown permission keys: ${join(", ", [for key in var.permissions : jsonencode(key) if !can(provider::engage::effective_permissions([key]))])}. The engage_permissions data source lists every key."
  }
}

variable "allow_sensitive_permissions" {
  description = "Whether the role may grant sensitive permissions (personal data, bulk exports of it), directly or through a permission that implies one. Defaults to false: granting them is a decision to make on purpose."
  type        = bool
  default     = false
  nullable    = false
}

variable "members" {
  description = "The team's console users, keyed by email address; each logs in with the team's role. Set disabled to revoke a member's access while keeping the user. An email's letter case may change without replacing the user."
  type = map(object({
    display_name = string
    disabled     = optional(bool, false)
  }))
  default  = {}
  nullable = false

  # The platform compares emails regardless of case, and so does the
  # module's key for each user: two emails that differ only in case are one
  # user. Say so here, naming the input, rather than with a duplicate key
  # error from main.tf.
  validation {
    condition     = length(distinct([for email in keys(var.members) : lower(email)])) == length(var.members)
    error_message = "members has emails that differ only in letter case; the platform treats them as one user."
  }
}

variable "masked_columns" {
  description = "Data-space columns holding the team's personal data, masked for every role without data.personal_info. mask is full (the default), partial or hash."
  type = list(object({
    table       = string
    column      = string
    mask        = optional(string)
    description = optional(string)
  }))
  default  = []
  nullable = false

  # The provider checks each column's name and mask at plan time; what only
  # the list as a whole shows is a column listed twice.
  validation {
    condition     = length(distinct([for c in var.masked_columns : "${c.table}/${c.column}"])) == length(var.masked_columns)
    error_message = "masked_columns lists a column more than once; a column is masked at most once."
  }
}
