// Package e2e runs the real provider binary under the real terraform CLI, the
// way users run it: a built plugin installed from a local filesystem mirror,
// one working folder per configuration, terraform as a child process. It is
// the shared harness of the end-to-end fault tests (crash, concurrency) and
// of the benchmarks.
//
// Usage, from a _test.go file:
//
//	func TestMain(m *testing.M) { os.Exit(e2e.Main(m)) }
//
//	func TestSomething(t *testing.T) {
//		tf := e2e.Setup(t) // skips unless TF_ACC is set; builds the provider once
//		w := tf.NewWorkdir(t, e2e.Embedded(filepath.Join(t.TempDir(), "engage.db")))
//		w.WriteConfig(t, `resource "engage_role" "r" { ... }`)
//		w.MustRun(t, "init")
//		w.MustRun(t, "apply", "-auto-approve")
//	}
//
// Start runs a command in the background and finds the provider processes
// terraform starts, so that a test can kill one (ProviderPIDs, Kill) or
// measure its memory and CPU (WatchProviders, PeakRSS, CPUTime). State reads the
// resulting state. Everything takes testing.TB, so benchmarks use it too
// (with TF_ACC set).
package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/store"
)

// Source address and version of the provider as the test configurations
// require it; the GNUmakefile's `make build` uses the same mirror layout.
const (
	ProviderSource  = "registry.terraform.io/engage-oss/engage"
	ProviderVersion = "0.0.1"
)

// binaryName is the name of our provider's executable; pluginPrefix starts
// that of every provider's, however terraform installed it: ours, and a
// peer the benchmark installs beside it (WithMirror), whose memory and CPU
// it measures the same way.
const (
	binaryName   = "terraform-provider-engage"
	pluginPrefix = "terraform-provider-"
)

// Terraform is the terraform CLI set up to install the freshly built provider.
type Terraform struct {
	// Path is the terraform executable (TF_ACC_TERRAFORM_PATH).
	Path string
	// CLIConfig is the CLI configuration file: a filesystem mirror holding
	// only our provider (and those WithMirror adds), which init links into
	// each working folder.
	CLIConfig string
	// ProviderBinary is the built provider inside the mirror.
	ProviderBinary string
	// mirrors are the filesystem mirrors CLIConfig names: ours, then any
	// WithMirror added.
	mirrors []mirror
}

// mirror is a filesystem mirror and the provider sources terraform installs
// from it.
type mirror struct {
	path    string
	sources []string
}

var build struct {
	once sync.Once
	dir  string
	tf   Terraform
	err  error
}

// Main runs the tests and then removes the provider build; call it from
// TestMain: os.Exit(e2e.Main(m)). m is anything that runs the tests (a
// *testing.M, or a function around it: see RunFunc).
func Main(m interface{ Run() int }) int {
	code := m.Run()
	if build.dir != "" {
		_ = os.RemoveAll(build.dir)
	}
	return code
}

// RunFunc runs tests: RunFunc(func() int { return pgtest.Main(m) }) lets
// Main run them through another harness's main.
type RunFunc func() int

// Run runs f.
func (f RunFunc) Run() int { return f() }

// Setup skips the test unless TF_ACC is set (like acceptance tests), fails it
// unless TF_ACC_TERRAFORM_PATH names terraform, and builds the provider, once
// per test binary, into a temporary filesystem mirror.
func Setup(t testing.TB) *Terraform {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("end-to-end tests run terraform: set TF_ACC=1 and TF_ACC_TERRAFORM_PATH")
	}
	tfPath := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tfPath == "" {
		t.Fatal("TF_ACC_TERRAFORM_PATH must name the terraform executable")
	}
	build.once.Do(func() { build.tf, build.err = buildProvider(tfPath) })
	if build.err != nil {
		t.Fatal(build.err)
	}
	tf := build.tf
	return &tf
}

// buildProvider builds the plugin into a filesystem mirror in a new
// temporary folder and writes a CLI configuration that installs it from
// there, and nothing else.
func buildProvider(tfPath string) (Terraform, error) {
	dir, err := os.MkdirTemp("", "engage-e2e-")
	if err != nil {
		return Terraform{}, err
	}
	build.dir = dir
	mirrorDir := filepath.Join(dir, "mirror")
	pluginDir := filepath.Join(mirrorDir, ProviderSource, ProviderVersion, runtime.GOOS+"_"+runtime.GOARCH)
	bin := filepath.Join(pluginDir, binaryName+"_v"+ProviderVersion)
	// The main package is the module root; "go build" resolves it from the
	// test's working directory, which is inside the module.
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-X main.version="+ProviderVersion,
		"-o", bin, "github.com/engage-oss/terraform-provider-engage")
	if out, err := cmd.CombinedOutput(); err != nil {
		return Terraform{}, fmt.Errorf("building the provider: %w\n%s", err, out)
	}
	mirrors := []mirror{{path: mirrorDir, sources: []string{ProviderSource}}}
	cfgPath := filepath.Join(dir, "terraform.rc")
	if err := writeCLIConfig(cfgPath, mirrors); err != nil {
		return Terraform{}, err
	}
	return Terraform{Path: tfPath, CLIConfig: cfgPath, ProviderBinary: bin, mirrors: mirrors}, nil
}

// WithMirror returns a copy of tf whose CLI configuration also installs
// sources (e.g. "registry.terraform.io/hashicorp/time") from the
// filesystem mirror at path, so that a configuration can use another
// provider built on this machine, and init still never reaches a registry.
func (tf *Terraform) WithMirror(t testing.TB, path string, sources ...string) *Terraform {
	t.Helper()
	out := *tf
	out.mirrors = append(slices.Clone(tf.mirrors), mirror{path: path, sources: sources})
	out.CLIConfig = filepath.Join(t.TempDir(), "terraform.rc")
	if err := writeCLIConfig(out.CLIConfig, out.mirrors); err != nil {
		t.Fatal(err)
	}
	return &out
}

// writeCLIConfig writes a CLI configuration that installs each mirror's
// sources from that mirror, and nothing from anywhere else. No
// plugin_cache_dir: init links the unpacked mirror into .terraform anyway,
// and a shared cache makes concurrent inits race.
func writeCLIConfig(path string, mirrors []mirror) error {
	var b strings.Builder
	var all []string
	b.WriteString("provider_installation {\n")
	for _, m := range mirrors {
		fmt.Fprintf(&b, "  filesystem_mirror {\n    path    = %q\n    include = %s\n  }\n", m.path, hclList(m.sources))
		all = append(all, m.sources...)
	}
	fmt.Fprintf(&b, "  direct {\n    exclude = %s\n  }\n}\n", hclList(all))
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// hclList spells strings as an HCL list of quoted strings.
func hclList(items []string) string {
	quoted := make([]string, len(items))
	for i, s := range items {
		quoted[i] = strconv.Quote(s)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}

// Backend says which platform a working folder's provider reaches, through
// the environment, so configurations need no provider block.
type Backend struct {
	// Env is added to terraform's environment (and so the provider's);
	// append to it for TF_LOG, TF_VAR_... and the like.
	Env []string
	// DBPath is the embedded database file; empty for REST.
	DBPath string
	// EmbeddedKey is the base64 encryption key of DBPath (ENGAGE_EMBEDDED_KEY),
	// for tests that open the file themselves; empty for REST.
	EmbeddedKey string
}

// Embedded selects the embedded backend on the database file dbPath, with a
// fixed encryption key (ENGAGE_EMBEDDED_KEY) drawn once per file, so that
// several working folders on one file agree on it without racing to create
// a key file.
func Embedded(dbPath string) Backend {
	key := embeddedKey(dbPath)
	return Backend{
		Env:         []string{"ENGAGE_EMBEDDED_PATH=" + dbPath, "ENGAGE_EMBEDDED_KEY=" + key},
		DBPath:      dbPath,
		EmbeddedKey: key,
	}
}

// REST selects the REST backend at endpoint with token.
func REST(endpoint, token string) Backend {
	return Backend{Env: []string{"ENGAGE_ENDPOINT=" + endpoint, "ENGAGE_API_TOKEN=" + token}}
}

// embeddedKeys remembers the key of each database file, so that every
// Backend on one file carries the same key.
var embeddedKeys = struct {
	sync.Mutex
	byPath map[string]string
}{byPath: map[string]string{}}

func embeddedKey(dbPath string) string {
	embeddedKeys.Lock()
	defer embeddedKeys.Unlock()
	if k, ok := embeddedKeys.byPath[dbPath]; ok {
		return k
	}
	b := make([]byte, store.SecretKeySize)
	_, _ = rand.Read(b) // never fails; see crypto/rand.Read
	k := base64.StdEncoding.EncodeToString(b)
	embeddedKeys.byPath[dbPath] = k
	return k
}

// Workdir is one terraform working folder: a configuration, its state and
// its .terraform folder.
type Workdir struct {
	// Dir holds main.tf and the state.
	Dir     string
	Backend Backend
	tf      *Terraform
}

// NewWorkdir creates an empty working folder in a test temporary folder.
func (tf *Terraform) NewWorkdir(t testing.TB, b Backend) *Workdir {
	t.Helper()
	return &Workdir{Dir: t.TempDir(), Backend: b, tf: tf}
}

// WriteConfig writes main.tf: a terraform block requiring our provider at
// the built version, followed by body.
func (w *Workdir) WriteConfig(t testing.TB, body string) {
	t.Helper()
	hcl := fmt.Sprintf(`terraform {
  required_providers {
    engage = {
      source  = %q
      version = %q
    }
  }
}

%s
`, strings.TrimPrefix(ProviderSource, "registry.terraform.io/"), ProviderVersion, body)
	if err := os.WriteFile(filepath.Join(w.Dir, "main.tf"), []byte(hcl), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Result is how a terraform command ended.
type Result struct {
	Args     []string
	ExitCode int // -1 when terraform did not exit on its own (killed, failed to start)
	Stdout   string
	Stderr   string
	Duration time.Duration
	// CPU is the user and system time of terraform and of the providers it
	// started and waited for.
	CPU time.Duration
	Err error // nil on exit code 0
}

func (r Result) String() string {
	return fmt.Sprintf("terraform %s: exit %d after %s\n--- stdout\n%s\n--- stderr\n%s",
		strings.Join(r.Args, " "), r.ExitCode, r.Duration.Round(time.Millisecond), r.Stdout, r.Stderr)
}

// Run is a terraform command in progress.
type Run struct {
	cmd    *exec.Cmd
	stdout lockedBuffer
	stderr bytes.Buffer
	args   []string
	start  time.Time
	done   chan struct{}
	result Result
}

// Start starts terraform with args (e.g. "apply", "-auto-approve") in the
// working folder. -input=false and -no-color are added for the commands that
// take them. ctx ending kills terraform and its providers.
func (w *Workdir) Start(ctx context.Context, args ...string) (*Run, error) {
	args = withAutomationFlags(args)
	cmd := exec.CommandContext(ctx, w.tf.Path, args...)
	cmd.Dir = w.Dir
	cmd.Env = append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+w.tf.CLIConfig,
		"CHECKPOINT_DISABLE=1",
		"TF_IN_AUTOMATION=1",
	)
	cmd.Env = append(cmd.Env, w.Backend.Env...)
	// terraform and the providers it starts form their own process group,
	// and ctx ending kills the group: a test that gives up on terraform
	// leaves no provider behind holding the database.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	r := &Run{cmd: cmd, args: args, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = &r.stdout, &r.stderr
	r.start = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting terraform %s: %w", strings.Join(args, " "), err)
	}
	go r.wait()
	return r, nil
}

func (r *Run) wait() {
	err := r.cmd.Wait()
	r.result = Result{
		Args: r.args, ExitCode: r.cmd.ProcessState.ExitCode(), Duration: time.Since(r.start),
		CPU:    r.cmd.ProcessState.UserTime() + r.cmd.ProcessState.SystemTime(),
		Stdout: r.stdout.String(), Stderr: r.stderr.String(), Err: err,
	}
	close(r.done)
}

// Stdout returns what terraform has printed on stdout so far, e.g. to see
// which phase it is in ("Creating..." starts the apply phase).
func (r *Run) Stdout() string { return r.stdout.String() }

// lockedBuffer is a bytes.Buffer that can be read while terraform writes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Wait waits for terraform to exit.
func (r *Run) Wait() Result {
	<-r.done
	return r.result
}

// Done is closed when terraform has exited.
func (r *Run) Done() <-chan struct{} { return r.done }

// PID is terraform's process id.
func (r *Run) PID() int { return r.cmd.Process.Pid }

// ProviderPIDs returns the provider processes terraform is running now:
// one per provider configuration (aliases included) while it plans or
// applies, none between its phases or once it is done.
func (r *Run) ProviderPIDs() []int { return providerChildren(r.PID()) }

// Run runs terraform to completion; see Start.
func (w *Workdir) Run(ctx context.Context, args ...string) Result {
	r, err := w.Start(ctx, args...)
	if err != nil {
		return Result{Args: args, ExitCode: -1, Err: err}
	}
	return r.Wait()
}

// MustRun runs terraform and fails the test unless it exits 0.
func (w *Workdir) MustRun(t testing.TB, args ...string) Result {
	t.Helper()
	res := w.Run(t.Context(), args...)
	if res.Err != nil {
		t.Fatal(res)
	}
	return res
}

// withAutomationFlags adds -input=false and -no-color to commands that take
// them, so terraform never waits for a prompt and output is plain text.
func withAutomationFlags(args []string) []string {
	if len(args) == 0 {
		return args
	}
	switch args[0] {
	case "init", "apply", "plan", "destroy", "import", "refresh":
		return append([]string{args[0], "-input=false", "-no-color"}, args[1:]...)
	case "show", "output", "validate", "state":
		return append([]string{args[0], "-no-color"}, args[1:]...)
	}
	return args
}

// providerChildren lists the processes whose parent is ppid and whose
// executable is a provider plugin. /proc/<pid>/stat gives the parent; the
// executable's name tells a provider from anything else terraform runs.
func providerChildren(ppid int) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if parentOf(pid) != ppid {
			continue
		}
		exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
		if err != nil {
			continue
		}
		if strings.HasPrefix(filepath.Base(strings.TrimSuffix(exe, " (deleted)")), pluginPrefix) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// parentOf reads the parent pid from /proc/<pid>/stat; -1 when it cannot.
func parentOf(pid int) int {
	fields, err := statFields(pid)
	if err != nil || len(fields) < 2 {
		return -1
	}
	ppid, err := strconv.Atoi(fields[1])
	if err != nil {
		return -1
	}
	return ppid
}

// statFields returns the fields of /proc/<pid>/stat after the command name
// (state, ppid, ...). The name in parentheses may itself hold spaces and
// parentheses, so fields are counted after the last ')'.
func statFields(pid int) ([]string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil, err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return nil, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	return strings.Fields(s[i+1:]), nil
}

// Kill sends SIGKILL to pid: no clean-up, the way a crash or the OOM killer
// ends a process.
func Kill(pid int) error {
	return syscall.Kill(pid, syscall.SIGKILL)
}

// PeakRSS returns the peak resident set size of a running process, in bytes
// (VmHWM in /proc/<pid>/status). It must be read before the process exits.
func PeakRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		rest, ok := strings.CutPrefix(line, "VmHWM:")
		if !ok {
			continue
		}
		kib, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("parsing VmHWM of %d: %w", pid, err)
		}
		return kib * 1024, nil
	}
	return 0, errors.New("no VmHWM in /proc/" + strconv.Itoa(pid) + "/status")
}

// ProviderUsage is what the provider processes of a run used.
type ProviderUsage struct {
	PeakRSS int64         // the largest peak RSS of any of them, in bytes
	CPU     time.Duration // user and system time, summed over them
}

// WatchProviders samples every provider process of r every interval until
// terraform exits: the peak RSS of each and its CPU time so far. A process
// shorter-lived than interval can be missed, and the CPU time of a process's
// last interval is; 50 ms catches every provider that does real work.
func (r *Run) WatchProviders(interval time.Duration) ProviderUsage {
	var peak int64
	cpu := map[int]time.Duration{}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		for _, pid := range r.ProviderPIDs() {
			if rss, err := PeakRSS(pid); err == nil {
				peak = max(peak, rss)
			}
			if used, err := CPUTime(pid); err == nil {
				cpu[pid] = used
			}
		}
		select {
		case <-r.done:
			var total time.Duration
			for _, used := range cpu {
				total += used
			}
			return ProviderUsage{PeakRSS: peak, CPU: total}
		case <-tick.C:
		}
	}
}

// clockTicks is the unit of the times in /proc/<pid>/stat (USER_HZ), 100 on
// every Linux architecture Go runs on.
const clockTicks = 100

// CPUTime returns the user and system time a running process has used so
// far (utime and stime in /proc/<pid>/stat).
func CPUTime(pid int) (time.Duration, error) {
	fields, err := statFields(pid) // state ppid ... utime (12th) stime (13th)
	if err != nil {
		return 0, err
	}
	if len(fields) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields after the command name", pid, len(fields))
	}
	var ticks int64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}

// StateResource is one managed resource instance in a working folder's state.
type StateResource struct {
	Type, Name string
	// Attributes are the instance's attributes as JSON decodes them
	// (strings, float64, bool, []any, map[string]any).
	Attributes map[string]any
}

// State reads the managed resources of the root module from terraform.tfstate
// directly, without starting terraform (format version 4, that of every
// terraform since 0.12): the crash test reads it after every kill. No state
// yet gives none.
func (w *Workdir) State(t testing.TB) []StateResource {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(w.Dir, "terraform.tfstate"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Version   int `json:"version"`
		Resources []struct {
			Module    string `json:"module"`
			Mode      string `json:"mode"`
			Type      string `json:"type"`
			Name      string `json:"name"`
			Instances []struct {
				Attributes map[string]any `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatalf("decoding terraform.tfstate: %v", err)
	}
	if st.Version != 4 {
		t.Fatalf("terraform.tfstate has format version %d; this harness reads version 4", st.Version)
	}
	var out []StateResource
	for _, r := range st.Resources {
		if r.Module != "" || r.Mode != "managed" {
			continue
		}
		for _, inst := range r.Instances {
			out = append(out, StateResource{Type: r.Type, Name: r.Name, Attributes: inst.Attributes})
		}
	}
	return out
}
