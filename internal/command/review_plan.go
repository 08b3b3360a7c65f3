package command

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/client"
	"github.com/engage-oss/terraform-provider-engage/internal/planreview"
	"github.com/engage-oss/terraform-provider-engage/internal/store"
)

const reviewPlanUsage = `Usage: terraform-provider-engage review-plan [flags] PLAN

Reports what a Terraform plan does to access on Engage: who gains and loses
which permissions (dependencies included), roles, the networks that can
reach the console, export paths, masked columns and security settings,
with findings a reviewer should look at. PLAN is the JSON of a saved plan,
a file or - for standard input:

  terraform plan -out=tfplan
  terraform show -json tfplan > plan.json
  terraform-provider-engage review-plan plan.json

With a backend (the provider's environment: ENGAGE_ENDPOINT and
ENGAGE_API_TOKEN, or ENGAGE_EMBEDDED_PATH; or the flags below) it also reads
the account to resolve what the plan alone cannot: roles referenced by a
literal id, users outside this configuration who hold a changed role,
allowlists outside it. The token is read only from ENGAGE_API_TOKEN.

Exit status: 0, or 3 when a finding is at or above --fail-on; 2 for bad
input; 1 when the backend cannot be read.

Flags:
`

// Exit statuses of review-plan.
const (
	reviewExitFindings = 3
	reviewExitUsage    = 2
	reviewExitBackend  = 1
)

type reviewFlags struct {
	format, failOn, endpoint, embeddedPath, caCertFile string
	maxAdmins                                          int
	stderr                                             io.Writer
}

// ReviewPlan runs `review-plan`; it returns the process exit code.
func ReviewPlan(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("review-plan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, reviewPlanUsage); fs.PrintDefaults() }
	f := reviewFlags{stderr: stderr}
	fs.StringVar(&f.format, "format", "markdown", "output format: markdown (a pull request comment) or json (for policies)")
	fs.StringVar(&f.failOn, "fail-on", "never", "exit 3 when a finding is at or above this severity: high, medium, low or never")
	fs.IntVar(&f.maxAdmins, "max-admins", access.DefaultMaxAdmins, "how many people may hold every permission before admin_count_exceeded fires")
	fs.StringVar(&f.endpoint, "endpoint", os.Getenv("ENGAGE_ENDPOINT"), "REST API to read the account from (default $ENGAGE_ENDPOINT); the token comes from $ENGAGE_API_TOKEN")
	fs.StringVar(&f.embeddedPath, "embedded-path", os.Getenv("ENGAGE_EMBEDDED_PATH"), "embedded database to read the account from (default $ENGAGE_EMBEDDED_PATH)")
	fs.StringVar(&f.caCertFile, "ca-cert-file", os.Getenv("ENGAGE_CA_CERT_FILE"), "PEM file of CA certificates to trust for --endpoint")
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return exitUsage(err)
	}
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, "review-plan: "+format+"\n", a...)
		return code
	}
	if len(positional) != 1 {
		fs.Usage()
		return fail(reviewExitUsage, "give exactly one PLAN (a file, or - for standard input), got %d", len(positional))
	}
	if f.format != "markdown" && f.format != "json" {
		return fail(reviewExitUsage, "--format must be markdown or json, not %q", f.format)
	}
	if f.failOn != "never" && planreview.SeverityRank(f.failOn) == 0 {
		return fail(reviewExitUsage, "--fail-on must be high, medium, low or never, not %q", f.failOn)
	}
	if f.maxAdmins < 0 {
		return fail(reviewExitUsage, "--max-admins must be 0 or more, not %d", f.maxAdmins)
	}
	planJSON, err := readPlan(positional[0], stdin)
	if err != nil {
		return fail(reviewExitUsage, "%v", err)
	}
	ctx := context.Background()
	opts := planreview.Options{MaxAdmins: f.maxAdmins}
	if code, err := f.readAccount(ctx, &opts); err != nil {
		return fail(code, "%v", err)
	}
	report, err := planreview.Review(planJSON, opts)
	if err != nil {
		var inputErr *planreview.InputError
		if errors.As(err, &inputErr) {
			return fail(reviewExitUsage, "%s: %v", positional[0], err)
		}
		return fail(reviewExitBackend, "%v", err)
	}
	if f.format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false) // names stay as written; the Markdown escapes them
		err = enc.Encode(report)
	} else {
		err = planreview.RenderMarkdown(stdout, report)
	}
	if err != nil {
		return fail(reviewExitBackend, "writing the report: %v", err)
	}
	if f.failOn != "never" && planreview.SeverityRank(report.HighestSeverity) >= planreview.SeverityRank(f.failOn) {
		return reviewExitFindings
	}
	return 0
}

// parseInterspersed parses flags before and after the positional
// arguments (review-plan plan.json --format json), as users write them.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// maxPlanBytes bounds what review-plan reads: the JSON of a plan of 5,000
// objects is about 10 MiB.
const maxPlanBytes = 1 << 30

func readPlan(name string, stdin io.Reader) ([]byte, error) {
	r := stdin
	if name != "-" {
		file, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("reading the plan: %w", err)
		}
		defer file.Close()
		r = file
	}
	data, err := io.ReadAll(io.LimitReader(r, maxPlanBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading the plan: %w", err)
	}
	if len(data) > maxPlanBytes {
		return nil, fmt.Errorf("the plan is larger than %d bytes", maxPlanBytes)
	}
	return data, nil
}

// readAccount opens the backend the flags or the environment name, if
// any, and reads the account into opts.
func (f reviewFlags) readAccount(ctx context.Context, opts *planreview.Options) (int, error) {
	switch {
	case f.endpoint != "" && f.embeddedPath != "":
		return reviewExitUsage, errors.New("give one backend: --endpoint (ENGAGE_ENDPOINT) or --embedded-path (ENGAGE_EMBEDDED_PATH), not both")
	case f.endpoint == "" && f.embeddedPath == "" && os.Getenv("ENGAGE_API_TOKEN") != "":
		// Most likely an endpoint variable that CI left empty: say so
		// rather than review silently from the plan alone.
		fmt.Fprintln(f.stderr, "review-plan: warning: ENGAGE_API_TOKEN is set but no endpoint (ENGAGE_ENDPOINT or --endpoint): reviewing from the plan alone")
		return 0, nil
	case f.endpoint != "":
		token := os.Getenv("ENGAGE_API_TOKEN")
		if strings.TrimSpace(token) == "" {
			return reviewExitUsage, errors.New("--endpoint needs a token in ENGAGE_API_TOKEN (a token with the access:read scope is enough)")
		}
		c, err := client.New(client.Config{Endpoint: f.endpoint, Token: token, CACertFile: f.caCertFile,
			UserAgent: "terraform-provider-engage review-plan"})
		if err != nil {
			return reviewExitUsage, err
		}
		opts.Backend = "rest"
		return readInto(ctx, c, opts)
	case f.embeddedPath != "":
		// Open would create a missing database: an empty account would
		// make every role look unknown.
		if _, err := os.Stat(f.embeddedPath); err != nil {
			return reviewExitUsage, fmt.Errorf("no embedded database at %s: %w", f.embeddedPath, err)
		}
		s, err := store.Open(ctx, f.embeddedPath)
		if err != nil {
			return reviewExitUsage, fmt.Errorf("%s is not an embedded Engage database: %w", f.embeddedPath, err)
		}
		defer s.Close()
		opts.Backend = "embedded"
		return readInto(ctx, s, opts)
	}
	return 0, nil
}

func readInto(ctx context.Context, svc access.Service, opts *planreview.Options) (int, error) {
	account, err := access.ReadAccountSnapshot(ctx, svc)
	if errors.Is(err, access.ErrNotFound) {
		// A list never answers "not found" from the API itself.
		return reviewExitBackend, fmt.Errorf("reading the account: the endpoint has no Engage API there (404 on a list); give the API's base URL, e.g. https://api.engage.example, without /v1")
	}
	if err != nil {
		return reviewExitBackend, fmt.Errorf("reading the account: %w", err)
	}
	opts.Account = &account
	return 0, nil
}
