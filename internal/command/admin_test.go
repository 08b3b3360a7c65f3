package command

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// runAdmin runs `admin args... <database flags>`.
func runAdmin(t *testing.T, db databaseFlags, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Admin(append(args, db.args()...), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// An operator whose allowlists exclude every address, their own included,
// recovers with the command while the server runs, and again when it is
// stopped.
func TestAdminAllowlistsDisableAllRecoversALockedOutAccount(t *testing.T) {
	t.Parallel()
	forEachDatabase(t, func(t *testing.T, db databaseFlags) {
		ctx := context.Background()
		st, err := db.open(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		_, token, err := st.CreateAPIToken(ctx, "ops", []string{access.ScopeRead, access.ScopeWrite})
		if err != nil {
			t.Fatal(err)
		}
		lockOut := func(name string) {
			t.Helper()
			// Nobody connects from TEST-NET-3.
			if _, err := st.CreateIPAllowlist(ctx, access.IPAllowlist{Name: name, Enabled: true,
				Entries: []access.AllowlistEntry{{CIDR: "203.0.113.0/24"}, {CIDR: "198.51.100.7/32"}}}); err != nil {
				t.Fatal(err)
			}
		}
		lockOut("Elsewhere")

		srv := startServer(t, serveFlags{databaseFlags: db})
		status := func() int {
			resp := srv.get(t, "/v1/whoami", "Bearer "+token)
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return resp.StatusCode
		}
		if got := status(); got != http.StatusForbidden {
			t.Fatalf("with the account locked out: %d, want 403", got)
		}
		code, out, stderr := runAdmin(t, db, "allowlists", "disable-all")
		if code != 0 || !regexp.MustCompile(`disabled IP allowlist "Elsewhere" \(ipl_[0-9a-f]+, 2 entries\)`).MatchString(out) ||
			!strings.Contains(out, "disabled 1 IP allowlist of ") {
			t.Fatalf("disable-all on a running server: exit %d, %q, %s", code, out, stderr)
		}
		// The server sees the allowlists' generation move at its next
		// request; the deadline allows for a loaded machine.
		deadline := time.Now().Add(3 * time.Second)
		for got := status(); got != http.StatusOK; got = status() {
			if time.Now().After(deadline) {
				t.Fatalf("3 s after disable-all: %d, want 200", got)
			}
			time.Sleep(50 * time.Millisecond)
		}
		srv.stop(t)

		lockOut("Elsewhere too")
		code, out, stderr = runAdmin(t, db, "allowlists", "disable-all")
		if code != 0 || !strings.Contains(out, `disabled IP allowlist "Elsewhere too"`) || strings.Contains(out, `"Elsewhere" (`) {
			t.Fatalf("disable-all on a stopped server: exit %d, %q, %s; want only the newly enabled list", code, out, stderr)
		}
		code, out, _ = runAdmin(t, db, "allowlists", "disable-all")
		if code != 0 || !strings.Contains(out, "nothing to disable") {
			t.Errorf("with nothing enabled: exit %d, %q", code, out)
		}
		if pw, ok := urlPassword(db.database); ok && strings.Contains(out, pw) {
			t.Errorf("the output holds the database password: %q", out)
		}
	})
}

func TestAdminUsage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		code int
	}{{nil, 2}, {[]string{"allowlists"}, 2}, {[]string{"allowlists", "enable-all"}, 2}, {[]string{"--help"}, 0}, {[]string{"allowlists", "disable-all", "--help"}, 0}} {
		var stdout, stderr bytes.Buffer
		if code := Admin(tc.args, &stdout, &stderr); code != tc.code || !strings.Contains(stderr.String(), "Usage: terraform-provider-engage admin allowlists disable-all") {
			t.Errorf("admin %v: exit %d, %q; want %d and the usage", tc.args, code, stderr.String(), tc.code)
		}
	}
}

// Every form of asking admin for help prints its usage and its flags, and
// exits 0 (admin --help had an empty Flags section; admin allowlists --help
// exited 2).
func TestAdminHelpListsItsFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--help"}, {"allowlists", "--help"}, {"allowlists", "disable-all", "--help"}} {
		var stdout, stderr bytes.Buffer
		if code := Admin(args, &stdout, &stderr); code != 0 || !strings.Contains(stderr.String(), "-database") {
			t.Errorf("admin %v: exit %d, %q; want 0 and the flags", args, code, stderr.String())
		}
	}
}
