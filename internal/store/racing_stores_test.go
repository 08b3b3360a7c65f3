package store

import (
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"testing"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// Several servers on one database are one platform: the rules that need
// stored state hold when two Stores (two pools, as two replicas would have)
// race on the same objects. On SQLite the file's write lock orders them; on
// PostgreSQL only the database can, since no lock in this process is shared
// with another server.

// racingStores opens the same new database twice.
func racingStores(t *testing.T, d testDialect) [2]*Store {
	t.Helper()
	database := d.newDatabase(t)
	return [2]*Store{openDatabase(t, database), openDatabase(t, database)}
}

// race runs n calls of fn at once, alternating between the stores, and
// returns their errors in order.
func race(stores [2]*Store, n int, fn func(i int, s *Store) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = fn(i, stores[i%2])
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// tally counts nil errors and errors matching want, and reports the rest.
func tally(t *testing.T, errs []error, want error) (ok, matching int) {
	t.Helper()
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, want):
			matching++
		default:
			t.Errorf("call %d: %v; want success or %v", i, err, want)
		}
	}
	return ok, matching
}

func TestRacingCreatesOfOneNameMakeOneObject(t *testing.T) {
	t.Parallel()
	forEachTestDialect(t, func(t *testing.T, d testDialect) {
		stores := racingStores(t, d)
		const n = 12
		errs := race(stores, n, func(i int, s *Store) error {
			// Different spellings of one name key.
			_, err := s.CreateRole(t.Context(), access.Role{Name: []string{"Racers", "RACERS", "racers"}[i%3], Permissions: []string{"campaign.view"}})
			return err
		})
		if ok, conflicts := tally(t, errs, access.ErrConflict); ok != 1 || conflicts != n-1 {
			t.Errorf("%d created, %d conflicts; want exactly 1 and %d", ok, conflicts, n-1)
		}
		var holder *access.ConflictError
		for _, err := range errs {
			if errors.As(err, &holder) && holder.Kind != "role" {
				t.Errorf("conflict of kind %q, want role: %v", holder.Kind, err)
			}
		}
		page, err := stores[0].ListRoles(t.Context(), access.ListOptions{})
		if err != nil || len(page.Items) != 3 { // plus the 2 system roles
			t.Errorf("ListRoles: %d roles, %v; want the 2 system roles and one more", len(page.Items), err)
		}
	})
}

func TestRacingConditionalUpdatesHaveOneWinner(t *testing.T) {
	t.Parallel()
	forEachTestDialect(t, func(t *testing.T, d testDialect) {
		stores := racingStores(t, d)
		r := mustCreateRole(t, stores[0], "Contested", "campaign.view")
		const n = 10
		errs := race(stores, n, func(i int, s *Store) error {
			update := r // at version 1: every caller read the same version
			update.Description = fmt.Sprintf("writer %d", i)
			_, err := s.UpdateRole(t.Context(), update)
			return err
		})
		if ok, stale := tally(t, errs, access.ErrPreconditionFailed); ok != 1 || stale != n-1 {
			t.Errorf("%d updates won, %d refused as stale; want exactly 1 and %d", ok, stale, n-1)
		}
		got, err := stores[1].GetRole(t.Context(), r.ID)
		if err != nil || got.Version != 2 {
			t.Errorf("after the race: version %d, %v; want 2 (one update)", got.Version, err)
		}
	})
}

// A role deleted while a user is being given it: either the user exists and
// the delete was refused, or the role is gone and the user was refused;
// never a user holding a deleted role (the foreign key would refuse that,
// but as an error no caller can act on).
func TestDeletingARoleWhileAUserIsGivenItKeepsTheRule(t *testing.T) {
	t.Parallel()
	forEachTestDialect(t, func(t *testing.T, d testDialect) {
		stores := racingStores(t, d)
		for round := range 8 {
			r := mustCreateRole(t, stores[0], fmt.Sprintf("Round %d", round), "campaign.view")
			errs := race(stores, 2, func(i int, s *Store) error {
				if i == 0 {
					return s.DeleteRole(t.Context(), r.ID, 0)
				}
				_, err := s.CreateUser(t.Context(), access.User{Email: fmt.Sprintf("u%d@example.com", round), RoleID: r.ID})
				return err
			})
			assertOneOfDeleteAndUseWon(t, round, errs)
		}
	})
}

func TestDeletingACredentialWhileADestinationUsesItKeepsTheRule(t *testing.T) {
	t.Parallel()
	forEachTestDialect(t, func(t *testing.T, d testDialect) {
		stores := racingStores(t, d)
		for round := range 8 {
			c := mustCreateCredential(t, stores[0], fmt.Sprintf("cred_%d", round), "s3cret-value")
			errs := race(stores, 2, func(i int, s *Store) error {
				if i == 0 {
					return s.DeleteTransferCredential(t.Context(), c.ID, 0)
				}
				_, err := s.CreateExportDestination(t.Context(), access.ExportDestination{
					Name:        fmt.Sprintf("dest %d", round),
					SFTP:        &access.SFTPTarget{Host: "sftp.example.com", Port: 22, Path: "/x", CredentialID: c.ID},
					ExportKinds: []access.ExportKind{access.ExportReport},
				})
				return err
			})
			assertOneOfDeleteAndUseWon(t, round, errs)
		}
	})
}

// assertOneOfDeleteAndUseWon checks the errors of a race between deleting
// an object (errs[0]) and creating another that uses it (errs[1]): exactly
// one succeeded, and the other was refused by the rule, as a conflict (still
// in use) or an invalid reference (no longer there).
func assertOneOfDeleteAndUseWon(t *testing.T, round int, errs []error) {
	t.Helper()
	deleteErr, createErr := errs[0], errs[1]
	switch {
	case deleteErr == nil && errors.Is(createErr, access.ErrInvalid):
	case createErr == nil && errors.Is(deleteErr, access.ErrConflict):
	default:
		t.Fatalf("round %d: delete: %v; create its user: %v; want exactly one to succeed, the other refused by the rule", round, deleteErr, createErr)
	}
}

// Two allowlist writes that each keep the caller inside an enabled list,
// but together shut it out, cannot both commit: the lockout guard reads the
// lists inside the write's transaction, so the database orders the writes
// and the second sees the first. (Checked before the write, on two
// replicas, both passed.)
func TestRacingAllowlistWritesCannotTogetherLockTheCallerOut(t *testing.T) {
	t.Parallel()
	forEachTestDialect(t, func(t *testing.T, d testDialect) {
		stores := racingStores(t, d)
		caller := netip.MustParseAddr("192.0.2.10")
		guarded := access.WithLockoutGuard(t.Context(), caller)
		for round := range 5 {
			// A list that stays enabled, without the caller: with no list
			// enabled at all, everyone would be let in.
			if _, err := stores[0].CreateIPAllowlist(t.Context(), access.IPAllowlist{
				Name: fmt.Sprint("branch ", round), Enabled: true, Entries: []access.AllowlistEntry{{CIDR: "203.0.113.0/24"}},
			}); err != nil {
				t.Fatal(err)
			}
			var lists [2]access.IPAllowlist
			for i := range lists {
				l, err := stores[0].CreateIPAllowlist(guarded, access.IPAllowlist{
					Name: fmt.Sprintf("office %d-%d", round, i), Enabled: true,
					Entries: []access.AllowlistEntry{{CIDR: "192.0.2.0/24"}},
				})
				if err != nil {
					t.Fatalf("round %d: creating list %d: %v", round, i, err)
				}
				lists[i] = l
			}
			// One replica turns the first list off, the other deletes the second.
			errs := race(stores, 2, func(i int, s *Store) error {
				if i == 0 {
					off := lists[0]
					off.Enabled = false
					_, err := s.UpdateIPAllowlist(guarded, off)
					return err
				}
				return s.DeleteIPAllowlist(guarded, lists[1].ID, lists[1].Version)
			})
			ok, refused := tally(t, errs, access.ErrConflict)
			if ok != 1 || refused != 1 {
				t.Fatalf("round %d: %d writes committed, %d refused (%v); want exactly one of each", round, ok, refused, errs)
			}
			var lockout *access.LockoutError
			if !errors.As(errors.Join(errs[:]...), &lockout) || lockout.Caller != caller {
				t.Errorf("round %d: the refusal is %v; want a LockoutError naming %s", round, errors.Join(errs[:]...), caller)
			}
			all, err := access.ListAll(t.Context(), stores[1].ListIPAllowlists)
			if err != nil {
				t.Fatal(err)
			}
			if !access.AllowedBy(all, caller) {
				t.Fatalf("round %d: the caller is locked out: %+v", round, all)
			}
			// Clean up (deliberately, unguarded) for the next round.
			for _, l := range all {
				if err := stores[0].DeleteIPAllowlist(t.Context(), l.ID, 0); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}
