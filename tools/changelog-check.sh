#!/usr/bin/env bash
# Fail when a change touches internal/ while neither CHANGELOG.md nor a commit
# message saying `no-changelog` does: the Unreleased section of CHANGELOG.md
# must describe everything the next release ships.
#
# Usage: tools/changelog-check.sh [BASE]
#
# What "the change" is:
# * BASE given (or CHANGELOG_BASE set): the commits BASE..HEAD, as one change.
# * On a branch (HEAD is not the tip of main): what the branch would bring to
#   main, merge-base(main, HEAD)..HEAD, as one change. main is the local main,
#   else origin/main.
# * On main (CI's clean clone of the submitted main, where no upstream may
#   exist): each landing on main's first-parent line (a merge brings its branch,
#   a direct commit itself), from HEAD back to the newest landing that updated
#   CHANGELOG.md. Every landing in between that touched internal/ without the
#   marker fails the check, so a submission of several merges is checked whole,
#   and a landing that updates the changelog brings the check back to green.
#
# `no-changelog` in any commit message of the change (a merge's branch commits
# included) exempts it: tests, refactors, nothing a user would notice.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"

marker=no-changelog
base=${1:-${CHANGELOG_BASE:-}}

fail=0

# check_change FROM TO LABEL: FROM may be empty for a root commit.
check_change() {
  local from=$1 to=$2 label=$3 files
  if [[ -n $from ]]; then
    files=$(git diff --name-only "$from" "$to")
  else
    files=$(git show --pretty=format: --name-only "$to")
  fi
  if ! grep -q '^internal/' <<<"$files"; then
    echo "changelog-check: $label: no change under internal/"
    return
  fi
  if grep -qx 'CHANGELOG.md' <<<"$files"; then
    echo "changelog-check: $label: updates CHANGELOG.md"
    return
  fi
  if git log --format=%B "${from:+$from..}$to" | grep -qiw -- "$marker"; then
    echo "changelog-check: $label: touches internal/, marked $marker"
    return
  fi
  echo "changelog-check: $label touches internal/ but neither CHANGELOG.md nor a commit message saying $marker:" >&2
  grep '^internal/' <<<"$files" | head -n 10 | sed 's/^/  /' >&2
  fail=1
}

main_ref=
for ref in main origin/main; do
  if git rev-parse --verify --quiet "$ref^{commit}" >/dev/null; then main_ref=$ref; break; fi
done
head=$(git rev-parse HEAD)

if [[ -n $base ]]; then
  check_change "$(git rev-parse --verify "$base^{commit}")" "$head" "$base..HEAD"
elif [[ -n $main_ref && $(git rev-parse "$main_ref") != "$head" ]]; then
  from=$(git merge-base "$main_ref" "$head")
  if [[ $from == "$head" ]]; then
    echo "changelog-check: HEAD is behind $main_ref: nothing to check"
  else
    check_change "$from" "$head" "the branch ($(git rev-list --count "$from..$head") commits since $main_ref)"
  fi
else
  [[ -f CHANGELOG.md ]] || { echo "changelog-check: no CHANGELOG.md" >&2; exit 1; }
  for landing in $(git rev-list --first-parent HEAD); do
    parent=$(git rev-parse --verify --quiet "$landing^1" || true)
    check_change "$parent" "$landing" "landing $(git log -1 --format='%h "%s"' "$landing")"
    if [[ -z $parent ]] || git diff --name-only "$parent" "$landing" | grep -qx 'CHANGELOG.md'; then
      break
    fi
  done
fi

if ((fail)); then
  echo "changelog-check: add what changes for users under \"## [Unreleased]\" in CHANGELOG.md," >&2
  echo "  or, when nothing does (tests, refactoring), say $marker in a commit message." >&2
  exit 1
fi
