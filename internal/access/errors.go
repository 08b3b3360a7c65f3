package access

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sentinel errors. Backends wrap them (directly or through the typed errors
// below) so callers test with errors.Is and never parse messages.
var (
	ErrNotFound           = errors.New("not found")
	ErrConflict           = errors.New("conflict")
	ErrInvalid            = errors.New("invalid")
	ErrPreconditionFailed = errors.New("changed outside Terraform")
	ErrUnauthorized       = errors.New("unauthorized")
	ErrForbidden          = errors.New("forbidden")
	ErrRateLimited        = errors.New("rate limited")
	// ErrUnavailable means the platform could not do the request now (its
	// database busy past its timeout, a write aborted by concurrent ones)
	// and did nothing: the same request may succeed when retried.
	ErrUnavailable = errors.New("temporarily unavailable")
)

// NotFoundError says which object does not exist.
type NotFoundError struct {
	Kind string // e.g. "role"
	ID   string // the identifier that was looked up (id, name or email)
}

func (e *NotFoundError) Error() string { return fmt.Sprintf("%s %q not found", e.Kind, e.ID) }

// Is makes errors.Is(err, ErrNotFound) true.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// ConflictError reports a write the platform refuses because of other
// objects: a duplicate name, a role still held by users, a read-only object.
type ConflictError struct {
	Kind   string
	ID     string
	Reason string
}

func (e *ConflictError) Error() string {
	if e.ID == "" {
		return fmt.Sprintf("%s: %s", e.Kind, e.Reason)
	}
	return fmt.Sprintf("%s %q: %s", e.Kind, e.ID, e.Reason)
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// FieldError is one invalid field. Field is the attribute name as Terraform
// and the REST API spell it; nested fields are joined with dots
// ("sso.idp_sso_url").
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ValidationError carries every invalid field of one request, so that a
// caller can point at each attribute instead of at the whole object.
type ValidationError struct {
	Kind   string
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, 0, len(e.Fields))
	for _, f := range e.Fields {
		parts = append(parts, f.Field+": "+f.Message)
	}
	return fmt.Sprintf("invalid %s: %s", e.Kind, strings.Join(parts, "; "))
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// Add records a field error.
func (e *ValidationError) Add(field, format string, args ...any) {
	e.Fields = append(e.Fields, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// OrNil returns nil when no field failed, so a rule can end with
// `return verr.OrNil()` without returning a typed nil pointer in an error.
func (e *ValidationError) OrNil() error {
	if e == nil || len(e.Fields) == 0 {
		return nil
	}
	return e
}

// PreconditionFailedError means the object changed since the caller last read
// it (a stale ETag / version).
type PreconditionFailedError struct {
	Kind string
	ID   string
}

func (e *PreconditionFailedError) Error() string {
	return fmt.Sprintf("%s %q was changed outside Terraform since it was last read; refresh and plan again", e.Kind, e.ID)
}

// Is makes errors.Is(err, ErrPreconditionFailed) true.
func (e *PreconditionFailedError) Is(target error) bool { return target == ErrPreconditionFailed }

// RateLimitedError is returned when the platform keeps refusing requests for
// rate reasons after the client's retries are spent.
type RateLimitedError struct {
	RetryAfter time.Duration
}

func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("rate limited by the platform (retry after %s)", e.RetryAfter)
}

// Is makes errors.Is(err, ErrRateLimited) true.
func (e *RateLimitedError) Is(target error) bool { return target == ErrRateLimited }
