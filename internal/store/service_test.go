package store

import (
	"reflect"
	"testing"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

func TestListPermissionsReturnsACopyOfTheCatalog(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		got, err := s.ListPermissions(t.Context())
		if err != nil {
			t.Fatalf("ListPermissions: %v", err)
		}
		want := access.DefaultCatalog().Permissions()
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("ListPermissions differs from the embedded catalog")
		}
		got[0].Key = "scribbled"
		if len(got[1].Implies) > 0 {
			got[1].Implies[0] = "scribbled"
		}
		if again, _ := s.ListPermissions(t.Context()); !reflect.DeepEqual(again, want) {
			t.Errorf("a caller's change to the result leaked into the catalog")
		}
	})
}

func TestWhoAmINamesTheEmbeddedCallerWithoutAnAddress(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		got, err := s.WhoAmI(t.Context())
		if err != nil || got.TokenName != "embedded" || got.ClientIP != "" {
			t.Errorf("WhoAmI = %+v, %v; want token embedded and no client IP", got, err)
		}
	})
}

func TestANewDatabaseHasTheDefaultSecuritySettings(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		got, err := s.GetSecuritySettings(t.Context())
		if err != nil {
			t.Fatalf("GetSecuritySettings: %v", err)
		}
		if got.UpdatedAt.IsZero() || got.Version != 1 {
			t.Errorf("UpdatedAt, Version = %v, %d; want set and 1", got.UpdatedAt, got.Version)
		}
		got.UpdatedAt, got.Version = access.DefaultSecuritySettings().UpdatedAt, 0
		if want := access.DefaultSecuritySettings(); !reflect.DeepEqual(got, want) {
			t.Errorf("GetSecuritySettings = %+v, want the defaults %+v", got, want)
		}
	})
}
