package provider_test

import (
	"os"
	"testing"

	"github.com/engage-oss/terraform-provider-engage/internal/pgtest"
)

// The rest-postgres backend (make test-rest-postgres) serves from a database
// of the test binary's private PostgreSQL cluster, which Main stops at the
// end; the other backends start nothing.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
