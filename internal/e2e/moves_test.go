package e2e_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/e2e"
)

// How many times the tests below move an object to another address.
const (
	maskingMoves = 20
	roleMoves    = 5
)

// TestMaskingColumnMovedBetweenAddressesWithoutMovedIsNeverLost moves one
// masking column (same table, column and mask) back and forth between two
// resource addresses, 20 times, without a `moved` block, on both backends.
// Terraform then plans the destroy of the old address and the create of the
// new one, and runs them in parallel: when the delete runs first the apply
// succeeds; when the create runs first it fails with "Masking column already
// exists" (creates never take over an existing object) and the delete still
// unmasks the column, so applying again masks it anew. (When the delete
// commits between the create's conflict and the provider's look-up of the
// object holding the column, the error says the holder was deleted moments
// later by this apply, and to apply again: counted apart, recovered the same
// way.) After every apply the
// column must be masked on the platform if and only if the state holds an
// address for it, at most one address may hold it, and a successful apply
// must leave it masked as configured, at the new address: a move never loses
// the mask behind an "Apply complete!".
func TestMaskingColumnMovedBetweenAddressesWithoutMovedIsNeverLost(t *testing.T) {
	tf := e2e.Setup(t)
	const table, column, mask = "contacts", "email", access.MaskPartial
	moveBetweenAddresses(t, tf, readdressed{
		kind: kindMasking, key: table + "/" + column, moves: maskingMoves,
		conflict:  "Masking column already exists",
		lostRace:  "Unable to create masking column",
		lostCause: "was deleted moments later, most likely by this same apply",
		block: func(addr string) string {
			return fmt.Sprintf("resource %q %q {\n  table = %q\n  column = %q\n  mask = %q\n  description = \"moved without a moved block\"\n}\n",
				kindMasking, addr, table, column, mask)
		},
		check: func(t *testing.T, svc access.Service) {
			c, err := svc.GetMaskingColumn(t.Context(), table, column)
			if err != nil {
				t.Fatalf("reading the masked column: %v", err)
			}
			if c.Mask != mask {
				t.Fatalf("the column is masked %q, want %q", c.Mask, mask)
			}
		},
	})
}

// TestRoleRenamedWithoutMovedIsNeverLost is the same for a role whose
// address changes, its name staying, 5 times: a failed create ("Role already
// exists", or "deleted moments later" when the delete wins the race to the
// look-up) leaves the old role deleted, and applying again creates it anew;
// after every apply the role exists on the platform if and only if the state
// holds it, under the id the platform gives it.
func TestRoleRenamedWithoutMovedIsNeverLost(t *testing.T) {
	tf := e2e.Setup(t)
	const name = "Moved role"
	moveBetweenAddresses(t, tf, readdressed{
		kind: kindRole, key: name, moves: roleMoves,
		conflict:  "Role already exists",
		lostRace:  "Unable to create role",
		lostCause: "was deleted moments later, most likely by this same apply",
		block: func(addr string) string {
			return fmt.Sprintf("resource %q %q {\n  name = %q\n  description = \"renamed without a moved block\"\n  permissions = [\"campaign.view\"]\n}\n",
				kindRole, addr, name)
		},
	})
}

// readdressed is one object whose block changes address, and only address,
// from one configuration to the next.
type readdressed struct {
	kind string
	// key is the object's name as an inventory has it.
	key string
	// conflict is the error summary of a create that runs before the delete
	// of the old address.
	conflict string
	// lostRace and lostCause are the summary and a part of the detail of
	// the same create's error when the delete commits after the create's
	// conflict but before the provider looks up the object holding the key
	// to explain it: the platform's own conflict, passed on.
	lostRace, lostCause string
	moves               int
	// block declares the object at the address kind.addr.
	block func(addr string) string
	// check, when set, asserts what the platform holds for a managed
	// object beyond its presence.
	check func(t *testing.T, svc access.Service)
}

// moveBetweenAddresses runs the moves of o on each backend in parallel.
func moveBetweenAddresses(t *testing.T, tf *e2e.Terraform, o readdressed) {
	for _, pl := range platforms {
		t.Run(pl.name, func(t *testing.T) {
			t.Parallel()
			o.run(t, tf, pl.start(t))
		})
	}
}

// run applies the object at address a, then moves it between b and a
// o.moves times, checking the invariant after every apply and recovering a
// failed move by applying again. It logs how the moves went.
func (o readdressed) run(t *testing.T, tf *e2e.Terraform, p platform) {
	w := tf.NewWorkdir(t, p.Backend)
	w.WriteConfig(t, o.block("a"))
	w.MustRun(t, "init")
	w.MustRun(t, "apply", "-auto-approve")
	if !o.holds(t, w, p) {
		t.Fatalf("%s: the first apply succeeded, but %s %q is not on the platform", p.name, o.kind, o.key)
	}
	var deleteFirst, createFirst, lostRace int
	for i := range o.moves {
		addr := []string{"b", "a"}[i%2]
		w.WriteConfig(t, o.block(addr))
		res := w.Run(t.Context(), "apply", "-auto-approve")
		on := o.holds(t, w, p)
		switch {
		case res.ExitCode == 0:
			if !on {
				t.Fatalf("move %d to %s: Apply complete, but %s %q is not on the platform:\n%s", i+1, addr, o.kind, o.key, res)
			}
			o.heldAt(t, w, addr)
			deleteFirst++
			continue
		case on:
			t.Fatalf("move %d to %s: the apply failed, yet the old address's delete left %s %q on the platform:\n%s",
				i+1, addr, o.kind, o.key, res)
		case strings.Contains(res.Stderr, o.conflict):
			createFirst++
		case strings.Contains(res.Stderr, o.lostRace) && strings.Contains(strings.Join(strings.Fields(res.Stderr), " "), o.lostCause):
			lostRace++
			t.Logf("move %d to %s: the delete committed before the look-up that explains the conflict:\n%s", i+1, addr, res.Stderr)
		default:
			t.Fatalf("move %d to %s: failed, and not with %q:\n%s", i+1, addr, o.conflict, res)
		}
		again := w.Run(t.Context(), "apply", "-auto-approve")
		if again.Err != nil {
			t.Fatalf("move %d to %s: applying again after %q failed:\n%s", i+1, addr, o.conflict, again)
		}
		if !o.holds(t, w, p) {
			t.Fatalf("move %d to %s: the apply after %q succeeded, but %s %q is not on the platform:\n%s", i+1, addr, o.conflict, o.kind, o.key, again)
		}
		o.heldAt(t, w, addr)
		if plan := w.Run(t.Context(), "plan", "-detailed-exitcode"); plan.ExitCode != 0 {
			t.Fatalf("move %d to %s: the apply after %q did not converge:\n%s", i+1, addr, o.conflict, plan)
		}
	}
	if plan := w.Run(t.Context(), "plan", "-detailed-exitcode"); plan.ExitCode != 0 {
		t.Fatalf("after %d moves the plan is not empty:\n%s", o.moves, plan)
	}
	t.Logf("%s: %d moves of %s %q without a moved block: %d applied at once (the delete ran first), "+
		"%d failed with %q (the create ran first), %d with %q (the create ran first, the delete committed before "+
		"the provider looked up the holder); every failed one converged on the next apply",
		p.name, o.moves, o.kind, o.key, deleteFirst, createFirst, o.conflict, lostRace, o.lostRace)
}

// holds checks the invariant, that the object is on the platform if and
// only if the state holds it, under the same id, at no more than one
// address, and nowhere twice; and it reports whether the object is there.
func (o readdressed) holds(t *testing.T, w *e2e.Workdir, p platform) bool {
	t.Helper()
	var stateIDs, addrs []string
	for _, r := range w.State(t) {
		if id, name := stateKey(r); r.Type == o.kind && name == o.key {
			stateIDs = append(stateIDs, id)
			addrs = append(addrs, r.Type+"."+r.Name)
		}
	}
	var platformIDs []string
	p.look(t, func(svc access.Service) {
		for id, name := range serviceInventory(t, svc)[o.kind] {
			if name == o.key {
				platformIDs = append(platformIDs, id)
			}
		}
		if len(platformIDs) == 1 && o.check != nil {
			o.check(t, svc)
		}
	})
	switch {
	case len(addrs) > 1:
		t.Fatalf("%s %q is held by %d addresses: %q", o.kind, o.key, len(addrs), addrs)
	case len(platformIDs) > 1:
		t.Fatalf("the platform holds %s %q %d times: %q", o.kind, o.key, len(platformIDs), platformIDs)
	case len(addrs) != len(platformIDs):
		t.Fatalf("%s %q: the state holds it at %q, the platform under the ids %q; want both or neither",
			o.kind, o.key, addrs, platformIDs)
	case len(addrs) == 1 && stateIDs[0] != platformIDs[0]:
		t.Fatalf("%s %q: the state at %s holds the id %q, the platform has %q", o.kind, o.key, addrs[0], stateIDs[0], platformIDs[0])
	}
	return len(platformIDs) == 1
}

// heldAt fails the test unless the state holds the object at o.kind.addr.
func (o readdressed) heldAt(t *testing.T, w *e2e.Workdir, addr string) {
	t.Helper()
	for _, r := range w.State(t) {
		if _, name := stateKey(r); r.Type == o.kind && name == o.key {
			if r.Name != addr {
				t.Fatalf("%s %q is held at %s.%s, want %s.%s", o.kind, o.key, r.Type, r.Name, o.kind, addr)
			}
			return
		}
	}
	t.Fatalf("no address holds %s %q, want %s.%s", o.kind, o.key, o.kind, addr)
}
