package command

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// twoFactorOffPlan is the smallest plan with a high finding: two-factor
// turned off. Its configuration holds a provider token and its credential a
// secret, which no output may show.
const twoFactorOffPlan = `{
  "format_version": "1.2", "terraform_version": "1.11.4",
  "resource_changes": [
    {"address": "engage_security_settings.account", "mode": "managed", "type": "engage_security_settings", "name": "account",
     "change": {"actions": ["update"],
       "before": {"id": "account", "require_two_factor": true, "session_timeout_minutes": 1440, "campaign_approval_required": false, "sso": null},
       "after": {"id": "account", "require_two_factor": false, "session_timeout_minutes": 1440, "campaign_approval_required": false, "sso": null},
       "after_unknown": {}}},
    {"address": "engage_transfer_credential.sftp", "mode": "managed", "type": "engage_transfer_credential", "name": "sftp",
     "change": {"actions": ["create"], "before": null,
       "after": {"name": "sftp_prod", "username": "exporter", "secret_wo": "PLAN-SECRET-VALUE", "secret_wo_version": 1},
       "after_unknown": {"id": true}, "after_sensitive": {"secret_wo": true}}}
  ],
  "configuration": {"provider_config": {"engage": {"name": "engage", "expressions": {"api_token": {"constant_value": "eng_CONFIG-TOKEN-VALUE"}}}},
    "root_module": {}}
}`

const cleanPlan = `{"format_version": "1.2", "terraform_version": "1.11.4", "resource_changes": []}`

func writePlan(t *testing.T, doc string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "plan.json")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func runReview(args []string, stdin string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = ReviewPlan(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// noBackend keeps the environment's backend, if any, out of a test.
var noBackend = []string{"--endpoint", "", "--embedded-path", ""}

func TestReviewPlanExitStatus(t *testing.T) {
	t.Parallel()
	high, clean := writePlan(t, twoFactorOffPlan), writePlan(t, cleanPlan)
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"a high finding, --fail-on high", []string{"--fail-on", "high", high}, 3},
		{"a high finding, --fail-on low", []string{"--fail-on=low", high}, 3},
		{"a high finding, the default never", []string{high}, 0},
		{"flags after the plan", []string{high, "--format", "json", "--fail-on", "medium"}, 3},
		{"a clean plan, --fail-on low", []string{"--fail-on", "low", clean}, 0},
	}
	for _, tt := range tests {
		if code, _, stderr := runReview(append(append([]string{}, noBackend...), tt.args...), ""); code != tt.want {
			t.Errorf("%s: exit %d, want %d (stderr %q)", tt.name, code, tt.want, stderr)
		}
	}
}

func TestReviewPlanBadInputExits2WithAMessage(t *testing.T) {
	t.Parallel()
	plan := writePlan(t, cleanPlan)
	tests := []struct {
		name  string
		args  []string
		stdin string
		want  string
	}{
		{"no plan", nil, "", "give exactly one PLAN"},
		{"two plans", []string{plan, plan}, "", "give exactly one PLAN"},
		{"a missing file", []string{filepath.Join(t.TempDir(), "nope.json")}, "", "reading the plan"},
		{"the text of a plan", []string{"-"}, "Terraform will perform the following actions:", "not a JSON object (is it the text output of terraform plan?)"},
		{"a state", []string{"-"}, `{"format_version": "1.0", "values": {"root_module": {}}}`, "the JSON of a state, not of a plan"},
		{"a bad format", []string{"--format", "xml", plan}, "", `--format must be markdown or json, not "xml"`},
		{"a bad severity", []string{"--fail-on", "critical", plan}, "", `--fail-on must be high, medium, low or never, not "critical"`},
		{"a negative max", []string{"--max-admins", "-1", plan}, "", "--max-admins must be 0 or more"},
		{"an unknown flag", []string{"--colour", plan}, "", "flag provided but not defined: -colour"},
		{"a missing database", []string{"--embedded-path", filepath.Join(t.TempDir(), "none.db"), plan}, "", "no embedded database at"},
		{"two backends", []string{"--embedded-path", "x.db", "--endpoint", "http://127.0.0.1:1", plan}, "", "give one backend"},
	}
	for _, tt := range tests {
		args := tt.args
		if !strings.Contains(strings.Join(args, " "), "--e") {
			args = append(append([]string{}, noBackend...), args...)
		}
		code, stdout, stderr := runReview(args, tt.stdin)
		if code != 2 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 and %q", tt.name, code, stderr, tt.want)
		}
		if stdout != "" {
			t.Errorf("%s: stdout %q, want nothing", tt.name, stdout)
		}
	}
}

func TestReviewPlanReadsStandardInput(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := runReview(append(append([]string{}, noBackend...), "--format", "json", "-"), twoFactorOffPlan)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var report struct {
		SchemaVersion   int    `json:"schema_version"`
		HighestSeverity string `json:"highest_severity"`
		Findings        []struct {
			Check string `json:"check"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(stdout), &report); err != nil {
		t.Fatalf("decoding %s: %v", stdout, err)
	}
	if report.SchemaVersion != 1 || report.HighestSeverity != "high" || len(report.Findings) != 1 || report.Findings[0].Check != "two_factor_disabled" {
		t.Errorf("report = %+v", report)
	}
}

// No output, in either format, and no error shows a secret: the plan's
// write-only secret, the configuration's token, or the environment's.
func TestReviewPlanNeverShowsASecret(t *testing.T) {
	plan := writePlan(t, twoFactorOffPlan)
	for _, format := range []string{"markdown", "json"} {
		_, stdout, stderr := runReview(append(append([]string{}, noBackend...), "--format", format, plan), "")
		for _, secret := range []string{"PLAN-SECRET-VALUE", "CONFIG-TOKEN-VALUE"} {
			if strings.Contains(stdout+stderr, secret) {
				t.Errorf("--format %s shows %s:\n%s%s", format, secret, stdout, stderr)
			}
		}
		if !strings.Contains(strings.ReplaceAll(stdout, `\_`, "_"), "sftp_prod") { // Markdown escapes _
			t.Errorf("--format %s does not list the new credential:\n%s", format, stdout)
		}
	}

	// A backend that cannot be reached: exit 1, and the token is not in
	// the error.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "http://" + ln.Addr().String()
	ln.Close()
	t.Setenv("ENGAGE_API_TOKEN", "eng_ENV-TOKEN-VALUE")
	code, stdout, stderr := runReview([]string{"--endpoint", endpoint, "--embedded-path", "", plan}, "")
	if code != 1 || !strings.Contains(stderr, "reading the account") {
		t.Errorf("unreachable backend: exit %d, stderr %q; want 1 and a message", code, stderr)
	}
	if strings.Contains(stdout+stderr, "ENV-TOKEN-VALUE") {
		t.Errorf("the token shows: %s%s", stdout, stderr)
	}
}

func TestReviewPlanWarnsOfATokenWithoutEndpoint(t *testing.T) {
	t.Setenv("ENGAGE_API_TOKEN", "eng_SOME-TOKEN")
	code, _, stderr := runReview([]string{"--endpoint", "", "--embedded-path", "", writePlan(t, cleanPlan)}, "")
	if code != 0 || !strings.Contains(stderr, "ENGAGE_API_TOKEN is set but no endpoint") || strings.Contains(stderr, "SOME-TOKEN") {
		t.Errorf("exit %d, stderr %q; want 0 and a warning without the token", code, stderr)
	}
}

func TestReviewPlanNamesAWrongEndpoint(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	t.Setenv("ENGAGE_API_TOKEN", "eng_SOME-TOKEN")
	code, _, stderr := runReview([]string{"--endpoint", srv.URL + "/v1", "--embedded-path", "", writePlan(t, cleanPlan)}, "")
	if code != 1 || !strings.Contains(stderr, "without /v1") {
		t.Errorf("exit %d, stderr %q; want 1 and a hint at the base URL", code, stderr)
	}
}

func TestReviewPlanRefusesAFileThatIsNoDatabase(t *testing.T) {
	t.Parallel()
	notDB := writePlan(t, "not a database")
	code, _, stderr := runReview([]string{"--endpoint", "", "--embedded-path", notDB, writePlan(t, cleanPlan)}, "")
	if code != 2 || !strings.Contains(stderr, "is not an embedded Engage database") {
		t.Errorf("exit %d, stderr %q; want 2", code, stderr)
	}
}
