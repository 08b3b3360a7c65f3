#!/usr/bin/env bash
# Build the provider's release with goreleaser (pinned in tools/goreleaser/go.mod,
# configured in .goreleaser.yaml). The artifacts are the Terraform Registry's:
# a zip per platform, the SHA256SUMS, its detached GPG signature, the manifest.
#
# Usage: tools/release.sh snapshot
#          Into build/release, nothing published: the version is the tag when HEAD is
#          on one (and the tree is clean), else NEXT-snapshot-<commit>. The SHA256SUMS
#          is signed with a throwaway key made for this run in a temporary GNUPGHOME
#          (deleted after; its public half is left as build/release/snapshot-signing-key.asc
#          so the signature can be checked). The manifest is copied beside the zips,
#          as the publish step uploads it.
#        tools/release.sh publish
#          The release of the tag HEAD is on (vX.Y.Z, clean tree), signed with the
#          project's release key and published as a GitHub release, its notes the
#          tag's section of CHANGELOG.md. Inputs: GPG_FINGERPRINT (the release key,
#          in the caller's keyring) and GITHUB_TOKEN.
# Both need gpg (GnuPG 2) and git; goreleaser is built from the Go module proxy on
# first use (~4 min cold on 2 cores) and cached by Go.
set -euo pipefail
cd "$(dirname "$0")/.."

project=terraform-provider-engage
dist=build/release

die() { echo "release: $*" >&2; exit 1; }
goreleaser() { go tool -modfile=tools/goreleaser/go.mod goreleaser "$@"; }

command -v gpg >/dev/null ||
  die "gpg not found: the SHA256SUMS must be signed. Install GnuPG 2 (Debian/Ubuntu: apt-get install gnupg; macOS: brew install gnupg)."

snapshot() {
  GNUPGHOME=$(mktemp -d)
  export GNUPGHOME
  trap 'gpgconf --kill gpg-agent >/dev/null 2>&1 || true; rm -rf "$GNUPGHOME"' EXIT
  # RSA, as the registry requires of the real key, so the snapshot is checked the
  # same way. Valid for a day: a throwaway key's signature means only "these
  # bytes came out of this build".
  gpg --batch --quiet --passphrase '' \
    --quick-generate-key "$project snapshot (throwaway) <snapshot@example.invalid>" rsa3072 sign 1d 2>/dev/null
  GPG_FINGERPRINT=$(gpg --list-secret-keys --with-colons 2>/dev/null | awk -F: '$1 == "fpr" { print $10; exit }')
  export GPG_FINGERPRINT
  [[ -n $GPG_FINGERPRINT ]] || die "could not make the throwaway signing key"

  # goreleaser reads the commit only when it can read a remote's URL too, and in
  # a clone with none (a local repository, a worktree of one) it would stamp
  # "none" for the commit. Name the project's own URL for this run alone, in the
  # environment: git ls-remote --get-url only reads it, and the repository's
  # configuration is left as it is.
  if ! git ls-remote --get-url >/dev/null 2>&1 || [[ $(git ls-remote --get-url) == origin ]]; then
    export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=remote.origin.url \
      GIT_CONFIG_VALUE_0=https://github.com/engage-oss/terraform-provider-engage.git
  fi
  goreleaser release --snapshot --clean

  local version
  version=$(sed -n 's/.*"version":"\([^"]*\)".*/\1/p' "$dist/metadata.json")
  [[ -n $version ]] || die "no version in $dist/metadata.json"
  # goreleaser sums the manifest but copies it only when publishing.
  cp terraform-registry-manifest.json "$dist/${project}_${version}_manifest.json"
  gpg --armor --export "$GPG_FINGERPRINT" >"$dist/snapshot-signing-key.asc"

  # The same checks a user makes before trusting the files (README, Installing).
  (cd "$dist" && sha256sum --quiet --strict -c "${project}_${version}_SHA256SUMS") ||
    die "the files do not match ${project}_${version}_SHA256SUMS"
  gpg --batch --quiet --verify "$dist/${project}_${version}_SHA256SUMS.sig" "$dist/${project}_${version}_SHA256SUMS" 2>/dev/null ||
    die "the signature of ${project}_${version}_SHA256SUMS does not verify"

  echo "release-snapshot: $version in $dist (signed by throwaway key $GPG_FINGERPRINT)"
  (cd "$dist" && ls -l "${project}_${version}"_* snapshot-signing-key.asc | awk '{ printf "%10d  %s\n", $5, $9 }')
}

publish() {
  local tag version notes
  tag=$(git describe --tags --exact-match --match 'v[0-9]*' HEAD 2>/dev/null) ||
    die "HEAD is not on a release tag: tag it first (git tag -s vX.Y.Z), see README, Cutting a release"
  [[ $tag =~ ^v([0-9]+\.[0-9]+\.[0-9]+)$ ]] || die "tag $tag is not vX.Y.Z"
  version=${BASH_REMATCH[1]}
  [[ -z $(git status --porcelain) ]] || die "the working tree is not clean: a release is built from the tag alone"
  [[ -n ${GPG_FINGERPRINT:-} ]] || die "set GPG_FINGERPRINT to the fingerprint of the release key (README, Cutting a release)"
  gpg --batch --list-secret-keys "$GPG_FINGERPRINT" >/dev/null 2>&1 ||
    die "no secret key $GPG_FINGERPRINT in the keyring ${GNUPGHOME:-~/.gnupg}"
  [[ -n ${GITHUB_TOKEN:-} ]] || die "set GITHUB_TOKEN (contents: write) to publish the GitHub release"

  # The release notes: CHANGELOG.md's section for this version, heading excluded.
  notes=$(mktemp)
  trap 'rm -f "$notes"' EXIT
  awk -v v="$version" '
    /^## \[/ { if (found) exit; found = index($0, "## [" v "]") == 1; next }
    found' CHANGELOG.md >"$notes"
  [[ -s $notes ]] || die "CHANGELOG.md has no section \"## [$version]\": move Unreleased under it first"

  goreleaser release --clean --release-notes "$notes"
}

case ${1:-} in
  snapshot) snapshot ;;
  publish) publish ;;
  *) echo "usage: $0 snapshot|publish" >&2; exit 2 ;;
esac
