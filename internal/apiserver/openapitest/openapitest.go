// Package openapitest checks HTTP traffic against the API's OpenAPI
// description (apiserver.OpenAPI). A test wraps the reference server's
// handler with a Validator; every request and the response the server gave
// it are validated with kin-openapi, and the test fails at cleanup listing
// each exchange the description does not allow. The REST acceptance backend
// (internal/acctest) wraps every server it starts, so the whole acceptance
// suite doubles as a conformance test of openapi.yaml.
package openapitest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/engage-oss/terraform-provider-engage/internal/apiserver"
)

// Load parses and validates the API's description.
func Load() (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(apiserver.OpenAPI())
	if err != nil {
		return nil, fmt.Errorf("parsing openapi.yaml: %w", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("openapi.yaml is not a valid OpenAPI 3.0 document: %w", err)
	}
	return doc, nil
}

// loadRouter parses the description once per test binary: the parsed
// document and its router are only read afterwards, by any number of
// validators at once.
var loadRouter = sync.OnceValues(func() (routers.Router, error) {
	doc, err := Load()
	if err != nil {
		return nil, err
	}
	return gorillamux.NewRouter(doc)
})

// Violation is one exchange the description does not allow.
type Violation struct {
	Method string
	Path   string
	Status int
	Err    error
}

func (v Violation) String() string {
	return fmt.Sprintf("%s %s -> %d: %v", v.Method, v.Path, v.Status, v.Err)
}

// Validator records the exchanges of the handlers it wraps that break the
// description.
type Validator struct {
	router routers.Router

	mu         sync.Mutex
	exchanges  int
	violations []Violation
}

// New returns a validator whose violations fail t when t ends. Create it
// before the server whose handler it wraps, so that the server is closed
// (and every exchange checked) before the violations are read.
func New(t testing.TB) *Validator {
	t.Helper()
	router, err := loadRouter()
	if err != nil {
		t.Fatal(err)
	}
	v := &Validator{router: router}
	t.Cleanup(func() {
		vs := v.Violations()
		if len(vs) == 0 {
			return
		}
		lines := make([]string, 0, len(vs))
		for _, x := range vs {
			lines = append(lines, "  "+x.String())
		}
		t.Errorf("%d breaches of internal/apiserver/openapi.yaml in %d exchanges with the API server:\n%s",
			len(vs), v.Exchanges(), strings.Join(lines, "\n"))
	})
	return v
}

// Violations returns what was recorded so far.
func (v *Validator) Violations() []Violation {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]Violation(nil), v.violations...)
}

// Exchanges is how many requests were checked so far.
func (v *Validator) Exchanges() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.exchanges
}

// Wrap validates every request next serves and the response it gives.
// Responses that never pass through next (a fault injector's 503 in a
// wrapper outside this one) are not seen, which is the point: they are not
// the server's.
func (v *Validator) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := &recorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if err != nil {
			return // the client went away mid-body: nothing whole to check
		}
		v.check(r, body, rec.result())
	})
}

// options are kin-openapi's, set for this API.
var options = func() *openapi3filter.Options {
	o := &openapi3filter.Options{
		AuthenticationFunc: bearerToken,
		// An undocumented status is as much a break as a wrong body.
		IncludeResponseStatus: true,
		// The server ignores read-only fields sent back (the client sends
		// whole objects); the description says so.
		ExcludeReadOnlyValidations: true,
		// Validate what was sent, without filling in defaults.
		SkipSettingDefaults: true,
		MultiError:          true,
	}
	// Name the field and the rule, never the value: request values include
	// transfer credential secrets.
	o.WithCustomSchemaErrorFunc(func(err *openapi3.SchemaError) string {
		return "/" + strings.Join(err.JSONPointer(), "/") + ": " + err.Reason
	})
	return o
}()

// bearerToken accepts a request that carries a bearer token; whether the
// token is good and holds the scope is the server's business.
func bearerToken(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	scheme, token, ok := strings.Cut(in.RequestValidationInput.Request.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return errors.New("no bearer token")
	}
	return nil
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// check validates one exchange. A request the description refuses is a
// violation only when the server took it (a status below 400) or failed
// on it (5xx): when both refuse it, they agree. A response is always
// checked against the operation the request matched.
func (v *Validator) check(r *http.Request, body []byte, resp response) {
	ctx := context.Background()
	req := r.Clone(ctx)
	req.Body = io.NopCloser(bytes.NewReader(body))
	serverRefused := resp.status >= 400 && resp.status < 500

	v.mu.Lock()
	v.exchanges++
	v.mu.Unlock()

	route, pathParams, err := v.router.FindRoute(req)
	if err != nil {
		if !serverRefused {
			v.record(r, resp.status, fmt.Errorf("no operation in the description: %w", err))
		}
		return
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: pathParams, Route: route, Options: options}
	if err := openapi3filter.ValidateRequest(ctx, in); err != nil && !serverRefused {
		v.record(r, resp.status, fmt.Errorf("request: %w", err))
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 resp.status,
		Header:                 resp.header,
		Body:                   io.NopCloser(bytes.NewReader(resp.body)),
		Options:                options,
	}
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		v.record(r, resp.status, fmt.Errorf("response: %w", err))
	}
}

func (v *Validator) record(r *http.Request, status int, err error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.violations = append(v.violations, Violation{Method: r.Method, Path: r.URL.RequestURI(), Status: status, Err: err})
}

// recorder passes a response through while keeping a copy of it.
type recorder struct {
	http.ResponseWriter
	status int
	header http.Header
	body   bytes.Buffer
}

func (w *recorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
		w.header = w.ResponseWriter.Header().Clone()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *recorder) result() response {
	if w.status == 0 {
		return response{status: http.StatusOK, header: w.ResponseWriter.Header().Clone()}
	}
	return response{status: w.status, header: w.header, body: w.body.Bytes()}
}
