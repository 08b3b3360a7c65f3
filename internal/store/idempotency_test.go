package store

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

var (
	rolePOST  = IdempotencyScope{TokenID: "tok_a", Method: "POST", Path: "/v1/roles", Key: "k-1"}
	firstBody = sha256.Sum256([]byte(`{"name":"Ops"}`))
	answer    = StoredResponse{Status: 201, Header: map[string][]string{"Etag": {`"1"`}, "Location": {"/v1/roles/rol_1"}}, Body: []byte(`{"id":"rol_1"}`)}
)

func mustClaim(t *testing.T, s *Store, scope IdempotencyScope, hash [sha256.Size]byte) *IdempotencyClaim {
	t.Helper()
	claim, replay, err := s.ClaimIdempotencyKey(t.Context(), scope, hash)
	if err != nil || replay != nil || claim == nil {
		t.Fatalf("ClaimIdempotencyKey(%+v) = %v, %+v, %v; want a claim", scope, claim, replay, err)
	}
	return claim
}

func assertReplay(t *testing.T, s *Store, scope IdempotencyScope, hash [sha256.Size]byte, want StoredResponse) {
	t.Helper()
	claim, replay, err := s.ClaimIdempotencyKey(t.Context(), scope, hash)
	if err != nil || claim != nil || replay == nil || !reflect.DeepEqual(*replay, want) {
		t.Fatalf("ClaimIdempotencyKey(%+v) = %v, %+v, %v; want the replay %+v", scope, claim, replay, err, want)
	}
}

func TestAnAnsweredKeyIsReplayedByEveryServerAndAfterARestart(t *testing.T) {
	t.Parallel()
	forEachTestDialect(t, func(t *testing.T, d testDialect) {
		database := d.newDatabase(t)
		servers := [2]*Store{openDatabase(t, database), openDatabase(t, database)}
		claim := mustClaim(t, servers[0], rolePOST, firstBody)
		if err := servers[0].CompleteIdempotencyKey(t.Context(), claim, answer); err != nil {
			t.Fatalf("CompleteIdempotencyKey: %v", err)
		}
		assertReplay(t, servers[1], rolePOST, firstBody, answer)
		_ = servers[0].Close()
		assertReplay(t, openDatabase(t, database), rolePOST, firstBody, answer)
	})
}

func TestAKeyIsScopedByTokenMethodAndPath(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		if err := s.CompleteIdempotencyKey(t.Context(), mustClaim(t, s, rolePOST, firstBody), answer); err != nil {
			t.Fatal(err)
		}
		other := map[string]IdempotencyScope{"token": rolePOST, "method": rolePOST, "path": rolePOST}
		other["token"] = IdempotencyScope{TokenID: "tok_b", Method: "POST", Path: "/v1/roles", Key: "k-1"}
		other["method"] = IdempotencyScope{TokenID: "tok_a", Method: "DELETE", Path: "/v1/roles", Key: "k-1"}
		other["path"] = IdempotencyScope{TokenID: "tok_a", Method: "POST", Path: "/v1/roles/rol_2", Key: "k-1"}
		for what, scope := range other {
			t.Run("another "+what, func(t *testing.T) {
				mustClaim(t, s, scope, firstBody) // not the first request's answer
			})
		}
	})
}

func TestAKeyReusedWithAnotherBodyIsRefused(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		claim := mustClaim(t, s, rolePOST, firstBody)
		other := sha256.Sum256([]byte(`{"name":"Other"}`))
		if _, _, err := s.ClaimIdempotencyKey(t.Context(), rolePOST, other); !errors.Is(err, ErrIdempotencyKeyReused) {
			t.Errorf("while the first runs: %v; want ErrIdempotencyKeyReused", err)
		}
		if err := s.CompleteIdempotencyKey(t.Context(), claim, answer); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.ClaimIdempotencyKey(t.Context(), rolePOST, other); !errors.Is(err, ErrIdempotencyKeyReused) {
			t.Errorf("once answered: %v; want ErrIdempotencyKeyReused", err)
		}
	})
}

func TestRacingRequestsWithOneKeyRunOnce(t *testing.T) {
	t.Parallel()
	forEachTestDialect(t, func(t *testing.T, d testDialect) {
		servers := racingStores(t, d)
		const n = 10
		claims := make([]*IdempotencyClaim, n)
		errs := race(servers, n, func(i int, s *Store) (err error) {
			claims[i], _, err = s.ClaimIdempotencyKey(t.Context(), rolePOST, firstBody)
			return err
		})
		if ok, inFlight := tally(t, errs, ErrIdempotencyKeyInFlight); ok != 1 || inFlight != n-1 {
			t.Fatalf("%d claims, %d told the first is in flight; want 1 and %d", ok, inFlight, n-1)
		}
		for _, c := range claims {
			if c != nil {
				if err := servers[1].ReleaseIdempotencyKey(t.Context(), c); err != nil {
					t.Fatal(err)
				}
			}
		}
		mustClaim(t, servers[0], rolePOST, firstBody) // released: a retry runs
	})
}

func TestAnAbandonedOrExpiredKeyStartsAfresh(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		age := func(column string, by time.Duration) {
			t.Helper()
			if _, err := s.db.ExecContext(ctx, `UPDATE idempotency_records SET `+column+` = ? WHERE idem_key = ?`,
				formatTime(time.Now().Add(-by)), rolePOST.Key); err != nil {
				t.Fatal(err)
			}
		}
		first := mustClaim(t, s, rolePOST, firstBody)
		age("claimed_at", idempotencyLease+time.Second) // its server died
		second := mustClaim(t, s, rolePOST, firstBody)
		if err := s.CompleteIdempotencyKey(ctx, first, answer); !errors.Is(err, ErrIdempotencyClaimLost) {
			t.Errorf("completing the abandoned claim: %v; want ErrIdempotencyClaimLost", err)
		}
		if err := s.CompleteIdempotencyKey(ctx, second, answer); err != nil {
			t.Fatal(err)
		}
		age("created_at", IdempotencyTTL+time.Second)
		other := sha256.Sum256([]byte("another body: the expired record is forgotten"))
		mustClaim(t, s, rolePOST, other)
		if total := idempotencyBytes(t, s); total != 0 {
			t.Errorf("after the expired answer was replaced by a claim: %d bytes counted, want 0", total)
		}
	})
}

func TestPruneDeletesExpiredRecords(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		for _, key := range []string{"old-1", "old-2", "new"} {
			scope := rolePOST
			scope.Key = key
			if err := s.CompleteIdempotencyKey(ctx, mustClaim(t, s, scope, firstBody), answer); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.db.ExecContext(ctx, `UPDATE idempotency_records SET created_at = ? WHERE idem_key LIKE 'old-%'`,
			formatTime(time.Now().Add(-IdempotencyTTL-time.Minute))); err != nil {
			t.Fatal(err)
		}
		n, err := s.PruneIdempotencyRecords(ctx)
		if err != nil || n != 2 {
			t.Fatalf("PruneIdempotencyRecords = %d, %v; want the 2 expired", n, err)
		}
		assertCountedBytesMatchTheRecords(t, s)
		scope := rolePOST
		scope.Key = "new"
		assertReplay(t, s, scope, firstBody, answer)
	})
}

func TestAnswersAreBoundedOneByOneAndInTotal(t *testing.T) {
	t.Parallel()
	forEachTestDialect(t, func(t *testing.T, d testDialect) {
		ctx := t.Context()
		const perRecord, total = 2000, 5000
		s := openDatabase(t, d.newDatabase(t), WithIdempotencyLimits(perRecord, total))

		big := answer
		big.Body = bytes.Repeat([]byte("x"), perRecord)
		claim := mustClaim(t, s, rolePOST, firstBody)
		if err := s.CompleteIdempotencyKey(ctx, claim, big); !errors.Is(err, ErrIdempotentResponseTooLarge) {
			t.Fatalf("an answer over the per-record limit: %v; want ErrIdempotentResponseTooLarge", err)
		}
		mustClaim(t, s, rolePOST, firstBody) // released: a retry runs the write again

		medium := answer
		medium.Body = bytes.Repeat([]byte("y"), 1000) // about 1,400 bytes a record: three fit
		keys := []string{"a", "b", "c", "d", "e"}
		for _, key := range keys {
			scope := rolePOST
			scope.Key = key
			if err := s.CompleteIdempotencyKey(ctx, mustClaim(t, s, scope, firstBody), medium); err != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Millisecond) // distinct creation times: eviction is oldest first
		}
		if got := idempotencyBytes(t, s); got > total {
			t.Errorf("%d bytes stored, over the total limit %d", got, total)
		}
		assertCountedBytesMatchTheRecords(t, s)
		for i, key := range keys {
			scope := rolePOST
			scope.Key = key
			claim, replay, err := s.ClaimIdempotencyKey(ctx, scope, firstBody)
			kept := replay != nil
			if err != nil || kept != (i >= 2) {
				t.Errorf("key %s: claim %v, replay %v, %v; want the two oldest evicted and the three newest kept", key, claim != nil, kept, err)
			}
		}
	})
}

func TestIdempotencyKeysAreBounded(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		for name, scope := range map[string]IdempotencyScope{
			"an empty key":    {TokenID: "tok_a", Method: "POST", Path: "/v1/roles"},
			"a key too long":  {TokenID: "tok_a", Method: "POST", Path: "/v1/roles", Key: strings.Repeat("k", 256)},
			"a path too long": {TokenID: "tok_a", Method: "POST", Path: "/v1/" + strings.Repeat("p", 2048), Key: "k"},
		} {
			if _, _, err := s.ClaimIdempotencyKey(t.Context(), scope, firstBody); !errors.Is(err, access.ErrInvalid) {
				t.Errorf("%s: %v; want a validation error", name, err)
			}
		}
	})
}

// idempotencyBytes is the counted size of the stored answers.
func idempotencyBytes(t *testing.T, s *Store) int64 {
	t.Helper()
	var n int64
	if err := s.db.QueryRowContext(t.Context(), `SELECT value FROM change_counters WHERE name = 'idempotency_bytes'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func assertCountedBytesMatchTheRecords(t *testing.T, s *Store) {
	t.Helper()
	var sum int64
	if err := s.db.QueryRowContext(t.Context(), `SELECT coalesce(sum(size), 0) FROM idempotency_records`).Scan(&sum); err != nil {
		t.Fatal(err)
	}
	if counted := idempotencyBytes(t, s); counted != sum {
		t.Errorf("counted %d bytes of idempotency records, they hold %d", counted, sum)
	}
}
