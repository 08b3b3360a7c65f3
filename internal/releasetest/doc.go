// Package releasetest tests the release the way a Terraform user meets it:
// the snapshot's artifacts (make release-snapshot) checked file by file, then
// installed by the real terraform CLI from a provider network mirror on
// 127.0.0.1, locked for every platform, and used for a plan; a tampered
// archive must fail terraform init. It also tests tools/changelog-check.sh on
// throwaway git repositories. The tests of the artifacts need
// ENGAGE_RELEASE_DIR (make release-test sets it) and skip without it.
package releasetest
