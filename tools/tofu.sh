#!/usr/bin/env bash
# Print the absolute path of an OpenTofu 1.12.6 `tofu` binary on stdout (and
# nothing else; progress goes to stderr). Order: `tofu` on PATH if it is
# 1.12.6, else a cached build, else build one from the Go module proxy (~5 min
# cold on 2 cores), because release downloads are not reachable from our machines.
#
# Usage: tools/tofu.sh [--force-build]
#   --force-build  ignore PATH and the cache, always build (to test this script)
# Env:   ENGAGE_TOOLS_DIR  cache root (default: $HOME/.cache/engage-tools)
set -euo pipefail

version=1.12.6

force=false
case "${1:-}" in
  "") ;;
  --force-build) force=true ;;
  *) echo "usage: $0 [--force-build]" >&2; exit 2 ;;
esac

exec 3>&1 1>&2 # keep stdout for the final path only

# Match the line anywhere: a CLI-config warning can come first, even on stdout.
is_wanted() {
  local out
  out=$("$1" version 2>/dev/null) && grep -qFx "OpenTofu v$version" <<<"$out"
}

if ! $force && command -v tofu >/dev/null; then
  path=$(readlink -f "$(command -v tofu)")
  if is_wanted "$path"; then
    echo "$path" >&3
    exit 0
  fi
fi

tools_dir=${ENGAGE_TOOLS_DIR:-$HOME/.cache/engage-tools}
mkdir -p "$tools_dir"
tools_dir=$(cd "$tools_dir" && pwd)
dest=$tools_dir/tofu-$version/tofu
if ! $force && [[ -x $dest ]]; then
  echo "$dest" >&3
  exit 0
fi

# Work inside tools_dir so the final mv is a same-filesystem (atomic) rename.
work=$(mktemp -d "$tools_dir/.tofu-build.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
export GOWORK=off CGO_ENABLED=0

echo "building tofu $version from the Go module proxy in $work ..."
json=$(go mod download -json "github.com/opentofu/opentofu@v$version")
root=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' <<<"$json")
[[ -d $root ]] || { echo "no module dir for opentofu@v$version" >&2; exit 1; }
# `go install opentofu/cmd/tofu@v` refuses modules with replace directives (it
# has one for hcl/v2), so build in a writable copy of the module instead.
cp -R "$root/." src
chmod -R u+w src # copies of the read-only module cache stay read-only
# dev=no drops the "-dev" suffix, as in release builds.
(cd src && go build -trimpath -buildvcs=false -o "$work/tofu" \
  -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" ./cmd/tofu)

is_wanted "$work/tofu" || { echo "built tofu is not v$version" >&2; exit 1; }
mkdir -p "$(dirname "$dest")"
mv -f "$work/tofu" "$dest"
echo "installed tofu $version at $dest"
echo "$dest" >&3
