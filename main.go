// Command terraform-provider-engage is the Terraform provider for the access
// configuration of the Engage platform.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/engage-oss/terraform-provider-engage/internal/command"
	"github.com/engage-oss/terraform-provider-engage/internal/provider"
)

// version is set by the release build (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	// Sub-commands of the same binary; with no arguments (or plugin flags)
	// it is the Terraform plugin, as Terraform starts it.
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "serve":
			os.Exit(command.Serve(os.Args[2:], os.Stderr))
		case "token":
			os.Exit(command.Token(os.Args[2:], os.Stdout, os.Stderr))
		}
	}

	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	if !debug {
		silenceUnrequestedSDKLogs(os.LookupEnv, os.Setenv)
	}
	stopProfile := startProfile()
	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/engage-oss/engage",
		Debug:   debug,
	})
	// Serve returns when terraform closes the plugin: flush the profiles
	// before log.Fatal, which would skip deferred calls.
	stopProfile()
	if err != nil {
		log.Fatal(err)
	}
}

// startProfile, when ENGAGE_PROFILE_DIR is set, profiles this plugin process
// (terraform starts several per command, hence the pid in the file names):
// CPU from now, and the heap at the returned stop. Unset, it does nothing.
func startProfile() (stop func()) {
	dir := os.Getenv("ENGAGE_PROFILE_DIR")
	if dir == "" {
		return func() {}
	}
	name := func(kind string) string { return filepath.Join(dir, fmt.Sprintf("%s-%d.pprof", kind, os.Getpid())) }
	cpu, err := os.Create(name("cpu"))
	if err == nil && pprof.StartCPUProfile(cpu) != nil {
		cpu.Close()
		cpu = nil
	}
	return func() {
		if cpu != nil {
			pprof.StopCPUProfile()
			cpu.Close()
		}
		if heap, err := os.Create(name("heap")); err == nil {
			// The profile publishes frees one cycle late: two GCs make its
			// inuse figures the live heap at exit.
			runtime.GC()
			runtime.GC()
			_ = pprof.WriteHeapProfile(heap)
			heap.Close()
		}
	}
}

// sdkLogLevels are the variables that set the plugin SDK's own log levels.
// Unset, the SDK logs everything at TRACE, as JSON on stderr, for every RPC.
var sdkLogLevels = []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"}

// silenceUnrequestedSDKLogs turns the SDK's logs (and the provider's own)
// off when nobody asked for logs at all, that is, when no TF_LOG* variable
// is set. Terraform throws
// plugin output away then, but the plugin still formats it: a third of the
// CPU of a no-op plan of 1,000 objects went there. With any TF_LOG* set
// (TF_LOG=trace, TF_LOG_PROVIDER, TF_LOG_SDK_PROTO, ...) nothing changes.
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
