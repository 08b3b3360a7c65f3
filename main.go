// Command terraform-provider-engage is the Terraform provider for the access
// configuration of the Engage platform.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/engage-oss/terraform-provider-engage/internal/command"
	"github.com/engage-oss/terraform-provider-engage/internal/provider"
	"github.com/engage-oss/terraform-provider-engage/internal/rpcsweep"
)

// usage is what --help and an unknown command print: the binary is a
// Terraform plugin, and the commands beside it are found here.
const usage = `Usage: terraform-provider-engage [COMMAND] [flags]

Without a command this is the Engage provider plugin, which Terraform starts
itself (terraform init installs it; there is no need to run it by hand).

Commands:
  admin        operator commands on the server's database (admin allowlists
               disable-all: the recovery for an account locked out by its allowlists)
  review-plan  report what a saved plan does to access (who gains what), as
               Markdown for a pull request or JSON for policies
  serve        run the reference REST API server over SQLite or PostgreSQL
  token        create, list and revoke API tokens for the server
  version      print the provider's version and the commit it was built from

Run 'terraform-provider-engage COMMAND --help' for a command's flags.

Plugin flags:
`

// version and commit are stamped in by the build (-ldflags "-X main.version=...
// -X main.commit=..."): goreleaser sets the release or snapshot version and the
// full commit, make build the local mirror's version. Terraform is told the
// version in the provider's metadata, and the REST client sends it in its
// User-Agent.
var (
	version = "dev"
	commit  = "unknown"
)

func main() {
	// Sub-commands of the same binary; with no arguments (or plugin flags)
	// it is the Terraform plugin, as Terraform starts it.
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "serve":
			os.Exit(command.Serve(os.Args[2:], os.Stderr))
		case "token":
			os.Exit(command.Token(os.Args[2:], os.Stdout, os.Stderr))
		case "admin":
			os.Exit(command.Admin(os.Args[2:], os.Stdout, os.Stderr))
		case "review-plan":
			os.Exit(command.ReviewPlan(os.Args[2:], os.Stdin, os.Stdout, os.Stderr))
		case "version", "--version":
			// What a user reports with a bug, and what the release test checks
			// the build stamped in.
			fmt.Printf("terraform-provider-engage %s (commit %s)\n", version, commit)
			os.Exit(0)
		}
		if !strings.HasPrefix(os.Args[1], "-") {
			fmt.Fprintf(os.Stderr, "terraform-provider-engage: unknown command %q\n\n%s", os.Args[1], usage)
			os.Exit(2)
		}
	}

	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Usage = func() {
		fmt.Fprint(os.Stderr, usage)
		flag.PrintDefaults()
	}
	flag.Parse()

	if !debug {
		silenceUnrequestedSDKLogs(os.LookupEnv, os.Setenv)
	}
	stopProfile := startProfile()
	var serveOpts []tf6server.ServeOpt
	if debug {
		serveOpts = append(serveOpts, tf6server.WithManagedDebug())
	}
	// providerserver.Serve's protocol 6 server, behind rpcsweep (see there).
	err := tf6server.Serve("registry.terraform.io/engage-oss/engage", func() tfprotov6.ProviderServer {
		return rpcsweep.Wrap(providerserver.NewProtocol6(provider.New(version)())())
	}, serveOpts...)
	// Serve returns when terraform closes the plugin: flush the profiles
	// before log.Fatal, which would skip deferred calls.
	stopProfile()
	if err != nil {
		log.Fatal(err)
	}
}

// startProfile, when ENGAGE_PROFILE_DIR is set, profiles this plugin process
// (terraform starts several per command, hence the pid in the file names):
// CPU from now; the heap each time the live heap reaches a new high by a
// tenth (heap-peak, what was live when RSS peaked); and the heap at the
// returned stop. Unset, it does nothing.
func startProfile() (stop func()) {
	dir := os.Getenv("ENGAGE_PROFILE_DIR")
	if dir == "" {
		return func() {}
	}
	name := func(kind string) string { return filepath.Join(dir, fmt.Sprintf("%s-%d.pprof", kind, os.Getpid())) }
	writeHeap := func(kind string) {
		if heap, err := os.Create(name(kind)); err == nil {
			_ = pprof.WriteHeapProfile(heap)
			heap.Close()
		}
	}
	cpu, err := os.Create(name("cpu"))
	if err == nil && pprof.StartCPUProfile(cpu) != nil {
		cpu.Close()
		cpu = nil
	}
	done := make(chan struct{})
	go watchHeapPeak(done, func() { writeHeap("heap-peak") })
	return func() {
		close(done)
		if cpu != nil {
			pprof.StopCPUProfile()
			cpu.Close()
		}
		// The profile publishes frees one cycle late: two GCs make its
		// inuse figures the live heap at exit.
		runtime.GC()
		runtime.GC()
		writeHeap("heap")
	}
}

// watchHeapPeak calls snapshot whenever the heap's live objects pass their
// previous high by a tenth, until done is closed.
func watchHeapPeak(done <-chan struct{}, snapshot func()) {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var high uint64
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
			metrics.Read(sample)
			if sample[0].Value.Kind() != metrics.KindUint64 {
				return
			}
			if live := sample[0].Value.Uint64(); live > high+high/10 {
				high = live
				snapshot()
			}
		}
	}
}

// sdkLogLevels are the variables that set the plugin SDK's own log levels.
// Unset, the SDK logs everything at TRACE, as JSON on stderr, for every RPC.
var sdkLogLevels = []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"}

// silenceUnrequestedSDKLogs turns the SDK's logs (and the provider's own)
// off when nobody asked for logs at all, that is, when no TF_LOG* variable
// is set. Terraform throws plugin output away then, but the plugin still
// formats it: a third of the CPU of a no-op plan of 1,000 objects went
// there. With any TF_LOG* set (TF_LOG=trace, TF_LOG_PROVIDER,
// TF_LOG_SDK_PROTO, ...) nothing changes.
func silenceUnrequestedSDKLogs(lookup func(string) (string, bool), set func(string, string) error) {
	for _, name := range append([]string{"TF_LOG", "TF_LOG_CORE", "TF_LOG_PROVIDER", "TF_LOG_PROVIDER_ENGAGE"}, sdkLogLevels...) {
		if _, ok := lookup(name); ok {
			return
		}
	}
	for _, name := range append([]string{"TF_LOG_PROVIDER"}, sdkLogLevels...) {
		_ = set(name, "off")
	}
}
