package provider

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/store"
)

// embeddedStores keeps one open store per database file for the life of the
// process. The framework has no provider-level Close, and Configure runs once
// per Terraform command: in a plugin process that is once, but the
// acceptance tests serve many commands from one process, and reopening (and
// leaking) a connection pool per command would be wasteful.
var embeddedStores = struct {
	sync.Mutex
	byPath map[string]*store.Store
}{byPath: map[string]*store.Store{}}

func openEmbedded(ctx context.Context, dbPath string) (access.Service, error) {
	abs, err := filepath.Abs(dbPath)
	if err != nil {
		return nil, fmt.Errorf("resolving %q: %w", dbPath, err)
	}
	embeddedStores.Lock()
	defer embeddedStores.Unlock()
	if s, ok := embeddedStores.byPath[abs]; ok {
		return s, nil
	}
	s, err := store.Open(ctx, abs)
	if err != nil {
		return nil, err
	}
	embeddedStores.byPath[abs] = s
	return s, nil
}
