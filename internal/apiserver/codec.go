package apiserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/wire"
)

// requestError is a request the HTTP layer refuses before the service sees
// it (wrong media type, oversized or malformed body). It carries its own
// status; writeError renders it like any other problem.
type requestError struct {
	status int
	typ    string
	title  string
	detail string
	fields []wire.FieldError
}

func (e *requestError) Error() string { return e.detail }

func badRequest(detail string, fields ...wire.FieldError) *requestError {
	return &requestError{status: http.StatusBadRequest, typ: wire.ProblemInvalid, title: "Invalid request", detail: detail, fields: fields}
}

// decode reads the JSON body of r into dst: the one way every handler reads
// a body. It refuses another media type (415), a body over MaxBodyBytes
// (413), unknown fields and anything but exactly one JSON value (400).
func decode(w http.ResponseWriter, r *http.Request, dst any) error {
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mediaType != "application/json" {
		return &requestError{
			status: http.StatusUnsupportedMediaType, typ: wire.ProblemUnsupportedMedia, title: "Unsupported media type",
			detail: fmt.Sprintf("request bodies must be application/json, got %q", r.Header.Get("Content-Type")),
		}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil {
			return decodeError(err)
		}
		return badRequest("the body must hold exactly one JSON value")
	}
	return nil
}

// fieldNamePattern matches what could be a misspelt field name, which an
// error may quote back: the API's fields are short snake_case words.
var fieldNamePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

func decodeError(err error) error {
	var tooLarge *http.MaxBytesError
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooLarge):
		return tooLargeError()
	case errors.Is(err, io.EOF):
		return badRequest("the body is empty; it must be a JSON object")
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("the body is not valid JSON: " + err.Error())
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "(body)"
		}
		return badRequest("a field has the wrong type",
			wire.FieldError{Field: field, Message: fmt.Sprintf("must not be a JSON %s", typ.Value)})
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if unquoted, uerr := strconv.Unquote(name); uerr == nil {
			name = unquoted
		}
		if !fieldNamePattern.MatchString(name) {
			// Not a misspelt field but something else where a field name
			// goes ({"": 1}, or a value that may be a secret): not echoed.
			return badRequest("the body has a field whose name is not a field name",
				wire.FieldError{Field: "(body)", Message: "holds a field whose name is not a field name of this object"})
		}
		return badRequest(fmt.Sprintf("unknown field %q", name),
			wire.FieldError{Field: name, Message: "is not a field of this object"})
	}
	return badRequest("the body could not be read: " + err.Error())
}

func tooLargeError() *requestError {
	return &requestError{
		status: http.StatusRequestEntityTooLarge, typ: wire.ProblemTooLarge, title: "Request body too large",
		detail: fmt.Sprintf("request bodies are limited to %d bytes", MaxBodyBytes),
	}
}

// encode writes v as the JSON response body with status: the one way every
// handler writes a body. It marshals first, so that a value that cannot be
// encoded becomes a clean 500 rather than half a response.
func (s *server) encode(w http.ResponseWriter, r *http.Request, status int, v any) {
	s.encodeAs(w, r, status, "application/json", v)
}

func (s *server) encodeAs(w http.ResponseWriter, r *http.Request, status int, contentType string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.writeError(w, r, fmt.Errorf("encoding the response: %w", err))
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// encodeObject writes one object with its ETag.
func (s *server) encodeObject(w http.ResponseWriter, r *http.Request, status int, v any, version access.Version) {
	w.Header().Set("ETag", wire.ETag(version))
	s.encode(w, r, status, v)
}

// listOptions reads page_token and limit. limit defaults to DefaultPageLimit
// and must be 1..MaxPageLimit; the service validates the token.
func listOptions(r *http.Request) (access.ListOptions, error) {
	q := r.URL.Query()
	opts := access.ListOptions{PageToken: q.Get("page_token"), Limit: DefaultPageLimit}
	if raw := q.Get("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > MaxPageLimit {
			return opts, &access.ValidationError{Kind: "list request", Fields: []access.FieldError{{
				Field: "limit", Message: fmt.Sprintf("must be a whole number from 1 to %d, got %q", MaxPageLimit, raw),
			}}}
		}
		opts.Limit = n
	}
	return opts, nil
}

// ifMatch is the version a PUT or DELETE is conditional on: zero (no
// condition) without If-Match or with "*".
func ifMatch(r *http.Request) (access.Version, error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" || h == "*" {
		return 0, nil
	}
	v, err := wire.ParseETag(h)
	if err != nil {
		return 0, badRequest("malformed If-Match header", wire.FieldError{Field: "If-Match", Message: err.Error()})
	}
	return v, nil
}
