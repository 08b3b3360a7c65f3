package apiserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/store"
	"github.com/engage-oss/terraform-provider-engage/internal/wire"
)

// writeRoute is one POST or PUT route with the body type it decodes. Paths
// name objects that exist, so that a body that decodes reaches the service.
type writeRoute struct {
	method, path string
	body         func() any // a new value of the route's request body type
	seed         string
}

// fuzzServer serves every write route over an in-memory store holding one
// object of each kind.
func fuzzServer(f *testing.F) (http.Handler, []writeRoute, *syncBuffer) {
	f.Helper()
	ctx := context.Background()
	st, err := store.OpenMemory(ctx)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = st.Close() })
	must := func(err error) {
		f.Helper()
		if err != nil {
			f.Fatal(err)
		}
	}
	role, err := st.CreateRole(ctx, access.Role{Name: "Analyst", Permissions: []string{"campaign.view"}})
	must(err)
	user, err := st.CreateUser(ctx, access.User{Email: "ada@example.com", DisplayName: "Ada", RoleID: role.ID})
	must(err)
	_, err = st.CreateMaskingColumn(ctx, access.MaskingColumn{Table: "customers", Column: "email", Mask: access.MaskFull})
	must(err)
	list, err := st.CreateIPAllowlist(ctx, access.IPAllowlist{Name: "Office", Entries: []access.AllowlistEntry{{CIDR: "10.0.0.0/8"}}}) // disabled
	must(err)
	cred, err := st.CreateTransferCredential(ctx, access.TransferCredential{Name: "sftp_prod", Username: "exporter", Secret: "s3cr3t"})
	must(err)
	dest, err := st.CreateExportDestination(ctx, access.ExportDestination{
		Name: "Warehouse", SFTP: &access.SFTPTarget{Host: "sftp.example.com", Port: 22, Path: "/exports", CredentialID: cred.ID},
		ExportKinds: []access.ExportKind{access.ExportRawData},
	})
	must(err)

	role1 := `{"name":"Ops","permissions":["campaign.publish"]}`
	user1 := `{"email":"grace@example.com","display_name":"Grace","role_id":"` + role.ID + `"}`
	column1 := `{"table":"customers","column":"phone","mask":"partial"}`
	list1 := `{"name":"VPN","enabled":false,"entries":[{"cidr":"192.0.2.0/24","description":"x"}]}`
	cred1 := `{"name":"s3_prod","username":"u","secret":"hunter2"}`
	dest1 := `{"name":"Lake","s3":{"bucket":"my-bucket","region":"eu-central-1","credential_id":"` + cred.ID + `"},"export_kinds":["report"]}`
	routes := []writeRoute{
		{"POST", "/v1/roles", func() any { return new(wire.Role) }, role1},
		{"PUT", "/v1/roles/" + role.ID, func() any { return new(wire.Role) }, role1},
		{"POST", "/v1/users", func() any { return new(wire.User) }, user1},
		{"PUT", "/v1/users/" + user.ID, func() any { return new(wire.User) }, user1},
		{"POST", "/v1/masking-columns", func() any { return new(wire.MaskingColumn) }, column1},
		{"PUT", "/v1/masking-columns/customers/email", func() any { return new(wire.MaskingColumn) }, `{"mask":"hash"}`},
		{"POST", "/v1/ip-allowlists", func() any { return new(wire.IPAllowlist) }, list1},
		{"PUT", "/v1/ip-allowlists/" + list.ID, func() any { return new(wire.IPAllowlist) }, list1},
		{"POST", "/v1/transfer-credentials", func() any { return new(wire.TransferCredentialWrite) }, cred1},
		{"PUT", "/v1/transfer-credentials/" + cred.ID, func() any { return new(wire.TransferCredentialWrite) }, cred1},
		{"POST", "/v1/export-destinations", func() any { return new(wire.ExportDestination) }, dest1},
		{"PUT", "/v1/export-destinations/" + dest.ID, func() any { return new(wire.ExportDestination) }, dest1},
		{"PUT", "/v1/settings/security", func() any { return new(wire.SecuritySettings) }, `{"session_timeout_minutes":60}`},
	}
	logs := &syncBuffer{}
	h := New(st, Options{Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	return h, routes, logs
}

// Header variations a fuzz input picks with its flags byte.
const (
	flagOtherMediaType = 1 << iota // text/plain instead of application/json
	flagCharset                    // application/json; charset=utf-8
	flagIdempotencyKey             // a fixed Idempotency-Key (replays and reuse)
	flagIfMatch                    // send the fuzzed If-Match value
)

// FuzzWriteRoutes sends arbitrary bodies and headers to every POST and PUT
// route through the whole handler. Whatever arrives: never a 5xx (a panic
// would be one), every 4xx is a problem+json body whose status matches the
// response, a body naming a field the route's type does not have is a 400
// naming that field, and a body the route's type does not decode is never
// accepted.
func FuzzWriteRoutes(f *testing.F) {
	h, routes, logs := fuzzServer(f)
	for i, r := range routes {
		f.Add(uint8(i), []byte(r.seed), uint8(0), "")
		f.Add(uint8(i), []byte(strings.Replace(r.seed, `"name"`, `"colour"`, 1)), uint8(0), "")
		f.Add(uint8(i), []byte(r.seed), uint8(flagIfMatch), `"1"`)
		f.Add(uint8(i), []byte(r.seed), uint8(flagIdempotencyKey), "")
	}
	for _, body := range []string{
		"", "null", "[]", "{}", "{} {}", `{"name":1}`, `{"name":"a"`, "\xff", `{"version":1e400}`,
		`{"session_timeout_minutes":9223372036854775808}`, `{"entries":[null]}`, `{"sftp":{"port":-1}}`,
		`{"created_at":"not a time"}`, `{"name":"a","name":"b"}`, `{"NAME":"x"}`, `{"secret":123456789}`,
	} {
		f.Add(uint8(0), []byte(body), uint8(0), "")
	}
	f.Add(uint8(3), []byte(`{}`), uint8(flagOtherMediaType), "")
	f.Add(uint8(3), []byte(`{}`), uint8(flagCharset|flagIfMatch), `W/"x"`)

	f.Fuzz(func(t *testing.T, route uint8, body []byte, flags uint8, ifMatchValue string) {
		r := routes[int(route)%len(routes)]
		req := httptest.NewRequestWithContext(t.Context(), r.method, r.path, bytes.NewReader(body))
		switch {
		case flags&flagOtherMediaType != 0:
			req.Header.Set("Content-Type", "text/plain")
		case flags&flagCharset != 0:
			req.Header.Set("Content-Type", "application/json; charset=utf-8")
		default:
			req.Header.Set("Content-Type", "application/json")
		}
		if flags&flagIdempotencyKey != 0 && r.method == "POST" {
			req.Header.Set("Idempotency-Key", "fuzz-key")
		}
		if flags&flagIfMatch != 0 && isHeaderValue(ifMatchValue) {
			req.Header.Set("If-Match", ifMatchValue)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)

		status := rec.Code
		if status >= 500 {
			t.Fatalf("%s %s %q: %d %s\nserver log:\n%s", r.method, r.path, body, status, rec.Body, tail(logs.String()))
		}
		if status < 400 {
			if flags&flagOtherMediaType != 0 {
				t.Fatalf("%s %s accepted a text/plain body: %d %s", r.method, r.path, status, rec.Body)
			}
			if err := strictDecode(body, r.body()); err != nil {
				t.Fatalf("%s %s accepted %q, which its body type refuses (%v): %d %s", r.method, r.path, body, err, status, rec.Body)
			}
			return
		}
		if ct := rec.Header().Get("Content-Type"); ct != wire.ProblemContentType {
			t.Fatalf("%s %s: %d with Content-Type %q, want %q", r.method, r.path, status, ct, wire.ProblemContentType)
		}
		var p wire.Problem
		dec := json.NewDecoder(rec.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil || p.Status != status || p.Title == "" || p.Type == "" {
			t.Fatalf("%s %s: %d with problem %+v (%v)", r.method, r.path, status, p, err)
		}
		for _, fe := range p.Errors {
			if fe.Field == "" || fe.Message == "" {
				t.Fatalf("%s %s: a field error names no field or says nothing: %+v", r.method, r.path, p)
			}
		}
		if flags&flagOtherMediaType != 0 {
			return
		}
		// An unknown field is named, with a 400 (unless the body is too
		// large to read, or an earlier field already failed to decode).
		// A reused Idempotency-Key and a stale If-Match are refused before
		// the body is read.
		refusedEarly := p.Type == wire.ProblemIdempotencyReuse || status == http.StatusPreconditionFailed ||
			flags&flagIfMatch != 0 && status == http.StatusBadRequest && strings.Contains(p.Detail, "If-Match")
		if name, ok := unknownField(strictDecode(body, r.body())); ok && len(body) < MaxBodyBytes && !refusedEarly {
			if status != http.StatusBadRequest {
				t.Fatalf("%s %s %q: unknown field %q answered %d, want 400", r.method, r.path, body, name, status)
			}
		}
	})
}

// strictDecode decodes body as the server's decode does: one JSON value,
// no unknown fields.
func strictDecode(body []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("more than one value")
	}
	return nil
}

// unknownField returns the field an unknown-field decoding error names.
func unknownField(err error) (string, bool) {
	if err == nil {
		return "", false
	}
	return strings.CutPrefix(err.Error(), "json: unknown field ")
}

// isHeaderValue reports whether net/http would send s as a header value.
func isHeaderValue(s string) bool {
	for i := range len(s) {
		if c := s[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

func tail(s string) string {
	if len(s) > 4000 {
		return "..." + s[len(s)-4000:]
	}
	return s
}

// FuzzWireBodies decodes arbitrary JSON into every request body type, as the
// server does, and checks the mappers: no panic, and a body that decodes
// survives ToAccess and back to the wire with its fields unchanged (what
// the client sends is what the service gets). A transfer credential's
// secret never comes back out of the read type.
func FuzzWireBodies(f *testing.F) {
	for _, seed := range []string{
		`{"name":"Ops","permissions":["campaign.view"],"description":"d"}`,
		`{"email":"ada@example.com","display_name":"Ada","role_id":"rol_1","disabled":true}`,
		`{"table":"t","column":"c","mask":"hash"}`,
		`{"name":"VPN","enabled":true,"entries":[{"cidr":"10.0.0.1","description":""}]}`,
		`{"name":"c","username":"u","secret":"canary-secret"}`,
		`{"name":"D","sftp":{"host":"h","port":22,"path":"/","credential_id":"c"},"export_kinds":["report"]}`,
		`{"name":"D","s3":{"bucket":"b","region":"r","prefix":"p","credential_id":"c"}}`,
		`{"require_two_factor":true,"session_timeout_minutes":5,"sso":{"enabled":true,"idp_sso_url":"https://x"}}`,
		`{"version":-1,"created_at":"2026-01-01T00:00:00Z"}`, `{"last_login_at":null}`, "null", "{}",
	} {
		f.Add([]byte(seed))
	}
	types := []func() any{
		func() any { return new(wire.Role) }, func() any { return new(wire.User) },
		func() any { return new(wire.MaskingColumn) }, func() any { return new(wire.IPAllowlist) },
		func() any { return new(wire.TransferCredentialWrite) }, func() any { return new(wire.ExportDestination) },
		func() any { return new(wire.SecuritySettings) },
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, newBody := range types {
			dst := newBody()
			if strictDecode(body, dst) != nil {
				continue
			}
			var back any
			switch v := dst.(type) {
			case *wire.Role:
				a := v.ToAccess()
				back = wire.FromRole(a)
				if !slices.Equal(a.Permissions, v.Permissions) || a.Name != v.Name || a.Description != v.Description {
					t.Fatalf("role %+v mapped to %+v", v, a)
				}
				continue // FromRole normalises nil slices; compared above
			case *wire.User:
				back = wire.FromUser(v.ToAccess())
			case *wire.MaskingColumn:
				back = wire.FromMaskingColumn(v.ToAccess())
			case *wire.IPAllowlist:
				back = wire.FromIPAllowlist(v.ToAccess())
			case *wire.TransferCredentialWrite:
				a := v.ToAccess()
				if a.Secret != v.Secret {
					t.Fatalf("the secret did not reach the service: %+v", a)
				}
				out, err := json.Marshal(wire.FromTransferCredential(a))
				if err != nil {
					t.Fatal(err)
				}
				if v.Secret != "" && bytes.Contains(out, []byte(`"secret"`)) {
					t.Fatalf("a read body carries a secret: %s", out)
				}
				back = wire.FromTransferCredentialWrite(a)
			case *wire.ExportDestination:
				back = wire.FromExportDestination(v.ToAccess())
			case *wire.SecuritySettings:
				back = wire.FromSecuritySettings(v.ToAccess())
			}
			// Encoding never fails for a decoded body, and what the service
			// would send back decodes again.
			out, err := json.Marshal(back)
			if err != nil {
				t.Fatalf("%T from %q does not encode: %v", back, body, err)
			}
			again := newBody()
			if err := strictDecode(out, again); err != nil {
				t.Fatalf("%T encodes to %s, which does not decode: %v", back, out, err)
			}
			if rv := reflect.ValueOf(back); rv.Kind() != reflect.Pointer && !reflect.DeepEqual(reflect.ValueOf(again).Elem().Interface(), back) {
				t.Fatalf("%T does not survive encoding: %+v became %+v", back, back, reflect.ValueOf(again).Elem().Interface())
			}
		}
	})
}
