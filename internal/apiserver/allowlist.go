package apiserver

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// AllowlistMaxAge bounds how stale the allowlists a server enforces may be
// when its service cannot say whether they changed (see
// allowlistGenerations): a change made through another process is enforced
// here within this time. A change made through this server is enforced at
// once.
const AllowlistMaxAge = time.Second

// allowlistGenerations is a service that numbers the states of the
// allowlists (the store: every change, on any server or by `admin
// allowlists disable-all`, bumps the number in its own transaction).
type allowlistGenerations interface {
	IPAllowlistsGeneration(ctx context.Context) (int64, error)
}

// networkGate holds the allowlists' verdict on addresses (an address set,
// access.NetworkPolicy), so that a request costs a set lookup, not a read of
// every list with every entry (a 5,000-entry list, even disabled, took every
// 401 from 1-3 ms to 10-50 ms when each request read them). The lists are
// read again, by one request while the others wait, when they changed:
// over a service with generations, whenever the generation moved (one read
// of a one-row counter per request, so a change on any replica is enforced
// at the next request); otherwise at most once per AllowlistMaxAge.
type networkGate struct {
	svc         access.Service
	generations allowlistGenerations // nil: expire after maxAge
	maxAge      time.Duration
	now         func() time.Time

	reads singleflight.Group

	mu         sync.Mutex
	policy     access.NetworkPolicy
	generation int64
	readAt     time.Time
	fresh      bool
	epoch      uint64 // bumped by invalidate: a read started before it is not kept
}

func newNetworkGate(svc access.Service, now func() time.Time) *networkGate {
	g := &networkGate{svc: svc, maxAge: AllowlistMaxAge, now: now}
	g.generations, _ = svc.(allowlistGenerations)
	return g
}

// current returns the policy, reading the lists again when they changed
// (or, without generations, are older than maxAge) or were invalidated.
func (g *networkGate) current(ctx context.Context) (access.NetworkPolicy, error) {
	var generation int64
	if g.generations != nil {
		var err error
		if generation, err = g.generations.IPAllowlistsGeneration(ctx); err != nil {
			return access.NetworkPolicy{}, err
		}
	}
	g.mu.Lock()
	if g.fresh && (g.generations != nil && g.generation == generation || g.generations == nil && g.now().Sub(g.readAt) < g.maxAge) {
		p := g.policy
		g.mu.Unlock()
		return p, nil
	}
	g.mu.Unlock()
	v, err, _ := g.reads.Do("", func() (any, error) {
		g.mu.Lock()
		epoch, readAt := g.epoch, g.now()
		g.mu.Unlock()
		// The generation was read before the lists: a change in between
		// costs one more read, never a stale policy kept.
		lists, err := access.ListAll(context.WithoutCancel(ctx), g.svc.ListIPAllowlists)
		if err != nil {
			return nil, err
		}
		policy, err := access.NewNetworkPolicy(lists)
		if err != nil {
			return nil, err
		}
		g.mu.Lock()
		if g.epoch == epoch { // no write through this server since the read began
			g.policy, g.generation, g.readAt, g.fresh = policy, generation, readAt, true
		}
		g.mu.Unlock()
		return policy, nil
	})
	if err != nil {
		return access.NetworkPolicy{}, err
	}
	return v.(access.NetworkPolicy), nil //nolint:forcetypeassert // the function returns only this type
}

// invalidate makes the next request read the lists again: called after
// every allowlist write through this server.
func (g *networkGate) invalidate() {
	g.mu.Lock()
	g.fresh = false
	g.epoch++
	g.mu.Unlock()
}

// enforceAllowlists refuses, with 403, a request from an address outside
// every enabled IP allowlist, as the platform does for its console: when no
// list is enabled, every address is allowed.
func (s *server) enforceAllowlists(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr, err := netip.ParseAddr(clientIP(r))
		if err != nil {
			s.writeError(w, r, fmt.Errorf("%w: cannot tell the client's address (%q)", access.ErrForbidden, r.RemoteAddr))
			return
		}
		policy, err := s.network.current(r.Context())
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if !policy.Allows(addr) {
			s.writeError(w, r, fmt.Errorf("%w: the address %s is not in any enabled IP allowlist (an operator who can reach "+
				"the server's database can disable them all: terraform-provider-engage admin allowlists disable-all)", access.ErrForbidden, addr))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// invalidatingNetwork wraps an allowlist write: whatever its outcome, the
// next request reads the lists again, so a change made here is enforced at
// once.
func (s *server) invalidatingNetwork(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		defer s.network.invalidate()
		h(w, r)
	}
}
