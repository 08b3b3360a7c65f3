package command

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/pgtest"
	"github.com/engage-oss/terraform-provider-engage/internal/store"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// testDatabase is one kind of database the commands open: its --database
// argument and the flags that go with it.
type testDatabase struct {
	name string
	// flags returns a new, empty database's flags.
	flags func(t *testing.T) databaseFlags
}

var testDatabases = []testDatabase{
	{"sqlite", func(t *testing.T) databaseFlags {
		return databaseFlags{database: filepath.Join(t.TempDir(), "server.db")}
	}},
	{"postgres", func(t *testing.T) databaseFlags {
		keyFile := filepath.Join(t.TempDir(), "secret.key")
		key := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{5}, store.SecretKeySize))
		if err := os.WriteFile(keyFile, []byte(key+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return databaseFlags{database: pgtest.NewDatabase(t), secretKeyFile: keyFile}
	}},
}

// forEachDatabase runs test once per kind of database, as parallel
// subtests.
func forEachDatabase(t *testing.T, test func(t *testing.T, db databaseFlags)) {
	t.Helper()
	for _, d := range testDatabases {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			test(t, d.flags(t))
		})
	}
}

// args is db as command-line arguments.
func (f databaseFlags) args() []string {
	a := []string{"--database", f.database}
	if f.secretKeyFile != "" {
		a = append(a, "--secret-key-file", f.secretKeyFile)
	}
	return a
}

func TestTokenCreatePrintsOneTokenThatServeAccepts(t *testing.T) {
	t.Parallel()
	forEachDatabase(t, func(t *testing.T, db databaseFlags) {
		var stdout, stderr bytes.Buffer
		if code := Token(append([]string{"create", "--name", "ci", "--scopes", "access:read"}, db.args()...), &stdout, &stderr); code != 0 {
			t.Fatalf("token create exited %d: %s", code, stderr.String())
		}
		token := strings.TrimSpace(stdout.String())
		if !strings.HasPrefix(token, "eng_") || strings.Count(stdout.String(), "\n") != 1 {
			t.Fatalf("stdout = %q, want exactly one token line", stdout.String())
		}

		srv := startServer(t, serveFlags{databaseFlags: db})
		get := func(auth string) *http.Response { return srv.get(t, "/v1/whoami", auth) }
		resp := get("Bearer " + token)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var who struct {
			TokenName string   `json:"token_name"`
			Scopes    []string `json:"scopes"`
		}
		if err := json.Unmarshal(body, &who); err != nil || resp.StatusCode != http.StatusOK || who.TokenName != "ci" {
			t.Fatalf("whoami: %d %s (%v)", resp.StatusCode, body, err)
		}
		if resp := get(""); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("without a token: %d, want 401", resp.StatusCode)
		}

		logs := srv.stop(t)
		if strings.Contains(logs, token) {
			t.Fatal("the server log holds the token")
		}
		if pw, ok := urlPassword(db.database); ok && strings.Contains(logs, pw) {
			t.Fatal("the server log holds the database password")
		}
		// The database was closed cleanly: it reopens and still knows the token.
		st, err := db.open(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if _, err := st.LookupAPIToken(context.Background(), token); err != nil {
			t.Fatalf("after shutdown: %v", err)
		}
	})
}

// testServer is `serve` running in this process on a loopback port.
type testServer struct {
	base   string // http://127.0.0.1:port
	cancel context.CancelFunc
	done   chan error
	logs   *bytes.Buffer
}

// startServer runs serve with f until stop, or until the test ends.
func startServer(t *testing.T, f serveFlags) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &testServer{base: "http://" + ln.Addr().String(), cancel: cancel, done: make(chan error, 1), logs: &bytes.Buffer{}}
	go func() {
		s.done <- serve(ctx, ln, f, slog.New(slog.NewJSONHandler(s.logs, nil)))
	}()
	t.Cleanup(cancel)
	return s
}

// get sends GET path with the Authorization header auth, if not empty.
func (s *testServer) get(t *testing.T, path, auth string) *http.Response {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, s.base+path, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// stop does what SIGTERM does, waits for serve to return and returns the
// server's log.
func (s *testServer) stop(t *testing.T) string {
	t.Helper()
	s.cancel()
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("serve returned %v after shutdown", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
	return s.logs.String()
}

// urlPassword returns the password of a database URL, if it has one.
func urlPassword(database string) (string, bool) {
	u, err := url.Parse(database)
	if err != nil || u.User == nil {
		return "", false
	}
	return u.User.Password()
}

func TestCommandLineMistakesAreUsageErrors(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		run  func(stdout, stderr io.Writer) int
		code int
		want string
	}{
		"token without a sub-command": {func(o, e io.Writer) int { return Token(nil, o, e) }, 2, "Usage: terraform-provider-engage token create"},
		"token with an unknown scope": {func(o, e io.Writer) int {
			return Token([]string{"create", "--database", filepath.Join(t.TempDir(), "s.db"), "--name", "x", "--scopes", "admin"}, o, e)
		}, 1, `unknown scope "admin"`},
		"serve with half a TLS pair":                  {func(_, e io.Writer) int { return Serve([]string{"--tls-cert", "c.pem"}, e) }, 2, "--tls-cert and --tls-key go together"},
		"serve with no burst":                         {func(_, e io.Writer) int { return Serve([]string{"--rate-burst", "0"}, e) }, 2, "--rate-burst must be at least 1"},
		"serve with no failure rate":                  {func(_, e io.Writer) int { return Serve([]string{"--unauthenticated-rate-limit", "0"}, e) }, 2, "--unauthenticated-rate-limit must be more than 0"},
		"serve with a negative queue":                 {func(_, e io.Writer) int { return Serve([]string{"--rate-queue", "-1"}, e) }, 2, "--rate-queue must be 0"},
		"serve with no database connections":          {func(_, e io.Writer) int { return Serve([]string{"--database-connections", "0"}, e) }, 2, "--database-connections must be at least 1"},
		"serve --help":                                {func(_, e io.Writer) int { return Serve([]string{"--help"}, e) }, 0, "-listen"},
		"serve --help explains the database argument": {func(_, e io.Writer) int { return Serve([]string{"--help"}, e) }, 0, "postgres://USER@HOST:PORT/DBNAME"},
		"token create --help names the key flag":      {func(o, e io.Writer) int { return Token([]string{"create", "--help"}, o, e) }, 0, "-secret-key-file"},
		"a server on PostgreSQL without a secret key": {func(_, e io.Writer) int {
			return Serve([]string{"--listen", "127.0.0.1:0", "--database", "postgres://engage:hunter2@127.0.0.1:1/engage"}, e)
		}, 1, "give it with --secret-key-file FILE or ENGAGE_SECRET_KEY"},
		"token list on a database that does not exist": {func(o, e io.Writer) int {
			return Token([]string{"list", "--database", filepath.Join(t.TempDir(), "typo.db")}, o, e)
		}, 1, "typo.db: give --database the server's database"},
		"the allowlist recovery on a database that does not exist": {func(o, e io.Writer) int {
			return Admin([]string{"allowlists", "disable-all", "--database", filepath.Join(t.TempDir(), "typo.db")}, o, e)
		}, 1, "typo.db: give --database the server's database"},
		"a libpq connection string": {func(o, e io.Writer) int {
			return Token([]string{"create", "--name", "x", "--database", "host=127.0.0.1 dbname=engage password=hunter2"}, o, e)
		}, 1, "looks like a libpq connection string (host=... dbname=...); give a URL: postgres://USER@HOST:PORT/DBNAME"},
		"a secret key file that is not a key": {func(o, e io.Writer) int {
			keyFile := filepath.Join(t.TempDir(), "bad.key")
			if err := os.WriteFile(keyFile, []byte("not-base64-canary"), 0o600); err != nil {
				t.Fatal(err)
			}
			return Token([]string{"create", "--database", filepath.Join(t.TempDir(), "s.db"), "--secret-key-file", keyFile, "--name", "x"}, o, e)
		}, 1, "must hold 32 random bytes in standard base64"},
		"a database URL of another kind": {func(o, e io.Writer) int {
			return Token([]string{"create", "--database", "mysql://root:hunter2@db/engage", "--name", "x"}, o, e)
		}, 1, `unsupported database URL scheme "mysql"`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			if code := tc.run(&stdout, &stderr); code != tc.code || !strings.Contains(stderr.String(), tc.want) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, stderr.String(), tc.code, tc.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("nothing but a token belongs on stdout, got %q", stdout.String())
			}
			for _, secret := range []string{"hunter2", "canary"} {
				if strings.Contains(stderr.String(), secret) {
					t.Errorf("stderr repeats a secret (%s): %q", secret, stderr.String())
				}
			}
		})
	}
}

// Not parallel: it sets the environment.
func TestTheSecretKeyComesFromTheFlagElseTheEnvironment(t *testing.T) {
	fromEnv := bytes.Repeat([]byte{1}, store.SecretKeySize)
	fromFile := bytes.Repeat([]byte{2}, store.SecretKeySize)
	keyFile := filepath.Join(t.TempDir(), "secret.key")
	if err := os.WriteFile(keyFile, []byte(base64.StdEncoding.EncodeToString(fromFile)), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvSecretKey, " "+base64.StdEncoding.EncodeToString(fromEnv)+"\n")
	if got, err := (databaseFlags{}).secretKey(); err != nil || !bytes.Equal(got, fromEnv) {
		t.Errorf("with %s alone: %v, %v; want its key", EnvSecretKey, got, err)
	}
	if got, err := (databaseFlags{secretKeyFile: keyFile}).secretKey(); err != nil || !bytes.Equal(got, fromFile) {
		t.Errorf("with both: %v, %v; want the file's key", got, err)
	}
	t.Setenv(EnvSecretKey, base64.StdEncoding.EncodeToString([]byte("short")))
	if _, err := (databaseFlags{}).secretKey(); err == nil || !strings.Contains(err.Error(), EnvSecretKey+" must hold 32 random bytes") {
		t.Errorf("a short key: %v", err)
	}
	t.Setenv(EnvSecretKey, "")
	if got, err := (databaseFlags{}).secretKey(); err != nil || got != nil {
		t.Errorf("with neither: %v, %v; want none", got, err)
	}
}

// Probe finding: the server accepted connections without bound and, under
// a low open-file limit, failed with "accept4: too many open files". Past
// --max-connections a connection waits to be served instead.
func TestServeBoundsItsOpenConnections(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "server.db")
	srv := startServer(t, serveFlags{databaseFlags: databaseFlags{database: db}, maxConnections: 2})
	defer srv.stop(t)
	addr := strings.TrimPrefix(srv.base, "http://")
	// request sends a GET on a fresh connection and reports whether an
	// answer came within wait.
	request := func(conn net.Conn, wait time.Duration) bool {
		_ = conn.SetDeadline(time.Now().Add(wait))
		if _, err := io.WriteString(conn, "GET /v1/permissions HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			return false
		}
		buf := make([]byte, 12)
		_, err := io.ReadFull(conn, buf)
		return err == nil && strings.HasPrefix(string(buf), "HTTP/1.1 ")
	}
	var held []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if !request(c, 5*time.Second) {
			t.Fatal("a connection within the limit was not served")
		}
		held = append(held, c) // kept open: keep-alive holds its slot
	}
	third, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	if request(third, 300*time.Millisecond) {
		t.Fatal("a third connection was served while two were open, with --max-connections 2")
	}
	held[0].Close()
	_ = third.SetDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 12)
	if _, err := io.ReadFull(third, buf); err != nil || !strings.HasPrefix(string(buf), "HTTP/1.1 ") {
		t.Fatalf("the waiting connection was not served once a slot was free: %q %v", buf, err)
	}
}
