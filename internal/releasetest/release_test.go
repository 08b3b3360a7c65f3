package releasetest

import (
	"archive/zip"
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const (
	project = "terraform-provider-engage"
	// source is the provider's address, as users write it and as the
	// artifacts are served under.
	source = "registry.terraform.io/engage-oss/engage"
)

// platforms are the release's targets (.goreleaser.yaml), as Terraform names
// them in lock files and mirrors.
var platforms = []string{
	"darwin_amd64", "darwin_arm64",
	"freebsd_amd64",
	"linux_amd64", "linux_arm64",
	"windows_amd64", "windows_arm64",
}

// semverPattern is semver.org's own expression: Terraform refuses a provider
// version that does not match it, so a snapshot version must too.
var semverPattern = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)` +
	`(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?` +
	`(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`)

// release is one build of make release-snapshot (or of a real release,
// downloaded into a folder).
type release struct {
	dir     string
	version string
	// sums maps each file named in the SHA256SUMS to its hex SHA-256.
	sums map[string]string
}

func (r release) zipName(platform string) string {
	return fmt.Sprintf("%s_%s_%s.zip", project, r.version, platform)
}

func (r release) sumsName() string { return fmt.Sprintf("%s_%s_SHA256SUMS", project, r.version) }

// binaryName is the one file each zip holds: the name Terraform runs.
func (r release) binaryName(platform string) string {
	name := project + "_v" + r.version
	if strings.HasPrefix(platform, "windows_") {
		name += ".exe"
	}
	return name
}

// loadRelease reads the release in ENGAGE_RELEASE_DIR, skipping the test
// when it is unset: building one takes minutes (make release-test does).
func loadRelease(t *testing.T) release {
	t.Helper()
	dir := os.Getenv("ENGAGE_RELEASE_DIR")
	if dir == "" {
		t.Skip("tests the release artifacts: run make release-snapshot release-test (or set ENGAGE_RELEASE_DIR)")
	}
	matches, err := filepath.Glob(filepath.Join(dir, project+"_*_SHA256SUMS"))
	if err != nil || len(matches) != 1 {
		t.Fatalf("want exactly one %s_<version>_SHA256SUMS in %s, found %v (%v)", project, dir, matches, err)
	}
	name := filepath.Base(matches[0])
	r := release{
		dir:     dir,
		version: strings.TrimSuffix(strings.TrimPrefix(name, project+"_"), "_SHA256SUMS"),
		sums:    map[string]string{},
	}
	f, err := os.Open(matches[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		// sha256sum's format: the hex digest, two spaces, the file name.
		sum, file, ok := strings.Cut(lines.Text(), "  ")
		if !ok || len(sum) != 64 {
			t.Fatalf("%s: not a sha256sum line: %q", name, lines.Text())
		}
		r.sums[file] = sum
	}
	if err := lines.Err(); err != nil {
		t.Fatal(err)
	}
	return r
}

// fileSHA256 is the hex SHA-256 of a file's bytes, as SHA256SUMS lists it.
func fileSHA256(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// extractBinary unpacks the one file of a platform's zip into dir and
// returns its path.
func extractBinary(t *testing.T, r release, platform, dir string) string {
	t.Helper()
	zr, err := zip.OpenReader(filepath.Join(r.dir, r.zipName(platform)))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	want := r.binaryName(platform)
	i := slices.IndexFunc(zr.File, func(f *zip.File) bool { return f.Name == want })
	if i < 0 {
		t.Fatalf("%s holds no %s", r.zipName(platform), want)
	}
	rc, err := zr.File[i].Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	path := filepath.Join(dir, want)
	out, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := out.ReadFrom(rc); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}
