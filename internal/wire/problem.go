package wire

// ProblemContentType is the media type of every error response (RFC 9457).
const ProblemContentType = "application/problem+json"

// Problem types: one per kind of error, so that a client can map a problem
// back to the access error it stands for without parsing titles.
const (
	ProblemInvalid            = "urn:engage:problem:invalid"
	ProblemNotFound           = "urn:engage:problem:not-found"
	ProblemMethodNotAllowed   = "urn:engage:problem:method-not-allowed"
	ProblemConflict           = "urn:engage:problem:conflict"
	ProblemPreconditionFailed = "urn:engage:problem:precondition-failed"
	ProblemRateLimited        = "urn:engage:problem:rate-limited"
	ProblemUnauthorized       = "urn:engage:problem:unauthorized"
	ProblemForbidden          = "urn:engage:problem:forbidden"
	ProblemTooLarge           = "urn:engage:problem:request-too-large"
	ProblemUnsupportedMedia   = "urn:engage:problem:unsupported-media-type"
	ProblemIdempotencyReuse   = "urn:engage:problem:idempotency-key-reused"
	ProblemLockout            = "urn:engage:problem:lockout"
	ProblemInternal           = "urn:engage:problem:internal"
)

// Problem is an RFC 9457 problem details body. Errors lists the invalid
// fields of a validation problem, named as the Terraform attributes are
// (nested ones joined with dots).
type Problem struct {
	Type   string       `json:"type"`
	Title  string       `json:"title"`
	Status int          `json:"status"`
	Detail string       `json:"detail,omitempty"`
	Errors []FieldError `json:"errors,omitempty"`
}

// FieldError is one invalid field of a request.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}
