#!/usr/bin/env bash
# Print the absolute path of a terraform 1.11.4 binary on stdout (and nothing
# else; progress goes to stderr). Order: `terraform` on PATH if it is 1.11.4,
# else a cached build, else build one from the Go module proxy (~7 min cold on
# 2 cores), because release downloads are not reachable from our machines.
#
# Usage: tools/terraform.sh [--force-build]
#   --force-build  ignore PATH and the cache, always build (to test this script)
# Env:   ENGAGE_TOOLS_DIR  cache root (default: $HOME/.cache/engage-tools)
set -euo pipefail

version=1.11.4
# The in-repo submodules (internal/backend/remote-state/*, internal/legacy) are
# not in the main module zip; the proxy serves them at this pseudo-version,
# which names the v1.11.4 tag commit.
submodule_version=v0.0.0-20250409131005-35645b8fca68

force=false
case "${1:-}" in
  "") ;;
  --force-build) force=true ;;
  *) echo "usage: $0 [--force-build]" >&2; exit 2 ;;
esac

exec 3>&1 1>&2 # keep stdout for the final path only
export CHECKPOINT_DISABLE=1 # stop `terraform version` from phoning home

# Match the line anywhere: a CLI-config warning can come first, even on stdout.
is_wanted() {
  local out
  out=$("$1" version 2>/dev/null) && grep -qFx "Terraform v$version" <<<"$out"
}

if ! $force && command -v terraform >/dev/null; then
  path=$(readlink -f "$(command -v terraform)")
  if is_wanted "$path"; then
    echo "$path" >&3
    exit 0
  fi
fi

tools_dir=${ENGAGE_TOOLS_DIR:-$HOME/.cache/engage-tools}
mkdir -p "$tools_dir"
tools_dir=$(cd "$tools_dir" && pwd)
dest=$tools_dir/terraform-$version/terraform
if ! $force && [[ -x $dest ]]; then
  echo "$dest" >&3
  exit 0
fi

# Work inside tools_dir so the final mv is a same-filesystem (atomic) rename.
work=$(mktemp -d "$tools_dir/.terraform-build.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
export GOWORK=off CGO_ENABLED=0

moddir() { # download a module, print its (read-only) module cache dir
  local json dir
  json=$(go mod download -json "$1")
  dir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' <<<"$json")
  [[ -d $dir ]] || { echo "no module dir for $1" >&2; return 1; }
  echo "$dir"
}

echo "building terraform $version from the Go module proxy in $work ..."
root=$(moddir "github.com/hashicorp/terraform@v$version")
cp -R "$root/." src
chmod -R u+w src # copies of the read-only module cache stay read-only
# `go install terraform@v` refuses modules with replace directives, so build in
# a copy and put each `replace X => ./dir` submodule where it points.
awk '$1 == "replace" && $4 ~ /^\.\// { print $2, $4 }' src/go.mod |
  while read -r mod dir; do
    sub=$(moddir "$mod@$submodule_version")
    mkdir -p "src/$dir"
    cp -R "$sub/." "src/$dir"
  done
chmod -R u+w src
# Go >= 1.24 rejects the tlskyber godebug setting (renamed to tlsmlkem); only
# the main go.mod has it, and only the main module's godebug lines count.
go mod edit -dropgodebug=tlskyber src/go.mod
# dev=no drops the "-dev" suffix, as in release builds.
(cd src && go build -trimpath -buildvcs=false -o "$work/terraform" \
  -ldflags "-s -w -X github.com/hashicorp/terraform/version.dev=no" .)

is_wanted "$work/terraform" || { echo "built terraform is not v$version" >&2; exit 1; }
mkdir -p "$(dirname "$dest")"
mv -f "$work/terraform" "$dest"
echo "installed terraform $version at $dest"
echo "$dest" >&3
