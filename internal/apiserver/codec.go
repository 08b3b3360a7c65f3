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

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

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
	// kind and reason fill the problem's fields of the same names.
	kind, reason string
}

func (e *requestError) Error() string { return e.detail }

func badRequest(detail string, fields ...wire.FieldError) *requestError {
	return &requestError{status: http.StatusBadRequest, typ: wire.ProblemInvalid, title: "Invalid request", detail: detail, fields: fields}
}

// decode reads the JSON body of r into dst: the one way every handler reads
// a body. It refuses another media type (415), a body over MaxBodyBytes
// (413), and with 400 naming the field: unknown fields, field names in
// another case than the API's ("NAME" for "name"), a field given twice
// (which one would win is up to the parser, so neither does), invalid
// UTF-8, and anything but exactly one JSON value. encoding/json accepts the
// middle three silently; the decoder is go-json-experiment/json, the
// upstream of encoding/json/v2, whose defaults refuse them.
func decode(w http.ResponseWriter, r *http.Request, dst any) error {
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mediaType != "application/json" {
		return &requestError{
			status: http.StatusUnsupportedMediaType, typ: wire.ProblemUnsupportedMedia, title: "Unsupported media type",
			detail: fmt.Sprintf("request bodies must be application/json, got %q", r.Header.Get("Content-Type")),
		}
	}
	dec := jsontext.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err := jsonv2.UnmarshalDecode(dec, dst, jsonv2.RejectUnknownMembers(true)); err != nil {
		return decodeError(err)
	}
	if _, err := dec.ReadToken(); !errors.Is(err, io.EOF) {
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

// fieldPath names the field a JSON pointer points at as problems name
// fields: nested names joined with dots ("sftp.port", "entries.2.cidr").
// ok is false when some part is not a field name (a value that may be a
// secret where a name goes): such a path is not quoted back.
func fieldPath(p jsontext.Pointer) (path string, ok bool) {
	var parts []string
	for tok := range p.Tokens() {
		if _, err := strconv.Atoi(tok); err != nil && !fieldNamePattern.MatchString(tok) {
			return "", false
		}
		parts = append(parts, tok)
	}
	if len(parts) == 0 {
		return "(body)", true
	}
	return strings.Join(parts, "."), true
}

func decodeError(err error) error {
	var tooLarge *http.MaxBytesError
	var syntax *jsontext.SyntacticError
	var semantic *jsonv2.SemanticError
	switch {
	case errors.As(err, &tooLarge):
		return tooLargeError()
	case errors.Is(err, io.EOF):
		return badRequest("the body is empty; it must be a JSON object")
	case errors.As(err, &syntax) && errors.Is(syntax.Err, jsontext.ErrDuplicateName):
		field, ok := fieldPath(syntax.JSONPointer)
		if !ok {
			return badRequest("the body gives a field twice", wire.FieldError{Field: "(body)", Message: "holds a field given twice"})
		}
		return badRequest(fmt.Sprintf("field %q is given twice", field),
			wire.FieldError{Field: field, Message: "is given twice; give each field once"})
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("the body is not valid JSON: " + err.Error())
	case errors.As(err, &semantic) && errors.Is(semantic.Err, jsonv2.ErrUnknownName):
		field, ok := fieldPath(semantic.JSONPointer)
		if !ok {
			// Not a misspelt field but something else where a field name
			// goes ({"": 1}, or a value that may be a secret): not echoed.
			return badRequest("the body has a field whose name is not a field name",
				wire.FieldError{Field: "(body)", Message: "holds a field whose name is not a field name of this object"})
		}
		return badRequest(fmt.Sprintf("unknown field %q", field),
			wire.FieldError{Field: field, Message: "is not a field of this object (field names are lower-case snake_case, and case-sensitive)"})
	case errors.As(err, &semantic):
		field, ok := fieldPath(semantic.JSONPointer)
		if !ok {
			field = "(body)"
		}
		return badRequest("a field has the wrong type",
			wire.FieldError{Field: field, Message: fmt.Sprintf("must not be a JSON %s", jsonKindName(semantic.JSONKind))})
	}
	return badRequest("the body could not be read: " + err.Error())
}

// jsonKindName names a JSON value's kind as a person would.
func jsonKindName(k jsontext.Kind) string {
	switch k {
	case 'n':
		return "null"
	case 'f', 't':
		return "boolean"
	case '"':
		return "string"
	case '0':
		return "number"
	case '{':
		return "object"
	case '[':
		return "array"
	}
	return "value"
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
