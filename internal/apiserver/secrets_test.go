package apiserver

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/store"
	"github.com/engage-oss/terraform-provider-engage/internal/wire"
)

// Canaries: unique strings sent where secrets go. Whatever leaks a secret
// leaks its canary, which nothing else would print.
const (
	canarySecret  = "canary-secret-7d41a9c2e0"
	canaryRotated = "canary-rotated-3b9e61f4d8"
	canaryToken   = "eng_canary-token-e18c05b7a3" // looks like a token; is none
	// A numeric secret (a PIN) sent unquoted by mistake is a JSON number.
	canaryNumber = "8675309424242"
)

// TestTheServerNeverLogsOrEchoesASecret drives a transfer credential through
// its whole life over HTTP with authentication on (create, read, list,
// rotate, delete), plus every way a request around a secret can fail, and
// asserts that no canary and no bearer token reaches a response (body or
// header) or the server's log, at debug level.
func TestTheServerNeverLogsOrEchoesASecret(t *testing.T) {
	t.Parallel()
	srv, reader, _, admin := tokenServer(t)
	bearer := "Bearer " + admin
	var responses []response
	send := func(want int, method, path string, body any, headers ...string) response {
		t.Helper()
		headers = append([]string{"Authorization", bearer}, headers...)
		r := srv.expect(t, want, method, path, body, headers...)
		if r.status >= 400 {
			r.problem(t) // every refusal is a well-formed problem
		}
		responses = append(responses, r)
		return r
	}
	credential := func(name, secret string) string {
		return `{"name":"` + name + `","username":"exporter","secret":"` + secret + `"}`
	}

	// The happy path.
	var cred wire.TransferCredential
	send(http.StatusCreated, "POST", "/v1/transfer-credentials", credential("sftp_prod", canarySecret),
		"Idempotency-Key", "create-1").decode(t, &cred)
	send(http.StatusCreated, "POST", "/v1/transfer-credentials", credential("sftp_prod", canarySecret),
		"Idempotency-Key", "create-1") // a replay
	credPath := "/v1/transfer-credentials/" + cred.ID
	etag := send(http.StatusOK, "GET", credPath, nil).header.Get("ETag")
	send(http.StatusOK, "GET", "/v1/transfer-credentials", nil)
	rotated := send(http.StatusOK, "PUT", credPath, credential("sftp_prod", canaryRotated), "If-Match", etag)
	send(http.StatusCreated, "POST", "/v1/export-destinations", map[string]any{
		"name": "Warehouse", "sftp": map[string]any{"host": "sftp.example.com", "port": 22, "path": "/x", "credential_id": cred.ID},
		"export_kinds": []string{"report"},
	})

	// Refusals of a request that carries a secret.
	big := `{"name":"big","username":"u","secret":"` + strings.Repeat(canarySecret, MaxBodyBytes/len(canarySecret)) + `"}`
	for _, tc := range []struct {
		name         string
		want         int
		method, path string
		body         string
		headers      []string
	}{
		{"a stale If-Match (412)", http.StatusPreconditionFailed, "PUT", credPath, credential("sftp_prod", canarySecret), []string{"If-Match", etag}},
		{"a name already taken (409)", http.StatusConflict, "POST", "/v1/transfer-credentials", credential("SFTP_PROD", canarySecret), nil},
		{"an invalid name beside a secret (400)", http.StatusBadRequest, "POST", "/v1/transfer-credentials", credential("bad name", canarySecret), nil},
		{"a secret over the limit (400)", http.StatusBadRequest, "POST", "/v1/transfer-credentials",
			credential("long", strings.Repeat(canarySecret, access.MaxSecretLength/len(canarySecret)+1)), nil},
		{"a body over 1 MiB (413)", http.StatusRequestEntityTooLarge, "POST", "/v1/transfer-credentials", big, nil},
		{"a body over 1 MiB with an Idempotency-Key (413)", http.StatusRequestEntityTooLarge, "POST", "/v1/transfer-credentials", big, []string{"Idempotency-Key", "big"}},
		{"a reused Idempotency-Key (422)", http.StatusUnprocessableEntity, "POST", "/v1/transfer-credentials", credential("other", canaryRotated), []string{"Idempotency-Key", "create-1"}},
		{"the secret under the Terraform name (400)", http.StatusBadRequest, "POST", "/v1/transfer-credentials", `{"name":"x","username":"u","secret_wo":"` + canarySecret + `"}`, nil},
		{"the secret under a made-up name (400)", http.StatusBadRequest, "POST", "/v1/transfer-credentials", `{"name":"x","username":"u","password":"` + canarySecret + `"}`, nil},
		{"a numeric secret (400)", http.StatusBadRequest, "POST", "/v1/transfer-credentials", `{"name":"x","username":"u","secret":` + canaryNumber + `}`, nil},
		{"a secret in a numeric field (400)", http.StatusBadRequest, "POST", "/v1/export-destinations", `{"name":"x","sftp":{"port":"` + canarySecret + `","host":"h"}}`, nil},
		{"a numeric secret in a nested field (400)", http.StatusBadRequest, "POST", "/v1/export-destinations", `{"name":"x","sftp":{"host":` + canaryNumber + `}}`, nil},
		{"a secret in an array (400)", http.StatusBadRequest, "POST", "/v1/transfer-credentials", `{"name":"x","username":"u","secret":["` + canarySecret + `"]}`, nil},
		{"an unterminated secret (400)", http.StatusBadRequest, "POST", "/v1/transfer-credentials", `{"name":"x","username":"u","secret":"` + canarySecret, nil},
		{"a bad escape in a secret (400)", http.StatusBadRequest, "POST", "/v1/transfer-credentials", `{"name":"x","secret":"` + canarySecret + `\q"}`, nil},
		{"an unquoted secret (400)", http.StatusBadRequest, "POST", "/v1/transfer-credentials", `{"name":"x","secret":` + canarySecret + `}`, nil},
		{"a secret after the body (400)", http.StatusBadRequest, "POST", "/v1/transfer-credentials", credential("x", "y") + `"` + canarySecret + `"`, nil},
		{"a secret as a field name (400)", http.StatusBadRequest, "POST", "/v1/transfer-credentials", `{"name":"x",` + `"` + canarySecret + `":1}`, nil},
		{"a secret sent as text/plain (415)", http.StatusUnsupportedMediaType, "POST", "/v1/transfer-credentials", credential("x", canarySecret), []string{"Content-Type", "text/plain"}},
		{"a missing credential (404)", http.StatusNotFound, "PUT", "/v1/transfer-credentials/cred_missing", credential("x", canarySecret), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := send(tc.want, tc.method, tc.path, tc.body, tc.headers...)
			assertNoSecret(t, tc.name, r.body)
		})
	}
	if p := send(http.StatusBadRequest, "POST", "/v1/transfer-credentials", `{"name":"x","username":"u","secret":`+canaryNumber+`}`).problem(t); len(p.Errors) != 1 || p.Errors[0].Field != "secret" {
		t.Errorf("a numeric secret is refused without naming the secret field: %+v", p)
	}

	// Refusals of the token itself.
	for _, tc := range []struct {
		name, authorization string
		want                int
	}{
		{"a wrong token holding a canary (401)", "Bearer " + canaryToken, http.StatusUnauthorized},
		{"a token that is not an Engage token (401)", "Bearer " + canarySecret, http.StatusUnauthorized},
		{"another scheme (401)", "Basic " + canaryToken, http.StatusUnauthorized},
		{"a read-only token writing (403)", "Bearer " + reader, http.StatusForbidden},
	} {
		r := srv.do(t, "POST", "/v1/transfer-credentials", credential("x", canarySecret), "Authorization", tc.authorization)
		if r.status != tc.want {
			t.Errorf("%s: got %d %s, want %d", tc.name, r.status, r.body, tc.want)
		}
		responses = append(responses, r)
	}

	// The end of its life, and requests about it afterwards.
	send(http.StatusConflict, "DELETE", credPath, nil) // still in use by the destination
	var dests wire.List[wire.ExportDestination]
	send(http.StatusOK, "GET", "/v1/export-destinations", nil).decode(t, &dests)
	for _, d := range dests.Items {
		send(http.StatusNoContent, "DELETE", "/v1/export-destinations/"+d.ID, nil)
	}
	send(http.StatusNoContent, "DELETE", credPath, nil, "If-Match", rotated.header.Get("ETag"))
	send(http.StatusNotFound, "GET", credPath, nil)
	send(http.StatusNotFound, "PUT", credPath, credential("sftp_prod", canaryRotated))

	for _, r := range responses {
		assertNoSecret(t, "a response body", r.body)
		for name, values := range r.header {
			assertNoSecret(t, "the response header "+name, []byte(strings.Join(values, " ")))
		}
	}
	logs := srv.log.String()
	if n := strings.Count(logs, `"route":"POST /v1/transfer-credentials"`); n < 10 {
		t.Fatalf("the server logged %d requests to create a credential: the capture is not working\n%s", n, logs)
	}
	assertNoSecret(t, "the server log", []byte(logs))
	for _, token := range []string{admin, reader} {
		if strings.Contains(logs, token) {
			t.Errorf("the server log holds a bearer token")
		}
	}
}

// TestAnInternalErrorLogsNoSecret: a 500 logs its cause; a cause that
// quotes a request's value must not put a secret there. The store's errors
// around a secret are checked here too, since a 500 would log them.
func TestAnInternalErrorLogsNoSecret(t *testing.T) {
	t.Parallel()
	st, err := store.OpenMemory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	ctx := t.Context()
	cred, err := st.CreateTransferCredential(ctx, access.TransferCredential{Name: "c", Username: "u", Secret: canarySecret})
	if err != nil {
		t.Fatal(err)
	}
	for name, call := range map[string]func() error{
		"a duplicate name": func() error {
			_, err := st.CreateTransferCredential(ctx, access.TransferCredential{Name: "C", Username: "u", Secret: canarySecret})
			return err
		},
		"a secret over the limit": func() error {
			_, err := st.CreateTransferCredential(ctx, access.TransferCredential{Name: "d", Username: "u",
				Secret: strings.Repeat(canarySecret, access.MaxSecretLength/len(canarySecret)+1)})
			return err
		},
		"an invalid name and user name": func() error {
			_, err := st.CreateTransferCredential(ctx, access.TransferCredential{Name: "", Username: " ", Secret: canarySecret})
			return err
		},
		"a stale version": func() error {
			_, err := st.UpdateTransferCredential(ctx, access.TransferCredential{ID: cred.ID, Name: "c", Username: "u", Secret: canaryRotated, Version: 99})
			return err
		},
		"a missing credential": func() error {
			_, err := st.UpdateTransferCredential(ctx, access.TransferCredential{ID: "cred_missing", Name: "c", Username: "u", Secret: canaryRotated})
			return err
		},
		"a cancelled request": func() error {
			cancelled, cancel := context.WithCancel(ctx)
			cancel()
			_, err := st.UpdateTransferCredential(cancelled, access.TransferCredential{ID: cred.ID, Name: "c", Username: "u", Secret: canaryRotated})
			return err
		},
	} {
		err := call()
		if err == nil {
			t.Errorf("%s: the store accepted it", name)
			continue
		}
		assertNoSecret(t, "the store's error for "+name, []byte(err.Error()))
	}

	// A service failing in a way the server does not know becomes a 500
	// whose body says nothing and whose log line holds the cause.
	failing := failingCredentials{Service: st, err: errors.New("disk I/O error")}
	srv := newTestServerOver(t, failing, st, Options{})
	r := srv.expect(t, http.StatusInternalServerError, "POST", "/v1/transfer-credentials",
		`{"name":"x","username":"u","secret":"`+canarySecret+`"}`)
	assertNoSecret(t, "a 500 body", r.body)
	if logs := srv.log.String(); !strings.Contains(logs, "disk I/O error") {
		t.Fatalf("the 500's cause is not logged:\n%s", logs)
	} else {
		assertNoSecret(t, "the log of a 500", []byte(logs))
	}
}

// failingCredentials fails every credential write with err.
type failingCredentials struct {
	access.Service
	err error
}

func (f failingCredentials) CreateTransferCredential(context.Context, access.TransferCredential) (access.TransferCredential, error) {
	return access.TransferCredential{}, f.err
}

func assertNoSecret(t *testing.T, where string, data []byte) {
	t.Helper()
	for _, c := range []string{canarySecret, canaryRotated, canaryToken, canaryNumber} {
		if i := bytes.Index(data, []byte(c)); i >= 0 {
			t.Errorf("%s holds the secret %q: ...%s...", where, c, data[max(0, i-120):min(len(data), i+len(c)+40)])
		}
	}
}
