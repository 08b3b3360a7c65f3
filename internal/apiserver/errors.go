package apiserver

import (
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strconv"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/wire"
)

// writeError answers with the problem that err stands for: the one place
// where errors become statuses. Errors it does not know are 500s whose body
// says nothing but the request id; the real error goes only to the log.
func (s *server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	p := problemFor(err)
	if p.Status == http.StatusInternalServerError {
		id := RequestID(r.Context())
		s.log.LogAttrs(r.Context(), slog.LevelError, "internal error",
			slog.String("request_id", id), slog.String("error", err.Error()))
		p.Detail = "internal error; quote request id " + id + " when reporting it"
	}
	var limited *access.RateLimitedError
	if errors.As(err, &limited) {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds(limited)))
	} else if p.Status == http.StatusTooManyRequests || p.Status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	if p.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", "Bearer")
	}
	w.Header().Del("ETag")
	s.encodeAs(w, r, p.Status, wire.ProblemContentType, p)
}

func problemFor(err error) wire.Problem {
	var req *requestError
	if errors.As(err, &req) {
		return wire.Problem{Type: req.typ, Title: req.title, Status: req.status, Detail: req.detail, Errors: req.fields,
			Kind: req.kind, Reason: req.reason}
	}
	if p, ok := wire.ProblemFor(err); ok {
		return p
	}
	return wire.Problem{Type: wire.ProblemInternal, Title: "Internal server error", Status: http.StatusInternalServerError}
}

// retryAfterSeconds rounds up, so that a client that waits as told is not
// refused again for having come back a fraction of a second early.
func retryAfterSeconds(e *access.RateLimitedError) int {
	secs := int(math.Ceil(e.RetryAfter.Seconds()))
	return max(secs, 1)
}
