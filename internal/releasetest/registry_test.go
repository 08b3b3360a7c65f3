package releasetest

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// registry serves the release by the provider registry protocol
// (https://developer.hashicorp.com/terraform/internals/provider-registry-protocol),
// as the Terraform Registry will: the versions with their protocols and
// platforms, then per platform the zip, the SHA256SUMS, its signature and the
// public key to check it with. Only this path makes Terraform check the
// signature, and only here does it record every platform's hash from the
// signed SHA256SUMS (hence the registry needs the signature and the
// network mirror test does not). A CLI configuration `host` block points
// registry.terraform.io's providers.v1 service at it, so the source address
// stays the real one.
type registry struct {
	r        release
	key      string // ASCII-armored public key
	keyID    string
	withSigs bool // whether the SHA256SUMS signature is served
	// replaced serves other bytes under a file's name, and shasum another
	// hash for a zip: an attacker's release.
	replaced map[string][]byte
	shasum   map[string]string
}

func newRegistry(t *testing.T, r release) *registry {
	t.Helper()
	keyFile := os.Getenv("ENGAGE_RELEASE_KEY")
	if keyFile == "" {
		keyFile = filepath.Join(r.dir, "snapshot-signing-key.asc")
	}
	key, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatalf("the public key to serve: %v (set ENGAGE_RELEASE_KEY for a real release)", err)
	}
	out, err := exec.CommandContext(t.Context(), "gpg", "--batch", "--with-colons", "--show-keys", keyFile).Output()
	if err != nil {
		t.Fatalf("gpg --show-keys %s: %v", keyFile, err)
	}
	m := regexp.MustCompile(`(?m)^fpr:+([0-9A-F]{40}):`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no fingerprint in gpg --show-keys:\n%s", out)
	}
	return &registry{r: r, key: string(key), keyID: string(m[1][24:]), withSigs: true,
		replaced: map[string][]byte{}, shasum: map[string]string{}}
}

func (g *registry) handler() http.Handler {
	const prefix = "/v1/providers/engage-oss/engage/"
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+prefix+"versions", func(w http.ResponseWriter, _ *http.Request) {
		var ps []map[string]string
		for _, p := range platforms {
			goos, arch, _ := strings.Cut(p, "_")
			ps = append(ps, map[string]string{"os": goos, "arch": arch})
		}
		writeJSON(w, map[string]any{"versions": []any{map[string]any{
			"version": g.r.version, "protocols": []string{"6.0"}, "platforms": ps,
		}}})
	})
	mux.HandleFunc("GET "+prefix+"{version}/download/{os}/{arch}", func(w http.ResponseWriter, r *http.Request) {
		platform := r.PathValue("os") + "_" + r.PathValue("arch")
		if r.PathValue("version") != g.r.version || !slices.Contains(platforms, platform) {
			http.NotFound(w, r)
			return
		}
		zip := g.r.zipName(platform)
		writeJSON(w, map[string]any{
			"protocols":             []string{"6.0"},
			"os":                    r.PathValue("os"),
			"arch":                  r.PathValue("arch"),
			"filename":              zip,
			"download_url":          "/files/" + zip,
			"shasums_url":           "/files/" + g.r.sumsName(),
			"shasums_signature_url": "/files/" + g.r.sumsName() + ".sig",
			"shasum":                cmp.Or(g.shasum[zip], g.r.sums[zip]),
			"signing_keys": map[string]any{"gpg_public_keys": []any{map[string]any{
				"key_id": g.keyID, "ascii_armor": g.key,
			}}},
		})
	})
	mux.HandleFunc("GET /files/{name}", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		if !g.withSigs && strings.HasSuffix(name, ".sig") {
			http.NotFound(w, r)
			return
		}
		if body, ok := g.replaced[name]; ok {
			_, _ = w.Write(body)
			return
		}
		http.ServeFile(w, r, filepath.Join(g.r.dir, filepath.Base(name)))
	})
	return mux
}

// terraformForRegistry starts the registry and returns a terraform whose
// registry.terraform.io is it.
func terraformForRegistry(t *testing.T, g *registry) terraformCLI {
	t.Helper()
	if runtime.GOOS != "linux" && runtime.GOOS != "freebsd" {
		t.Skipf("on %s terraform would not trust the test registry's certificate", runtime.GOOS)
	}
	srv := httptest.NewTLSServer(g.handler())
	t.Cleanup(srv.Close)
	caFile := writeCA(t, srv)
	return terraformWithConfig(t, fmt.Sprintf(`host "registry.terraform.io" {
  services = {
    "providers.v1" = "%s/v1/providers/"
  }
}
`, srv.URL), "SSL_CERT_FILE="+caFile)
}

// Installed from a registry, the release's signature is checked with the
// key the registry gives, and the lock file gets the zh: hash of every
// platform from the signed SHA256SUMS: what users of the Terraform Registry
// will see. Without the signature, init fails.
func TestInstallFromRegistryChecksTheSignature(t *testing.T) {
	r := loadRelease(t)
	host := runtime.GOOS + "_" + runtime.GOARCH

	t.Run("signed", func(t *testing.T) {
		g := newRegistry(t, r)
		tf := terraformForRegistry(t, g)
		dir := writeConfiguration(t, r.version)
		out := tf.mustRun(t, dir, "init", "-input=false", "-no-color")
		if want := fmt.Sprintf("Installed engage-oss/engage v%s (self-signed, key ID %s)", r.version, g.keyID); !strings.Contains(out, want) {
			t.Errorf("terraform init did not say %q:\n%s", want, out)
		}
		// Every line of the signed SHA256SUMS, the manifest's included: Terraform
		// takes them all.
		want := []string{h1(t, r, host)}
		for _, sum := range r.sums {
			want = append(want, "zh:"+sum)
		}
		slices.Sort(want)
		locked := lockedProvider(t, dir)
		if !slices.Equal(locked.hashes, want) {
			t.Errorf("after init from the registry the lock file holds\n%v\nwant\n%v", locked.hashes, want)
		}
		t.Logf(".terraform.lock.hcl after init from the registry:\n%s", locked.text)
	})

	t.Run("a changed zip under a SHA256SUMS changed to match", func(t *testing.T) {
		// What an attacker without the key can publish: everything but a
		// signature of the new SHA256SUMS.
		g := newRegistry(t, r)
		zip := r.zipName(host)
		original, err := os.ReadFile(filepath.Join(r.dir, zip))
		if err != nil {
			t.Fatal(err)
		}
		bad := tamperedZip(t, original)
		sum := sha256.Sum256(bad)
		badSum := hex.EncodeToString(sum[:])
		sums, err := os.ReadFile(filepath.Join(r.dir, r.sumsName()))
		if err != nil {
			t.Fatal(err)
		}
		g.replaced[zip] = bad
		g.replaced[r.sumsName()] = []byte(strings.Replace(string(sums), r.sums[zip], badSum, 1))
		g.shasum[zip] = badSum
		tf := terraformForRegistry(t, g)
		dir := writeConfiguration(t, r.version)
		out, err := tf.run(t, dir, "init", "-input=false", "-no-color")
		if err == nil {
			t.Fatalf("terraform init installed a zip whose SHA256SUMS the signature does not cover:\n%s", out)
		}
		if !strings.Contains(strings.Join(strings.Fields(out), " "), "error checking signature: openpgp: invalid signature") {
			t.Errorf("terraform init failed, but not on the signature:\n%s", out)
		}
		t.Logf("terraform init, as expected, failed:\n%s", out)
	})

	t.Run("without the signature", func(t *testing.T) {
		g := newRegistry(t, r)
		g.withSigs = false
		tf := terraformForRegistry(t, g)
		dir := writeConfiguration(t, r.version)
		out, err := tf.run(t, dir, "init", "-input=false", "-no-color")
		if err == nil {
			t.Fatalf("terraform init installed a release whose SHA256SUMS has no signature:\n%s", out)
		}
		if !strings.Contains(strings.Join(strings.Fields(out), " "), "failed to retrieve cryptographic signature for provider") {
			t.Errorf("terraform init failed, but not for the missing signature:\n%s", out)
		}
		t.Logf("terraform init, as expected, failed:\n%s", out)
	})
}
