package releasetest

import (
	"archive/zip"
	"bytes"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// The release holds what the Terraform Registry (and a mirror) needs, and
// nothing it would trip over: a zip per platform with the one binary built
// for that platform, SHA256SUMS covering the zips and the manifest, and a
// signature of the SHA256SUMS that verifies.
func TestReleaseArtifacts(t *testing.T) {
	r := loadRelease(t)
	if !semverPattern.MatchString(r.version) {
		t.Fatalf("version %q is not semver: Terraform would refuse it", r.version)
	}
	// A filesystem mirror lowercases the version in a zip's name, and a
	// prerelease label compares case-sensitively: 0.1.0-SNAPSHOT-x would
	// never match a configuration asking for exactly that version.
	if r.version != strings.ToLower(r.version) {
		t.Fatalf("version %q has upper case: a filesystem mirror could not install it", r.version)
	}

	t.Run("SHA256SUMS covers every zip and the manifest, and matches them", func(t *testing.T) {
		want := []string{fmt.Sprintf("%s_%s_manifest.json", project, r.version)}
		for _, p := range platforms {
			want = append(want, r.zipName(p))
		}
		slices.Sort(want)
		if got := slices.Sorted(maps.Keys(r.sums)); !slices.Equal(got, want) {
			t.Fatalf("%s lists %v, want %v", r.sumsName(), got, want)
		}
		for name, sum := range r.sums {
			if got := fileSHA256(t, filepath.Join(r.dir, name)); got != sum {
				t.Errorf("%s: sha256 %s, %s says %s", name, got, r.sumsName(), sum)
			}
		}
		zips, _ := filepath.Glob(filepath.Join(r.dir, "*.zip"))
		if len(zips) != len(platforms) {
			t.Errorf("%d zips in %s, want %d (one per platform): %v", len(zips), r.dir, len(platforms), zips)
		}
	})

	t.Run("the manifest is terraform-registry-manifest.json", func(t *testing.T) {
		want, err := os.ReadFile("../../terraform-registry-manifest.json")
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(r.dir, fmt.Sprintf("%s_%s_manifest.json", project, r.version)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("the release's manifest differs from terraform-registry-manifest.json:\n%s", got)
		}
	})

	t.Run("the signature verifies, and would not over other bytes", func(t *testing.T) {
		verifySignature(t, r)
	})

	for _, platform := range platforms {
		t.Run(platform+" zip holds one executable built for it", func(t *testing.T) {
			zr, err := zip.OpenReader(filepath.Join(r.dir, r.zipName(platform)))
			if err != nil {
				t.Fatal(err)
			}
			defer zr.Close()
			var names []string
			for _, f := range zr.File {
				names = append(names, f.Name)
			}
			if want := []string{r.binaryName(platform)}; !slices.Equal(names, want) {
				t.Fatalf("%s holds %v, want %v", r.zipName(platform), names, want)
			}
			if mode := zr.File[0].Mode(); mode&0o111 == 0 && !strings.HasPrefix(platform, "windows_") {
				t.Errorf("%s: mode %v is not executable", names[0], mode)
			}
			bin := extractBinary(t, r, platform, t.TempDir())
			if got := binaryPlatform(t, bin); got != platform {
				t.Errorf("%s is a %s binary, want %s", names[0], got, platform)
			}
		})
	}

	t.Run("this machine's binary reports the version and the commit", func(t *testing.T) {
		platform := runtime.GOOS + "_" + runtime.GOARCH
		if !slices.Contains(platforms, platform) {
			t.Skipf("no release binary for %s", platform)
		}
		bin := extractBinary(t, r, platform, t.TempDir())
		out, err := exec.CommandContext(t.Context(), bin, "version").CombinedOutput()
		if err != nil {
			t.Fatalf("%s version: %v\n%s", bin, err, out)
		}
		m := regexp.MustCompile(`^terraform-provider-engage (\S+) \(commit ([0-9a-f]{40})\)\n$`).FindStringSubmatch(string(out))
		if m == nil || m[1] != r.version {
			t.Fatalf("%s version printed %q, want the version %s and a full commit", bin, out, r.version)
		}
		// A snapshot's version ends in the short commit it was built from.
		if _, short, ok := strings.Cut(r.version, "-snapshot-"); ok && !strings.HasPrefix(m[2], short) {
			t.Errorf("version %s was built from commit %s", r.version, m[2])
		}
	})
}

// verifySignature checks the SHA256SUMS signature with the snapshot's public
// key in a keyring of its own, then checks that the same signature fails over
// a SHA256SUMS with one hash changed: a check that passes anything proves
// nothing.
func verifySignature(t *testing.T, r release) {
	t.Helper()
	gpg, err := exec.LookPath("gpg")
	if err != nil {
		t.Fatal("gpg is needed to check the signature: install GnuPG 2 (apt-get install gnupg)")
	}
	// A short path, not t.TempDir()'s (named after the test): gpg's agent and
	// keyboxd sockets live in GNUPGHOME, and socket paths are limited to
	// about 100 bytes.
	home, err := os.MkdirTemp("", "gpg") //nolint:usetesting // see above
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = exec.Command("gpgconf", "--homedir", home, "--kill", "all").Run() // best effort: this keyring's agent
		os.RemoveAll(home)
	})
	run := func(args ...string) ([]byte, error) {
		cmd := exec.CommandContext(t.Context(), gpg, append([]string{"--batch", "--homedir", home}, args...)...)
		cmd.Env = append(os.Environ(), "GNUPGHOME="+home)
		return cmd.CombinedOutput()
	}
	// A snapshot leaves its throwaway key beside it; a real release is checked
	// against the project's published key (README, Cutting a release).
	key := os.Getenv("ENGAGE_RELEASE_KEY")
	if key == "" {
		key = filepath.Join(r.dir, "snapshot-signing-key.asc")
	}
	if _, err := os.Stat(key); err != nil {
		t.Fatalf("no public key to check the signature with: %v (set ENGAGE_RELEASE_KEY to the release key's file)", err)
	}
	if out, err := run("--import", key); err != nil {
		t.Fatalf("importing %s: %v\n%s", key, err, out)
	}
	sums := filepath.Join(r.dir, r.sumsName())
	sig := sums + ".sig"
	if out, err := run("--verify", sig, sums); err != nil {
		t.Fatalf("gpg --verify %s: %v\n%s", filepath.Base(sig), err, out)
	}
	body, err := os.ReadFile(sums)
	if err != nil {
		t.Fatal(err)
	}
	forged := filepath.Join(t.TempDir(), r.sumsName())
	body[0] ^= 1 // another digit of the first hash
	if err := os.WriteFile(forged, body, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := run("--verify", sig, forged); err == nil {
		t.Fatalf("the signature verified over a changed SHA256SUMS:\n%s", out)
	}
}

// binaryPlatform reads os_arch from an executable's headers.
func binaryPlatform(t *testing.T, path string) string {
	t.Helper()
	if f, err := elf.Open(path); err == nil {
		defer f.Close()
		goos := map[elf.OSABI]string{elf.ELFOSABI_NONE: "linux", elf.ELFOSABI_LINUX: "linux", elf.ELFOSABI_FREEBSD: "freebsd"}[f.OSABI]
		arch := map[elf.Machine]string{elf.EM_X86_64: "amd64", elf.EM_AARCH64: "arm64"}[f.Machine]
		return goos + "_" + arch
	}
	if f, err := macho.Open(path); err == nil {
		defer f.Close()
		return "darwin_" + map[macho.Cpu]string{macho.CpuAmd64: "amd64", macho.CpuArm64: "arm64"}[f.Cpu]
	}
	if f, err := pe.Open(path); err == nil {
		defer f.Close()
		return "windows_" + map[uint16]string{pe.IMAGE_FILE_MACHINE_AMD64: "amd64", pe.IMAGE_FILE_MACHINE_ARM64: "arm64"}[f.Machine]
	}
	t.Fatalf("%s is not an ELF, Mach-O or PE executable", path)
	return ""
}
