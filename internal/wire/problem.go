package wire

import (
	"errors"
	"net/http"
	"strings"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

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
	ProblemUnavailable        = "urn:engage:problem:unavailable"
	ProblemInternal           = "urn:engage:problem:internal"
)

// AllowLockoutHeader, set to "true" on an allowlist write, lets the write
// leave the caller's own address outside every enabled list: the deliberate
// change an operator makes from one network before moving to another.
const AllowLockoutHeader = "Engage-Allow-Lockout"

// Problem is an RFC 9457 problem details body. Errors lists the invalid
// fields of a validation problem, named as the Terraform attributes are
// (nested ones joined with dots). Kind, ID and Reason carry the structure
// of the access error behind a problem (the object's kind, its identifier
// as it was looked up, why a conflict was refused), so that a client
// rebuilds that error from fields, never from Detail, which is for people.
type Problem struct {
	Type   string       `json:"type"`
	Title  string       `json:"title"`
	Status int          `json:"status"`
	Detail string       `json:"detail,omitempty"`
	Errors []FieldError `json:"errors,omitempty"`
	Kind   string       `json:"kind,omitempty"`
	ID     string       `json:"id,omitempty"`
	Reason string       `json:"reason,omitempty"`
}

// FieldError is one invalid field of a request.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ProblemFor is the problem an access error stands for, with its structure
// in Kind, ID, Reason and Errors; false for an error that is none of
// package access's (a server fault). The server answers with it, and the
// client's tests round-trip the store's errors through it.
func ProblemFor(err error) (Problem, bool) {
	var (
		invalid  *access.ValidationError
		notFound *access.NotFoundError
		conflict *access.ConflictError
		stale    *access.PreconditionFailedError
		lockout  *access.LockoutError
	)
	switch {
	case errors.As(err, &invalid):
		fields := make([]FieldError, 0, len(invalid.Fields))
		for _, f := range invalid.Fields {
			fields = append(fields, FieldError{Field: f.Field, Message: f.Message})
		}
		return Problem{Type: ProblemInvalid, Title: "Invalid request", Status: http.StatusBadRequest, Detail: err.Error(),
			Errors: fields, Kind: invalid.Kind}, true
	case errors.Is(err, access.ErrInvalid):
		return Problem{Type: ProblemInvalid, Title: "Invalid request", Status: http.StatusBadRequest, Detail: err.Error()}, true
	case errors.As(err, &notFound):
		return Problem{Type: ProblemNotFound, Title: "Not found", Status: http.StatusNotFound, Detail: err.Error(),
			Kind: notFound.Kind, ID: notFound.ID}, true
	case errors.As(err, &lockout):
		reason := lockout.Reason() + ", or send " + AllowLockoutHeader + ": true to make it anyway"
		return Problem{Type: ProblemLockout, Title: "Change would lock you out", Status: http.StatusConflict,
			Detail: "IP allowlist: " + reason, Kind: "IP allowlist", Reason: reason}, true
	case errors.As(err, &conflict):
		return Problem{Type: ProblemConflict, Title: "Conflict", Status: http.StatusConflict, Detail: err.Error(),
			Kind: conflict.Kind, ID: conflict.ID, Reason: conflict.Reason}, true
	case errors.As(err, &stale):
		return Problem{Type: ProblemPreconditionFailed, Title: "Precondition failed", Status: http.StatusPreconditionFailed,
			Detail: err.Error(), Kind: stale.Kind, ID: stale.ID}, true
	case errors.Is(err, access.ErrUnavailable):
		return Problem{Type: ProblemUnavailable, Title: "Temporarily unavailable", Status: http.StatusServiceUnavailable,
			Detail: "the platform could not do this now and did nothing; retry the request"}, true
	case errors.Is(err, access.ErrRateLimited):
		return Problem{Type: ProblemRateLimited, Title: "Too many requests", Status: http.StatusTooManyRequests, Detail: err.Error()}, true
	case errors.Is(err, access.ErrUnauthorized):
		return Problem{Type: ProblemUnauthorized, Title: "Unauthorized", Status: http.StatusUnauthorized, Detail: err.Error(),
			Reason: reasonBeyond(err, access.ErrUnauthorized)}, true
	case errors.Is(err, access.ErrForbidden):
		return Problem{Type: ProblemForbidden, Title: "Forbidden", Status: http.StatusForbidden, Detail: err.Error(),
			Reason: reasonBeyond(err, access.ErrForbidden)}, true
	}
	return Problem{}, false
}

// reasonBeyond is why err was refused: refusals are written
// fmt.Errorf("%w: <reason>", sentinel) throughout the server and the store,
// so the reason is what follows the sentinel's own text.
func reasonBeyond(err, sentinel error) string {
	if reason, ok := strings.CutPrefix(err.Error(), sentinel.Error()+": "); ok {
		return reason
	}
	return ""
}
