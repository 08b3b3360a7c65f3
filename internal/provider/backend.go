package provider

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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

func openEmbedded(ctx context.Context, dbPath string, secretKey []byte) (access.Service, error) {
	abs, err := filepath.Abs(dbPath)
	if err != nil {
		return nil, fmt.Errorf("resolving %q: %w", dbPath, err)
	}
	embeddedStores.Lock()
	defer embeddedStores.Unlock()
	if s, ok := embeddedStores.byPath[abs]; ok {
		return s, nil
	}
	var opts []store.Option
	if secretKey != nil {
		opts = append(opts, store.WithSecretKey(secretKey))
	}
	s, err := store.Open(ctx, abs, opts...)
	if err != nil {
		return nil, err
	}
	embeddedStores.byPath[abs] = s
	return s, nil
}

// embeddedKeyFromEnv decodes EnvEmbeddedKey; nil when it is unset. Errors
// describe the value's shape, never the value.
func embeddedKeyFromEnv() ([]byte, error) {
	raw, ok := os.LookupEnv(EnvEmbeddedKey)
	if !ok || raw == "" {
		return nil, nil
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(raw))
	if err != nil || len(key) != store.SecretKeySize {
		return nil, fmt.Errorf("%s must be %d random bytes in standard base64 (for example the output of `openssl rand -base64 %d`)",
			EnvEmbeddedKey, store.SecretKeySize, store.SecretKeySize)
	}
	return key, nil
}
