package client

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"unicode/utf8"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/wire"
)

// FuzzProblemError feeds the client's error mapping any status and body, as
// a broken server or a proxy in between could send: it never panics, always
// returns an error, and the error is the access error the status stands for.
// Then, for any id, the errors the store makes survive the trip through a
// problem body with the same message (what the provider shows does not
// depend on the backend), rebuilt from the problem's fields: the detail
// is not read.
func FuzzProblemError(f *testing.F) {
	f.Add(404, []byte(`{"type":"urn:engage:problem:not-found","title":"Not found","status":404,"detail":"role \"rol_1\" not found"}`), "rol_1")
	f.Add(409, []byte(`{"status":409,"detail":"transfer credential \"cred_1\": in use by 2 export destinations"}`), `a "quoted" id`)
	f.Add(412, []byte(`{"status":412,"detail":"user \"usr_\\\"x\" was changed outside Terraform"}`), "usr_\x00")
	f.Add(400, []byte(`{"status":400,"errors":[{"field":"name","message":"must not be empty"}]}`), "")
	f.Add(400, []byte(`<html>bad gateway</html>`), "x")
	f.Add(429, []byte(`null`), "é")
	f.Add(500, []byte(`{"status":"500"}`), "")
	f.Fuzz(func(t *testing.T, status int, body []byte, id string) {
		c := call{method: http.MethodPut, path: "/v1/roles/rol_1", kind: "role", id: "rol_1"}
		r := &response{status: status, header: http.Header{"Retry-After": {"1"}}, body: body}
		err := problemError(c, r, 1)
		if err == nil {
			t.Fatalf("status %d gave no error", status)
		}
		want := map[int]error{
			http.StatusNotFound: access.ErrNotFound, http.StatusConflict: access.ErrConflict,
			http.StatusPreconditionFailed: access.ErrPreconditionFailed, http.StatusUnauthorized: access.ErrUnauthorized,
			http.StatusForbidden: access.ErrForbidden, http.StatusTooManyRequests: access.ErrRateLimited,
		}[status]
		if want != nil && !errors.Is(err, want) {
			t.Fatalf("status %d with %q gave %v, want %v", status, body, err, want)
		}
		var se *StatusError
		if want == nil && status != http.StatusBadRequest && !errors.As(err, &se) {
			t.Fatalf("status %d gave %T %v, want a *StatusError", status, err, err)
		}

		// Round trips of the store's errors, with a fuzzed id (valid UTF-8:
		// JSON cannot carry anything else unchanged).
		if !utf8.ValidString(id) {
			return
		}
		for _, storeErr := range []error{
			&access.NotFoundError{Kind: "role", ID: id},
			&access.ConflictError{Kind: "role", ID: id, Reason: "3 users hold it"},
			&access.PreconditionFailedError{Kind: "role", ID: id},
			&access.ValidationError{Kind: "role", Fields: []access.FieldError{{Field: "name", Message: id}}},
		} {
			// As the server answers: the problem the error stands for.
			p, ok := wire.ProblemFor(storeErr)
			if !ok {
				t.Fatalf("no problem for the store's %v", storeErr)
			}
			raw, err := json.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			got := problemError(call{method: http.MethodGet, path: "/v1/roles/x", kind: "role", id: "x"}, &response{status: p.Status, body: raw}, 1)
			if got.Error() != storeErr.Error() {
				t.Fatalf("the store's %q came back as %q", storeErr.Error(), got.Error())
			}
		}
	})
}
