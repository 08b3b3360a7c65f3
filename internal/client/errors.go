package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
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
// so that callers see the same errors.Is/As results, and where possible the
// same messages, as from the embedded store.
func problemError(c call, r *response, attempts int) error {
	var p wire.Problem
	if err := json.Unmarshal(r.body, &p); err != nil || p.Status == 0 {
		// Not a problem body (a proxy's HTML page, say): the status only.
		p = wire.Problem{Status: r.status}
	}
	switch r.status {
	case http.StatusBadRequest:
		if len(p.Errors) > 0 || p.Type == wire.ProblemInvalid {
			return validationError(c, p)
		}
	case http.StatusNotFound:
		kind, id := subject(c, p.Detail, func(rest string) bool { return rest == " not found" })
		return &access.NotFoundError{Kind: kind, ID: id}
	case http.StatusConflict:
		return conflictError(c, p.Detail)
	case http.StatusPreconditionFailed:
		kind, id := subject(c, p.Detail, func(rest string) bool { return strings.HasPrefix(rest, " was changed") })
		return &access.PreconditionFailedError{Kind: kind, ID: id}
	case http.StatusUnauthorized:
		return fmt.Errorf("%s %s: %w: %s", c.method, c.path, access.ErrUnauthorized, orTitle(p, "the API token was refused"))
	case http.StatusForbidden:
		return fmt.Errorf("%s %s: %w: %s", c.method, c.path, access.ErrForbidden, orTitle(p, "the API token may not do this"))
	case http.StatusTooManyRequests:
		wait, _ := retryAfter(r.header, time.Now())
		return fmt.Errorf("%s %s after %d attempt(s): %w", c.method, c.path, attempts, &access.RateLimitedError{RetryAfter: wait})
	}
	return &StatusError{Method: c.method, Path: c.path, Status: r.status, Title: p.Title, Detail: p.Detail, Attempts: attempts}
}

func orTitle(p wire.Problem, fallback string) string {
	switch {
	case p.Detail != "":
		return p.Detail
	case p.Title != "":
		return p.Title
	}
	return fallback
}

// validationError keeps every field name of the problem, and the kind its
// detail names ("invalid role: ..."), so that its message equals the store's.
func validationError(c call, p wire.Problem) error {
	kind := c.kind
	if rest, ok := strings.CutPrefix(p.Detail, "invalid "); ok {
		if k, _, found := strings.Cut(rest, ": "); found && k != "" {
			kind = k
		}
	}
	v := &access.ValidationError{Kind: kind}
	for _, f := range p.Errors {
		v.Fields = append(v.Fields, access.FieldError{Field: f.Field, Message: f.Message})
	}
	if len(v.Fields) == 0 {
		v.Fields = []access.FieldError{{Field: "(request)", Message: orTitle(p, "invalid request")}}
	}
	return v
}

func conflictError(c call, detail string) error {
	kind, id, reason := c.kind, c.id, detail
	if k, rest, ok := strings.Cut(detail, ` "`); ok {
		quoted := `"` + rest
		if q, err := strconv.QuotedPrefix(quoted); err == nil {
			if r, ok := strings.CutPrefix(quoted[len(q):], ": "); ok {
				unq, _ := strconv.Unquote(q)
				return &access.ConflictError{Kind: k, ID: unq, Reason: r}
			}
		}
	}
	if k, r, ok := strings.Cut(detail, ": "); ok && !strings.Contains(k, `"`) {
		return &access.ConflictError{Kind: k, Reason: r}
	}
	if reason == "" {
		reason = "refused by the platform"
	}
	return &access.ConflictError{Kind: kind, ID: id, Reason: reason}
}

// subject reads `<kind> "<id>"<rest>` from a problem detail, as the store's
// errors spell it, when accept(rest) holds; otherwise the call's own kind
// and id.
func subject(c call, detail string, accept func(rest string) bool) (kind, id string) {
	k, rest, ok := strings.Cut(detail, ` "`)
	if !ok {
		return c.kind, c.id
	}
	quoted := `"` + rest
	q, err := strconv.QuotedPrefix(quoted)
	if err != nil || !accept(quoted[len(q):]) {
		return c.kind, c.id
	}
	unq, err := strconv.Unquote(q)
	if err != nil {
		return c.kind, c.id
	}
	return k, unq
}

// isNotFound is errors.Is(err, access.ErrNotFound), for readability.
func isNotFound(err error) bool { return errors.Is(err, access.ErrNotFound) }
