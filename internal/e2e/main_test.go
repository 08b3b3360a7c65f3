package e2e_test

import (
	"os"
	"testing"

	"github.com/engage-oss/terraform-provider-engage/internal/e2e"
	"github.com/engage-oss/terraform-provider-engage/internal/pgtest"
)

// The replica tests run `serve` on a PostgreSQL database of the test
// binary's private cluster (package pgtest), which Main stops at the end.
func TestMain(m *testing.M) {
	os.Exit(e2e.Main(e2e.RunFunc(func() int { return pgtest.Main(m) })))
}
