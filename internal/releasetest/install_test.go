package releasetest

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/dirhash"
)

// terraformCLI runs one terraform binary with a CLI configuration that
// installs the provider from one mirror only, and with nothing from the
// environment that could install it another way (TF_PLUGIN_CACHE_DIR,
// TF_REATTACH_PROVIDERS, the user's CLI configuration) or point it at an
// account (ENGAGE_*).
type terraformCLI struct {
	path string
	env  []string
}

// newTerraformCLI installs from the network mirror at mirrorURL, trusting
// the certificate in caFile.
func newTerraformCLI(t *testing.T, mirrorURL, caFile string) terraformCLI {
	t.Helper()
	if runtime.GOOS != "linux" && runtime.GOOS != "freebsd" {
		// terraform trusts the mirror's test certificate through SSL_CERT_FILE,
		// which Go honours on Linux and the BSDs only.
		t.Skipf("on %s terraform would not trust the test mirror's certificate", runtime.GOOS)
	}
	return terraformWith(t, fmt.Sprintf("network_mirror {\n    url     = %q", mirrorURL), "SSL_CERT_FILE="+caFile)
}

// terraformWith writes a CLI configuration installing the provider by method
// (its block's opening lines; include is added) and returns a CLI using it,
// with env added to its environment.
func terraformWith(t *testing.T, method string, env ...string) terraformCLI {
	t.Helper()
	return terraformWithConfig(t, fmt.Sprintf("provider_installation {\n  %s\n    include = [%q]\n  }\n}\n", method, source), env...)
}

// terraformWithConfig returns a CLI using the CLI configuration config, with
// env added to its environment.
func terraformWithConfig(t *testing.T, config string, env ...string) terraformCLI {
	t.Helper()
	path := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if path == "" {
		t.Fatal("set TF_ACC_TERRAFORM_PATH to the terraform to install with (make release-test does)")
	}
	home := t.TempDir()
	rc := filepath.Join(home, "terraform.rc")
	if err := os.WriteFile(rc, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	var clean []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "TF_") || strings.HasPrefix(name, "ENGAGE_") || strings.HasPrefix(name, "SSL_CERT_") || name == "HOME" {
			continue
		}
		clean = append(clean, kv)
	}
	clean = append(clean, "HOME="+home, "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
	return terraformCLI{path: path, env: append(clean, env...)}
}

// run runs terraform in dir and returns its output, stdout then stderr.
func (c terraformCLI) run(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), c.path, args...)
	cmd.Dir, cmd.Env = dir, c.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String() + stderr.String(), err
}

func (c terraformCLI) mustRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := c.run(t, dir, args...)
	if err != nil {
		t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// writeConfiguration writes a configuration that requires the release by
// its source address and exact version (a snapshot's version is a
// prerelease, which Terraform selects only when asked for exactly), on the
// embedded backend.
func writeConfiguration(t *testing.T, version string) string {
	t.Helper()
	dir := t.TempDir()
	hcl := fmt.Sprintf(`terraform {
  required_providers {
    engage = {
      source  = "engage-oss/engage"
      version = %q
    }
  }
}

provider "engage" {
  embedded_path = ".engage/release-test.db"
}

resource "engage_role" "installed" {
  name        = "Installed from a mirror"
  permissions = ["campaign.publish"]
}
`, version)
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(hcl), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// A user's whole path: terraform init installs the release from a mirror by
// the provider's source address, verifying the zip against the hash the
// mirror publishes (SHA256SUMS's); terraform providers lock records the
// hashes of all seven platforms; terraform version names the version; the
// installed binary plans and applies on the embedded backend.
func TestInstallFromNetworkMirror(t *testing.T) {
	r := loadRelease(t)
	m := newMirror(t, r)
	url, ca := m.serve(t)
	tf := newTerraformCLI(t, url, ca)
	dir := writeConfiguration(t, r.version)
	host := runtime.GOOS + "_" + runtime.GOARCH

	out := tf.mustRun(t, dir, "init", "-input=false", "-no-color")
	if !strings.Contains(out, "Installed engage-oss/engage v"+r.version) {
		t.Errorf("terraform init did not say it installed v%s:\n%s", r.version, out)
	}
	if got, want := m.servedArchives(), []string{r.zipName(host)}; !slices.Equal(got, want) {
		t.Errorf("init downloaded %v, want %v", got, want)
	}
	locked := lockedProvider(t, dir)
	if locked.version != r.version {
		t.Errorf(".terraform.lock.hcl locks version %q, want %q", locked.version, r.version)
	}
	// init checked the zip against the mirror's zh: hash (the tampered-zip
	// test shows it), but records only the h1: hash of what it unpacked: a
	// network mirror's word is not a signature, so Terraform does not pass it
	// on to the lock file, as it does a registry's signed SHA256SUMS.
	if want := []string{h1(t, r, host)}; !slices.Equal(locked.hashes, want) {
		t.Errorf("after init the lock file holds %v, want %v", locked.hashes, want)
	}

	args := []string{"providers", "lock", "-no-color", "-net-mirror=" + url}
	for _, p := range platforms {
		args = append(args, "-platform="+p)
	}
	tf.mustRun(t, dir, args...)
	// One h1: per platform: providers lock downloaded and unpacked each zip
	// (after checking it against the mirror's zh: hash) to hash its contents.
	var want []string
	for _, p := range platforms {
		want = append(want, h1(t, r, p))
	}
	slices.Sort(want)
	locked = lockedProvider(t, dir)
	if !slices.Equal(locked.hashes, want) {
		t.Errorf("after providers lock for every platform the lock file holds\n%v\nwant\n%v", locked.hashes, want)
	}
	t.Logf(".terraform.lock.hcl:\n%s", locked.text)

	var v struct {
		ProviderSelections map[string]string `json:"provider_selections"`
	}
	if err := json.Unmarshal([]byte(tf.mustRun(t, dir, "version", "-json")), &v); err != nil {
		t.Fatal(err)
	}
	if got := v.ProviderSelections[source]; got != r.version {
		t.Errorf("terraform version shows %s %q, want %q", source, got, r.version)
	}

	installed := filepath.Join(dir, ".terraform/providers", source, r.version, host, r.binaryName(host))
	if out, err := exec.CommandContext(t.Context(), installed, "version").Output(); err != nil || !strings.HasPrefix(string(out), "terraform-provider-engage "+r.version+" ") {
		t.Errorf("%s version: %q, %v; want version %s", installed, out, err, r.version)
	}

	out = tf.mustRun(t, dir, "plan", "-input=false", "-no-color")
	if !strings.Contains(out, "Plan: 1 to add, 0 to change, 0 to destroy.") {
		t.Fatalf("plan with the installed provider:\n%s", out)
	}
	tf.mustRun(t, dir, "apply", "-input=false", "-no-color", "-auto-approve")
	if out, err := tf.run(t, dir, "plan", "-input=false", "-no-color", "-detailed-exitcode"); err != nil {
		t.Errorf("a second plan is not empty (%v):\n%s", err, out)
	}
}

// The other way README's "Installing from a mirror" gives: the zips copied
// as they are into a filesystem mirror's packed layout
// (HOSTNAME/NAMESPACE/TYPE/<zip>). Terraform has no hash to check them
// against there and says "unauthenticated" (the README has users check
// SHA256SUMS first); it records the h1: hash of what it unpacked.
func TestInstallFromFilesystemMirror(t *testing.T) {
	r := loadRelease(t)
	mirrorDir := t.TempDir()
	packed := filepath.Join(mirrorDir, source)
	if err := os.MkdirAll(packed, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range platforms {
		body, err := os.ReadFile(filepath.Join(r.dir, r.zipName(p)))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(packed, r.zipName(p)), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tf := terraformWith(t, fmt.Sprintf("filesystem_mirror {\n    path    = %q", mirrorDir))
	dir := writeConfiguration(t, r.version)
	host := runtime.GOOS + "_" + runtime.GOARCH

	out := tf.mustRun(t, dir, "init", "-input=false", "-no-color")
	if !strings.Contains(out, "Installed engage-oss/engage v"+r.version) {
		t.Errorf("terraform init did not say it installed v%s:\n%s", r.version, out)
	}
	locked := lockedProvider(t, dir)
	if locked.version != r.version || !slices.Contains(locked.hashes, h1(t, r, host)) {
		t.Errorf("after init the lock file holds version %q and %v, want %q and %s", locked.version, locked.hashes, r.version, h1(t, r, host))
	}
	out = tf.mustRun(t, dir, "plan", "-input=false", "-no-color")
	if !strings.Contains(out, "Plan: 1 to add, 0 to change, 0 to destroy.") {
		t.Fatalf("plan with the installed provider:\n%s", out)
	}
}

// A zip that is not the one released never gets installed: init fails
// whether the mirror still publishes the release's hash (a changed file on
// the mirror) or the hash of the changed file (a mirror that re-hashed it),
// as long as the user's lock file holds the release's hashes.
func TestInstallRefusesATamperedZip(t *testing.T) {
	r := loadRelease(t)
	host := runtime.GOOS + "_" + runtime.GOARCH
	good := newMirror(t, r).archives[host]
	bad := tamperedZip(t, good.body)
	badSum := sha256.Sum256(bad)

	// The lock file a user has committed after installing the real release.
	var lockFile []byte
	{
		m := newMirror(t, r)
		url, ca := m.serve(t)
		dir := writeConfiguration(t, r.version)
		newTerraformCLI(t, url, ca).mustRun(t, dir, "init", "-input=false", "-no-color")
		var err error
		if lockFile, err = os.ReadFile(filepath.Join(dir, ".terraform.lock.hcl")); err != nil {
			t.Fatal(err)
		}
	}

	cases := []struct {
		name     string
		hashes   []string
		lockFile []byte
		want     *regexp.Regexp
	}{
		{
			name:   "the mirror publishes the release's hash",
			hashes: good.hashes,
			want:   regexp.MustCompile(`Failed to install provider.* provider package doesn't match the expected checksum "zh:` + good.hashes[0][len("zh:"):] + `"`),
		},
		{
			name:     "the mirror publishes the changed zip's hash; the lock file holds the release's",
			hashes:   []string{"zh:" + hex.EncodeToString(badSum[:])},
			lockFile: lockFile,
			want:     regexp.MustCompile(`Failed to install provider.* doesn't match any of the checksums previously recorded in the dependency lock file`),
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := newMirror(t, r)
			m.archives[host] = mirrorArchive{name: good.name, body: bad, hashes: tc.hashes}
			url, ca := m.serve(t)
			dir := writeConfiguration(t, r.version)
			if tc.lockFile != nil {
				if err := os.WriteFile(filepath.Join(dir, ".terraform.lock.hcl"), tc.lockFile, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			out, err := newTerraformCLI(t, url, ca).run(t, dir, "init", "-input=false", "-no-color")
			if err == nil {
				t.Fatalf("terraform init installed a tampered zip:\n%s", out)
			}
			// terraform wraps its messages at 80 columns.
			if !tc.want.MatchString(strings.Join(strings.Fields(out), " ")) {
				t.Errorf("terraform init failed, but not on the checksum (want %v):\n%s", tc.want, out)
			}
			// It failed on what it downloaded, not on a missing file.
			if got := m.servedArchives(); !slices.Equal(got, []string{good.name}) {
				t.Errorf("init downloaded %v, want %v", got, []string{good.name})
			}
			if _, err := os.Stat(filepath.Join(dir, ".terraform/providers", source)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the tampered provider was unpacked into .terraform/providers (%v)", err)
			}
			t.Logf("terraform init, as expected, failed:\n%s", out)
		})
	}
}

// tamperedZip is a well-formed zip like the release's with the binary
// changed (bytes appended, so it would still run): what an attacker on a
// mirror would serve.
func tamperedZip(t *testing.T, original []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(original), int64(len(original)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		hdr := f.FileHeader
		w, err := zw.CreateHeader(&hdr)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(append(body, "tampered"...)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// h1 is Terraform's hash of a package's contents (Go's dirhash Hash1 over
// the files in the zip): what it records for a package it unpacked.
func h1(t *testing.T, r release, platform string) string {
	t.Helper()
	sum, err := dirhash.HashZip(filepath.Join(r.dir, r.zipName(platform)), dirhash.Hash1)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

type lockEntry struct {
	version string
	hashes  []string // sorted
	text    string
}

// lockedProvider reads the provider's block of .terraform.lock.hcl.
func lockedProvider(t *testing.T, dir string) lockEntry {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, ".terraform.lock.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	_, block, ok := strings.Cut(text, `provider "`+source+`" {`)
	if !ok {
		t.Fatalf(".terraform.lock.hcl has no block for %s:\n%s", source, text)
	}
	block, _, _ = strings.Cut(block, "\n}")
	e := lockEntry{text: text}
	if m := regexp.MustCompile(`(?m)^\s*version\s*=\s*"([^"]+)"`).FindStringSubmatch(block); m != nil {
		e.version = m[1]
	}
	for _, m := range regexp.MustCompile(`"((?:h1|zh):[^"]+)"`).FindAllStringSubmatch(block, -1) {
		e.hashes = append(e.hashes, m[1])
	}
	slices.Sort(e.hashes)
	return e
}
