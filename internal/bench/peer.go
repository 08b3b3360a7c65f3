package bench

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// The peer (issue 15): time_static of hashicorp/terraform-provider-time, a
// provider on the same terraform-plugin-framework as ours (v1.19.0) whose
// resource does no I/O at all. Terraform pays for its objects what it pays
// for ours, so the gap between the two is what each provider process costs
// per object; the issue asks us to stay ahead of it in every row.
const (
	// PeerModule and PeerVersion are what the bench builds from the Go
	// module proxy (release archives are not reachable from our machines).
	PeerModule  = "github.com/hashicorp/terraform-provider-time"
	PeerVersion = "0.14.2"
	// PeerSource is the address terraform installs the build under, from a
	// filesystem mirror, as if from the registry.
	PeerSource = "registry.terraform.io/hashicorp/time"
)

// PeerMirror returns a filesystem mirror holding the peer provider under
// PeerSource and PeerVersion, for e2e.Terraform.WithMirror. The first call on
// a machine builds it with `go install` into the tools cache
// ($ENGAGE_TOOLS_DIR, default ~/.cache/engage-tools, as tools/terraform.sh);
// later calls find it there.
func PeerMirror(t testing.TB) string {
	t.Helper()
	root, err := toolsDir()
	if err != nil {
		t.Fatal(err)
	}
	mirror := filepath.Join(root, "terraform-provider-time-"+PeerVersion, "mirror")
	if _, err := os.Stat(filepath.Join(mirror, peerBinary())); err == nil {
		return mirror
	}

	// Build into a scratch folder beside the cache and rename the finished
	// mirror into place, so that an interrupted build leaves no half-written
	// binary for the next run to trust.
	if err := os.MkdirAll(filepath.Dir(mirror), 0o755); err != nil {
		t.Fatal(err)
	}
	scratch, err := os.MkdirTemp(filepath.Dir(mirror), "build-") //nolint:usetesting // not t.TempDir: the rename below must stay on the cache's filesystem
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(scratch)
	built := filepath.Join(scratch, "mirror")
	bin := filepath.Join(built, peerBinary())
	start := time.Now()
	// go install, not go build: only install takes a module@version outside
	// our module. CGO_ENABLED=0 as in HashiCorp's release builds.
	cmd := exec.CommandContext(t.Context(), "go", "install", "-trimpath", PeerModule+"@v"+PeerVersion)
	cmd.Dir = scratch
	cmd.Env = append(os.Environ(), "GOBIN="+scratch, "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the peer %s@v%s: %v\n%s", PeerModule, PeerVersion, err, out)
	}
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(scratch, "terraform-provider-time"), bin); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(built, mirror); err != nil {
		// Another run may have finished first; its mirror is as good.
		if _, statErr := os.Stat(filepath.Join(mirror, peerBinary())); statErr != nil {
			t.Fatal(err)
		}
	}
	t.Logf("built the peer %s@v%s in %s into %s", PeerModule, PeerVersion, time.Since(start).Round(time.Second), mirror)
	return mirror
}

// peerBinary is where the peer's executable lies inside its mirror: the
// unpacked layout terraform reads, HOST/NAMESPACE/TYPE/VERSION/OS_ARCH/.
func peerBinary() string {
	return filepath.Join(PeerSource, PeerVersion, runtime.GOOS+"_"+runtime.GOARCH, "terraform-provider-time_v"+PeerVersion)
}

// toolsDir is the cache tools/terraform.sh uses too.
func toolsDir() (string, error) {
	if dir := os.Getenv("ENGAGE_TOOLS_DIR"); dir != "" {
		return dir, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no tools cache: set ENGAGE_TOOLS_DIR or HOME: %w", err)
	}
	return filepath.Join(home, ".cache", "engage-tools"), nil
}
