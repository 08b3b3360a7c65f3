package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/wire"
)

// StatusError is a response the client has no access error for (a 500, a
// 422 for a reused Idempotency-Key, ...): its status and the problem's title
// and detail. The body is never quoted beyond those.
type StatusError struct {
	Method, Path string
	Status       int
	Title        string
	Detail       string
	Attempts     int
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("%s %s: %d %s", e.Method, e.Path, e.Status, http.StatusText(e.Status))
	if e.Title != "" {
		msg += ": " + e.Title
	}
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.Attempts > 1 {
		msg += fmt.Sprintf(" (after %d attempts)", e.Attempts)
	}
	return msg
}

// problemError maps a non-2xx response to the access error it stands for,
// from the problem's status, type and structured fields (kind, id, reason,
// errors), never from its detail, which is for people: callers see the
// same errors.Is/As results, and the same messages, as from the embedded
// store. A field the problem lacks (a proxy's error page has none) falls
// back to what the call itself was about.
func problemError(c call, r *response, attempts int) error {
	var p wire.Problem
	if err := json.Unmarshal(r.body, &p); err != nil || p.Status == 0 {
		// Not a problem body (a proxy's HTML page, say): the status only.
		p = wire.Problem{Status: r.status}
	}
	// The platform's answer names its subject (kind, and id where there is
	// one, empty or not); anything else is about the call's own subject.
	kind, id := c.kind, c.id
	if p.Kind != "" {
		kind, id = p.Kind, p.ID
	}
	switch r.status {
	case http.StatusBadRequest:
		if len(p.Errors) > 0 || p.Type == wire.ProblemInvalid {
			return validationError(kind, p)
		}
	case http.StatusNotFound:
		return &access.NotFoundError{Kind: kind, ID: id}
	case http.StatusConflict:
		return &access.ConflictError{Kind: kind, ID: id, Reason: firstNonEmpty(p.Reason, "refused by the platform")}
	case http.StatusPreconditionFailed:
		return &access.PreconditionFailedError{Kind: kind, ID: id}
	case http.StatusUnauthorized:
		return fmt.Errorf("%s %s: %w: %s", c.method, c.path, access.ErrUnauthorized, firstNonEmpty(p.Reason, "the API token was refused"))
	case http.StatusForbidden:
		return fmt.Errorf("%s %s: %w: %s", c.method, c.path, access.ErrForbidden, firstNonEmpty(p.Reason, "the API token may not do this"))
	case http.StatusTooManyRequests:
		wait, _ := retryAfter(r.header, time.Now())
		return fmt.Errorf("%s %s after %d attempt(s): %w", c.method, c.path, attempts, &access.RateLimitedError{RetryAfter: wait})
	}
	return &StatusError{Method: c.method, Path: c.path, Status: r.status, Title: p.Title, Detail: p.Detail, Attempts: attempts}
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// validationError keeps every field of the problem, so that its message
// equals the store's.
func validationError(kind string, p wire.Problem) error {
	v := &access.ValidationError{Kind: kind}
	for _, f := range p.Errors {
		v.Fields = append(v.Fields, access.FieldError{Field: f.Field, Message: f.Message})
	}
	if len(v.Fields) == 0 {
		v.Fields = []access.FieldError{{Field: "(request)", Message: firstNonEmpty(p.Detail, p.Title, "invalid request")}}
	}
	return v
}

// isNotFound is errors.Is(err, access.ErrNotFound), for readability.
func isNotFound(err error) bool { return errors.Is(err, access.ErrNotFound) }
