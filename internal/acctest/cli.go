package acctest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
)

// ProviderSource is the provider's source address, as CLI configurations
// require it.
const ProviderSource = "registry.terraform.io/engage-oss/engage"

// CLI runs the acceptance tests' terraform (TF_ACC_TERRAFORM_PATH) in a
// working folder of its own, with the backend's provider served from this
// test process as terraform-plugin-testing serves it (reattach), for the
// commands a TestStep cannot express: terraform-plugin-testing v1.16 has no
// way to pass `apply -invoke`. The configuration and the provider are the
// same as the steps': one provider instance per command, talking to the
// backend the test set up.
type CLI struct {
	// Dir holds main.tf, the state and .terraform.
	Dir     string
	path    string
	backend *Backend
}

// NewCLI returns a CLI over b in a new temporary folder. It skips the test
// unless TF_ACC is set, like an acceptance test.
func NewCLI(t *testing.T, b *Backend) *CLI {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("runs terraform: set TF_ACC=1 and TF_ACC_TERRAFORM_PATH")
	}
	path := terraformPath()
	if path == "" {
		t.Fatal("set TF_ACC_TERRAFORM_PATH to the terraform executable")
	}
	return &CLI{Dir: t.TempDir(), path: path, backend: b}
}

// WriteConfig writes main.tf: a terraform block requiring the provider,
// then body.
func (c *CLI) WriteConfig(t *testing.T, body string) {
	t.Helper()
	hcl := fmt.Sprintf("terraform {\n  required_providers {\n    engage = {\n      source = %q\n    }\n  }\n}\n\n%s\n",
		strings.TrimPrefix(ProviderSource, "registry.terraform.io/"), body)
	if err := os.WriteFile(filepath.Join(c.Dir, "main.tf"), []byte(hcl), 0o600); err != nil {
		t.Fatal(err)
	}
}

// Version is the version terraform reports, for tests of features newer than
// the oldest version the suite runs on (what tfversion.SkipBelow does in a
// TestCase).
func (c *CLI) Version(t *testing.T) *version.Version {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), c.path, "version", "-json").Output()
	if err != nil {
		t.Fatalf("terraform version: %v", err)
	}
	var v struct {
		TerraformVersion string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("reading terraform version -json: %v", err)
	}
	parsed, err := version.NewVersion(v.TerraformVersion)
	if err != nil {
		t.Fatalf("terraform version %q: %v", v.TerraformVersion, err)
	}
	return parsed
}

// Result is how one terraform command ended.
type Result struct {
	Args           []string
	Stdout, Stderr string
	Err            error // nil on exit code 0
}

func (r Result) String() string {
	return fmt.Sprintf("terraform %s: %v\n--- stdout\n%s\n--- stderr\n%s", strings.Join(r.Args, " "), r.Err, r.Stdout, r.Stderr)
}

// Run runs terraform with args (-input=false and -no-color are added where
// they apply) while serving a fresh provider instance for it.
func (c *CLI) Run(t *testing.T, args ...string) Result {
	t.Helper()
	args = automationFlags(args)
	reattach, stop := c.serve(t)
	defer stop()
	cmd := exec.CommandContext(t.Context(), c.path, args...)
	cmd.Dir = c.Dir
	cmd.Env = append(os.Environ(), "TF_REATTACH_PROVIDERS="+reattach, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return Result{Args: args, Stdout: stdout.String(), Stderr: stderr.String(), Err: err}
}

// MustRun runs terraform and fails the test unless it exits 0.
func (c *CLI) MustRun(t *testing.T, args ...string) Result {
	t.Helper()
	r := c.Run(t, args...)
	if r.Err != nil {
		t.Fatal(r)
	}
	return r
}

// serve starts the backend's provider on a local socket in debug mode and
// returns its TF_REATTACH_PROVIDERS value and a function that stops it.
func (c *CLI) serve(t *testing.T) (string, func()) {
	t.Helper()
	server, err := c.backend.Factories["engage"]()
	if err != nil {
		t.Fatalf("starting the provider: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	configs := make(chan *plugin.ReattachConfig, 1)
	closed := make(chan struct{})
	serveErr := make(chan error, 1)
	go func() {
		serveErr <- tf6server.Serve(ProviderSource, func() tfprotov6.ProviderServer { return server },
			tf6server.WithDebug(ctx, configs, closed),
			tf6server.WithGoPluginLogger(hclog.NewNullLogger()),
			tf6server.WithoutLogStderrOverride(),
			// The provider's logs go where terraform-plugin-testing sends
			// them (TF_LOG_PATH_MASK and friends; nowhere by default), not
			// to the test's stderr at trace level.
			tf6server.WithLoggingSink(t))
	}()
	var cfg *plugin.ReattachConfig
	select {
	case cfg = <-configs:
	case err := <-serveErr:
		cancel()
		t.Fatalf("serving the provider: %v", err)
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatal("the provider did not start serving within 10s")
	}
	type addr struct{ Network, String string }
	type reattachConfig struct {
		Protocol        string
		ProtocolVersion int
		Pid             int
		Test            bool
		Addr            addr
	}
	b, err := json.Marshal(map[string]reattachConfig{ProviderSource: {
		Protocol: string(cfg.Protocol), ProtocolVersion: cfg.ProtocolVersion, Pid: cfg.Pid, Test: cfg.Test,
		Addr: addr{Network: cfg.Addr.Network(), String: cfg.Addr.String()},
	}})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	return string(b), func() {
		cancel()
		<-closed
	}
}

// automationFlags adds -input=false and -no-color to the commands that take
// them, so terraform never waits for a prompt and prints plain text.
func automationFlags(args []string) []string {
	if len(args) == 0 {
		return args
	}
	switch args[0] {
	case "init", "apply", "plan", "destroy":
		return append([]string{args[0], "-input=false", "-no-color"}, args[1:]...)
	case "show", "output", "validate", "query":
		return append([]string{args[0], "-no-color"}, args[1:]...)
	}
	return args
}

// terraformPath is the binary terraform-plugin-testing runs:
// TF_ACC_TERRAFORM_PATH, else terraform on PATH; "" when there is none.
func terraformPath() string {
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		return p
	}
	p, _ := exec.LookPath("terraform")
	return p
}

// SkipOnOpenTofu skips t when the acceptance tests run on OpenTofu, saying
// why. terraform-plugin-testing's version checks compare version numbers
// only and cannot tell OpenTofu from Terraform, and OpenTofu lacks features
// Terraform has under the same or lower numbers (actions and list resources,
// Terraform 1.14). OpenTofu is recognised as `make test-tofu` serves it,
// under TF_ACC_PROVIDER_HOST=registry.opentofu.org, or else by the
// "OpenTofu v..." line of the binary's `version` output.
func SkipOnOpenTofu(t *testing.T, why string) {
	t.Helper()
	if OnOpenTofu() {
		t.Skip("skipped on OpenTofu: " + why)
	}
}

// OnOpenTofu reports whether the acceptance tests run on OpenTofu (see
// SkipOnOpenTofu), for tests that expect something else there.
func OnOpenTofu() bool {
	return os.Getenv("TF_ACC_PROVIDER_HOST") == "registry.opentofu.org" || isOpenTofu(terraformPath())
}

var openTofuBinaries sync.Map // path -> bool

func isOpenTofu(path string) bool {
	if path == "" || os.Getenv("TF_ACC") == "" {
		return false // no acceptance run: the test skips itself anyway
	}
	if v, ok := openTofuBinaries.Load(path); ok {
		tofu, _ := v.(bool) // the map holds only bools
		return tofu
	}
	out, _ := exec.Command(path, "version").Output()
	// The version line may follow a warning (about the CLI configuration,
	// say), so every line is looked at.
	tofu := slices.ContainsFunc(strings.Split(string(out), "\n"), func(line string) bool { return strings.HasPrefix(line, "OpenTofu v") })
	openTofuBinaries.Store(path, tofu)
	return tofu
}
