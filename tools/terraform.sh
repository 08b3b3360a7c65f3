#!/usr/bin/env bash
# Print the absolute path of a terraform binary of the wanted version on stdout
# (and nothing else; progress goes to stderr). Order: `terraform` on PATH if it
# is that version, else a cached build, else build one from the Go module proxy,
# because release downloads are not reachable from our machines.
#
# Usage: tools/terraform.sh [--force-build] [VERSION]
#        tools/terraform.sh --path-from MIN [VERSION]
#   VERSION        default $TERRAFORM_VERSION, else 1.16.4
#   --force-build  ignore PATH and the cache, always build (to test this script)
#   --path-from MIN
#                  the `terraform` on PATH if it is MIN or newer (whatever its
#                  exact version: `make demo` uses the user's own), else
#                  VERSION as above
# Env:   TERRAFORM_VERSION  the version when no argument names one
#        ENGAGE_TOOLS_DIR   cache root (default: $HOME/.cache/engage-tools);
#                           each version is cached in terraform-VERSION/
#
# Two ways to build, ~7-8 min cold on 2 cores either way:
# * 1.11.4: the whole of Terraform. Its in-repo submodules (internal/legacy,
#   internal/backend/remote-state/*) are not in the main module zip, but the
#   proxy serves them at a pseudo-version of the tag commit (pinned below).
# * any other version (1.16.4 by default): the proxy does not serve those
#   submodules for releases after 1.12, so the build drops them and the nine
#   remote-state backends that need them (azurerm, consul, cos, gcs,
#   kubernetes, oss, pg, s3, oci). What is left: the local, http, inmem,
#   remote and cloud backends; our tests use only local.
set -euo pipefail

default_version=1.16.4
# The pseudo-versions at which the proxy serves the in-repo submodules of a
# release, naming its tag commit. Versions not listed get the reduced build.
declare -A submodule_versions=(
  [1.11.4]=v0.0.0-20250409131005-35645b8fca68
)
# The submodules the reduced build drops (path under the main module) and the
# backends (map key in internal/backend/init/init.go => import dir) it deletes.
dropped_backends="azurerm=azure consul=consul cos=cos gcs=gcs kubernetes=kubernetes oss=oss pg=pg s3=s3 oci=oci"
leaves_out="without the azurerm, consul, cos, gcs, kubernetes, oss, pg, s3 and oci remote-state backends (the Go module proxy lacks the in-repo submodules they need for releases after 1.12); local, http, inmem, remote and cloud are in"

usage() {
  echo "usage: $0 [--force-build] [VERSION] | $0 --path-from MIN [VERSION]" >&2
  exit 2
}
force=false
path_from=
version=
while (($#)); do
  case $1 in
    --force-build) force=true ;;
    --path-from) (($# >= 2)) || usage; path_from=$2; shift ;;
    -*) usage ;;
    *) [[ -z $version ]] || usage; version=$1 ;;
  esac
  shift
done
version=${version:-${TERRAFORM_VERSION:-$default_version}}
version=${version#v}
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "$0: not a release version: $version" >&2; exit 2; }
[[ -z $path_from || $path_from =~ ^[0-9]+\.[0-9]+(\.[0-9]+)?$ ]] || { echo "$0: --path-from wants X.Y[.Z], not $path_from" >&2; exit 2; }
$force && [[ -n $path_from ]] && usage

exec 3>&1 1>&2 # keep stdout for the final path only
export CHECKPOINT_DISABLE=1 # stop `terraform version` from phoning home

# The X.Y.Z[-pre] of a terraform binary, empty when it is not Terraform.
# Match the line anywhere: a CLI-config warning can come first, even on stdout.
version_of() {
  local out
  out=$("$1" version 2>/dev/null) || return 0
  sed -n 's/^Terraform v\([0-9][^[:space:]]*\)$/\1/p' <<<"$out" | head -n1
}
is_version() { [[ $(version_of "$1") == "$2" ]]; }
# version_ge A B: A >= B, comparing the numeric X.Y.Z parts only.
version_ge() {
  local a=${1%%-*} b=$2
  [[ $(printf '%s\n%s\n' "$b" "$a" | sort -t. -k1,1n -k2,2n -k3,3n | head -n1) == "$b" ]]
}

if ! $force && command -v terraform >/dev/null; then
  path=$(readlink -f "$(command -v terraform)")
  found=$(version_of "$path")
  if [[ -n $found ]]; then
    if [[ $found == "$version" ]] || { [[ -n $path_from ]] && version_ge "$found" "$path_from"; }; then
      echo "$path" >&3
      exit 0
    fi
    [[ -z $path_from ]] || echo "terraform on PATH is $found, older than $path_from: using $version instead"
  fi
fi

tools_dir=${ENGAGE_TOOLS_DIR:-$HOME/.cache/engage-tools}
mkdir -p "$tools_dir"
tools_dir=$(cd "$tools_dir" && pwd)
dest=$tools_dir/terraform-$version/terraform
submodule_version=${submodule_versions[$version]:-}
if ! $force && [[ -x $dest ]]; then
  [[ -n $submodule_version ]] || echo "note: terraform $version is a reduced build, $leaves_out"
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
fail() { echo "tools/terraform.sh: $*" >&2; exit 1; }

# The main module's `replace X => ./dir` lines: the in-repo submodules.
local_replaces() { awk '$1 == "replace" && $4 ~ /^\.\// { print $2, $4 }' src/go.mod; }

# Delete the dropped backends from internal/backend/init/init.go: their
# imports (by import path) and their map entries (by key, calling the alias of
# a deleted import). Every one must be found exactly once, and nothing may
# name them afterwards, or the file is not what this recipe was written for.
drop_backends() {
  local f=src/internal/backend/init/init.go pair key dir alias n
  [[ -f $f ]] || fail "$f is missing"
  for pair in $dropped_backends; do
    key=${pair%%=*} dir=${pair#*=}
    n=$(grep -cE "^[[:space:]]*[A-Za-z0-9_]+ \"github\.com/hashicorp/terraform/internal/backend/remote-state/$dir\"$" "$f" || true)
    [[ $n == 1 ]] || fail "init.go: expected one import of remote-state/$dir, found $n; update the recipe"
    alias=$(sed -nE "s#^[[:space:]]*([A-Za-z0-9_]+) \"github\.com/hashicorp/terraform/internal/backend/remote-state/$dir\"\$#\1#p" "$f")
    n=$(grep -cE "^[[:space:]]*\"$key\":[[:space:]]*func\(\) backend\.Backend \{ return $alias\.New\(\) \},$" "$f" || true)
    [[ $n == 1 ]] || fail "init.go: expected one backends entry \"$key\" calling $alias.New(), found $n; update the recipe"
    sed -i -E \
      -e "\#^[[:space:]]*$alias \"github\.com/hashicorp/terraform/internal/backend/remote-state/$dir\"\$#d" \
      -e "/^[[:space:]]*\"$key\":[[:space:]]*func\(\) backend\.Backend \{ return $alias\.New\(\) \},\$/d" "$f"
    ! grep -qE "\\b$alias\\b|remote-state/$dir\"" "$f" || fail "init.go still names $alias or remote-state/$dir after the edit"
  done
  gofmt -l "$f" >/dev/null || fail "init.go does not parse after the edit"
}

root=$(moddir "github.com/hashicorp/terraform@v$version")
cp -R "$root/." src
chmod -R u+w src # copies of the read-only module cache stay read-only
if [[ -n $submodule_version ]]; then
  echo "building terraform $version from the Go module proxy in $work ..."
  # `go install terraform@v` refuses modules with replace directives, so build
  # in a copy and put each `replace X => ./dir` submodule where it points.
  local_replaces | while read -r mod dir; do
    sub=$(moddir "$mod@$submodule_version")
    mkdir -p "src/$dir"
    cp -R "$sub/." "src/$dir"
  done
  chmod -R u+w src
  goflags=
else
  echo "building terraform $version from the Go module proxy in $work,"
  echo "  $leaves_out ..."
  expected=" internal/legacy"
  for pair in $dropped_backends; do expected+=" internal/backend/remote-state/${pair#*=}"; done
  while read -r mod dir; do
    dir=${dir#./}
    [[ $mod == "github.com/hashicorp/terraform/$dir" && " $expected " == *" $dir "* ]] ||
      fail "go.mod replaces $mod => ./$dir, which this recipe does not know; update it"
    go mod edit -dropreplace="$mod" -droprequire="$mod" src/go.mod
  done < <(local_replaces)
  ! local_replaces | grep -q . || fail "go.mod still has local replace directives"
  drop_backends
  goflags=-mod=mod # go.sum and go.mod may need the dropped requires' fallout
fi
# Go >= 1.24 rejects the tlskyber godebug setting (renamed to tlsmlkem); only
# the main go.mod has it, and only the main module's godebug lines count.
go mod edit -dropgodebug=tlskyber src/go.mod
# dev=no drops the "-dev" suffix, as in release builds, so `terraform version`
# prints "Terraform vX.Y.Z" (the version itself is src/version/VERSION).
(cd src && GOFLAGS=$goflags go build -trimpath -buildvcs=false -o "$work/terraform" \
  -ldflags "-s -w -X github.com/hashicorp/terraform/version.dev=no" .)

is_version "$work/terraform" "$version" || fail "built terraform is not v$version: $(version_of "$work/terraform")"
mkdir -p "$(dirname "$dest")"
mv -f "$work/terraform" "$dest"
echo "installed terraform $version at $dest"
[[ -n $submodule_version ]] || echo "note: terraform $version is a reduced build, $leaves_out"
echo "$dest" >&3
