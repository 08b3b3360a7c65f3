package command

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// runToken runs `token args... <database flags>` and returns its exit code
// and outputs.
func runToken(t *testing.T, db databaseFlags, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Token(append(args, db.args()...), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestTokenLifecycleFromTheCommandLine(t *testing.T) {
	t.Parallel()
	forEachDatabase(t, func(t *testing.T, db databaseFlags) {
		ctx := context.Background()
		code, ciToken, stderr := runToken(t, db, "create", "--name", "ci", "--scopes", "access:read", "--expires-in", "90d")
		if code != 0 {
			t.Fatalf("token create --expires-in 90d: exit %d: %s", code, stderr)
		}
		ciToken = strings.TrimSpace(ciToken)
		if code, _, stderr := runToken(t, db, "create", "--name", "deploy"); code != 0 {
			t.Fatalf("token create: exit %d: %s", code, stderr)
		}
		st, err := db.open(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if _, err := st.LookupAPIToken(ctx, ciToken); err != nil { // records a use
			t.Fatal(err)
		}

		code, list, stderr := runToken(t, db, "list")
		if code != 0 {
			t.Fatalf("token list: exit %d: %s", code, stderr)
		}
		lines := strings.Split(strings.TrimSpace(list), "\n")
		if len(lines) != 3 || !regexp.MustCompile(`^NAME\s+SCOPES\s+CREATED\s+EXPIRES\s+LAST USED$`).MatchString(lines[0]) {
			t.Fatalf("token list printed:\n%s\nwant a header and two tokens", list)
		}
		expiry := time.Now().Add(90 * 24 * time.Hour).UTC().Format("2006-01-02")
		if !regexp.MustCompile(`^ci\s+access:read\s+\S+Z\s+` + expiry + `T\S+Z\s+\S+Z$`).MatchString(lines[1]) {
			t.Errorf("ci's line %q; want its scope, creation, expiry in 90 days and a last use", lines[1])
		}
		if !regexp.MustCompile(`^deploy\s+access:read,access:write\s+\S+Z\s+never\s+never$`).MatchString(lines[2]) {
			t.Errorf("deploy's line %q; want both scopes, no expiry and no use", lines[2])
		}
		if strings.Contains(list, strings.TrimPrefix(ciToken, "eng_")) {
			t.Errorf("token list shows a token")
		}

		code, out, stderr := runToken(t, db, "revoke", "ci")
		if code != 0 || !strings.Contains(out, `revoked API token "ci"`) {
			t.Fatalf("token revoke ci: exit %d, %q, %s", code, out, stderr)
		}
		if _, err := st.LookupAPIToken(ctx, ciToken); !errors.Is(err, access.ErrUnauthorized) {
			t.Errorf("the revoked token: %v; want ErrUnauthorized", err)
		}
		code, _, stderr = runToken(t, db, "revoke", "ci")
		if code != 1 || !strings.Contains(stderr, `API token "ci" not found`) {
			t.Errorf("revoking it again: exit %d, %q; want 1 and not found", code, stderr)
		}
	})
}

func TestTokenRevokeTakesTheNameBeforeOrAfterTheFlags(t *testing.T) {
	t.Parallel()
	db := testDatabases[0].flags(t)
	for _, name := range []string{"before", "after"} {
		if code, _, stderr := runToken(t, db, "create", "--name", name); code != 0 {
			t.Fatalf("token create: %s", stderr)
		}
	}
	var stdout, stderr bytes.Buffer
	if code := Token(append([]string{"revoke", "before"}, db.args()...), &stdout, &stderr); code != 0 {
		t.Errorf("revoke NAME --database ...: exit %d: %s", code, stderr.String())
	}
	if code := Token(append(append([]string{"revoke"}, db.args()...), "after"), &stdout, &stderr); code != 0 {
		t.Errorf("revoke --database ... NAME: exit %d: %s", code, stderr.String())
	}
	for _, args := range [][]string{{"revoke"}, {"revoke", "a", "b"}} {
		stderr.Reset()
		if code := Token(append(args, db.args()...), &stdout, &stderr); code != 2 {
			t.Errorf("%v: exit %d, want 2 (usage): %s", args, code, stderr.String())
		}
	}
}

func TestParseExpiresIn(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{"720h": 720 * time.Hour, "90d": 90 * 24 * time.Hour, "1h30m": 90 * time.Minute} {
		if got, err := parseExpiresIn(in); err != nil || got != want {
			t.Errorf("parseExpiresIn(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"", "d", "1.5d", "soon", "0h", "-1d"} {
		if _, err := parseExpiresIn(in); err == nil {
			t.Errorf("parseExpiresIn(%q) accepted it", in)
		}
	}
}

// Tokens and the allowlist recovery touch no secret, so they run on a
// PostgreSQL database without its secret key: whoever can reach the
// database can recover from a lockout. (They needed the key, and the exact
// one, before.)
func TestTokenAndAdminCommandsNeedNoSecretKey(t *testing.T) {
	t.Parallel()
	forEachDatabase(t, func(t *testing.T, db databaseFlags) {
		// The server, with the key, seals its key check first.
		st, err := db.open(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		_ = st.Close()
		keyless := databaseFlags{database: db.database}
		if code, _, stderr := runToken(t, keyless, "create", "--name", "ci"); code != 0 {
			t.Fatalf("token create without the key: exit %d: %s", code, stderr)
		}
		if code, list, stderr := runToken(t, keyless, "list"); code != 0 || !strings.Contains(list, "ci") {
			t.Fatalf("token list without the key: exit %d: %s%s", code, list, stderr)
		}
		var stdout, stderr bytes.Buffer
		if code := Admin(append([]string{"allowlists", "disable-all"}, keyless.args()...), &stdout, &stderr); code != 0 {
			t.Fatalf("admin allowlists disable-all without the key: exit %d: %s", code, stderr.String())
		}
	})
}

// token create may make the database (the first token comes before the
// first server), and says so: a mistyped --database shows at once.
func TestTokenCreateSaysWhenItMadeANewDatabase(t *testing.T) {
	t.Parallel()
	db := databaseFlags{database: filepath.Join(t.TempDir(), "server.db")}
	code, _, stderr := runToken(t, db, "create", "--name", "ci")
	if code != 0 || !strings.Contains(stderr, "made a new database at "+db.database) {
		t.Fatalf("exit %d, stderr %q; want a note that it made %s", code, stderr, db.database)
	}
	if code, _, stderr := runToken(t, db, "create", "--name", "deploy"); code != 0 || stderr != "" {
		t.Errorf("the second token: exit %d, stderr %q; want nothing on stderr", code, stderr)
	}
}
