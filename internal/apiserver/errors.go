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
	} else if p.Status == http.StatusTooManyRequests {
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
	var invalid *access.ValidationError
	switch {
	case errors.As(err, &req):
		return wire.Problem{Type: req.typ, Title: req.title, Status: req.status, Detail: req.detail, Errors: req.fields}
	case errors.As(err, &invalid):
		fields := make([]wire.FieldError, 0, len(invalid.Fields))
		for _, f := range invalid.Fields {
			fields = append(fields, wire.FieldError{Field: f.Field, Message: f.Message})
		}
		return wire.Problem{Type: wire.ProblemInvalid, Title: "Invalid request", Status: http.StatusBadRequest, Detail: err.Error(), Errors: fields}
	case errors.Is(err, access.ErrInvalid):
		return wire.Problem{Type: wire.ProblemInvalid, Title: "Invalid request", Status: http.StatusBadRequest, Detail: err.Error()}
	case errors.Is(err, access.ErrNotFound):
		return wire.Problem{Type: wire.ProblemNotFound, Title: "Not found", Status: http.StatusNotFound, Detail: err.Error()}
	case errors.Is(err, access.ErrConflict):
		return wire.Problem{Type: wire.ProblemConflict, Title: "Conflict", Status: http.StatusConflict, Detail: err.Error()}
	case errors.Is(err, access.ErrPreconditionFailed):
		return wire.Problem{Type: wire.ProblemPreconditionFailed, Title: "Precondition failed", Status: http.StatusPreconditionFailed, Detail: err.Error()}
	case errors.Is(err, access.ErrRateLimited):
		return wire.Problem{Type: wire.ProblemRateLimited, Title: "Too many requests", Status: http.StatusTooManyRequests, Detail: err.Error()}
	case errors.Is(err, access.ErrUnauthorized):
		return wire.Problem{Type: wire.ProblemUnauthorized, Title: "Unauthorized", Status: http.StatusUnauthorized, Detail: err.Error()}
	case errors.Is(err, access.ErrForbidden):
		return wire.Problem{Type: wire.ProblemForbidden, Title: "Forbidden", Status: http.StatusForbidden, Detail: err.Error()}
	}
	return wire.Problem{Type: wire.ProblemInternal, Title: "Internal server error", Status: http.StatusInternalServerError}
}

// retryAfterSeconds rounds up, so that a client that waits as told is not
// refused again for having come back a fraction of a second early.
func retryAfterSeconds(e *access.RateLimitedError) int {
	secs := int(math.Ceil(e.RetryAfter.Seconds()))
	return max(secs, 1)
}
