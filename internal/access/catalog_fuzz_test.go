package access

import (
	"slices"
	"testing"
)

// closureInput turns fuzz bytes into a list of keys: each byte picks a
// catalog key, or (past the end of the catalog) the free-form extra string,
// which is usually not a key at all. Repeats and any order are possible.
func closureInput(c *Catalog, pick []byte, extra string) []string {
	keys := c.Keys()
	in := make([]string, 0, len(pick))
	for _, b := range pick {
		if i := int(b) % (len(keys) + 1); i < len(keys) {
			in = append(in, keys[i])
		} else {
			in = append(in, extra)
		}
	}
	return in
}

// referenceClosure is the closure computed the obvious way, breadth first
// over implies, to compare the catalog's precomputed one against.
func referenceClosure(c *Catalog, keys []string) map[string]bool {
	seen := map[string]bool{}
	queue := []string{}
	for _, k := range keys {
		if _, ok := c.Lookup(k); ok && !seen[k] {
			seen[k] = true
			queue = append(queue, k)
		}
	}
	for len(queue) > 0 {
		p, _ := c.Lookup(queue[0])
		queue = queue[1:]
		for _, dep := range p.Implies {
			if !seen[dep] {
				seen[dep] = true
				queue = append(queue, dep)
			}
		}
	}
	return seen
}

// FuzzClosure checks the dependency closure of any list of keys: it holds
// every known input key, is closed under implies and holds nothing else (it
// equals a breadth-first reference), is sorted without repeats, is
// idempotent, does not depend on the order or repetition of its input, and
// leaves the input alone. DeriveRole's sensitivity follows from it.
func FuzzClosure(f *testing.F) {
	c := DefaultCatalog()
	keys := c.Keys()
	index := func(key string) byte { return byte(slices.Index(keys, key)) }
	f.Add([]byte{}, "")
	f.Add([]byte{index("campaign.publish")}, "")
	f.Add([]byte{index("campaign.publish"), index("campaign.view"), index("campaign.publish")}, "")
	f.Add([]byte{index("data.manage_table_relations"), index("data.import_data"), byte(len(keys))}, "nope")
	f.Add([]byte{byte(len(keys)), byte(len(keys))}, "campaign.view")
	all := make([]byte, len(keys))
	for i := range all {
		all[i] = byte(i)
	}
	f.Add(all, "")
	f.Fuzz(func(t *testing.T, pick []byte, extra string) {
		in := closureInput(c, pick, extra)
		before := slices.Clone(in)
		got := c.Closure(in)
		if !slices.Equal(in, before) {
			t.Fatalf("Closure modified its input: %v became %v", before, in)
		}
		if got == nil {
			t.Fatalf("Closure(%q) = nil, want a non-nil slice (it becomes a JSON array)", in)
		}
		if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
			t.Fatalf("Closure(%q) = %q is not sorted and unique", in, got)
		}
		want := referenceClosure(c, in)
		if len(got) != len(want) {
			t.Fatalf("Closure(%q) = %q, want the %d keys %v", in, got, len(want), want)
		}
		for _, k := range got {
			if !want[k] {
				t.Fatalf("Closure(%q) holds %q, which no input key implies", in, k)
			}
			p, ok := c.Lookup(k)
			if !ok {
				t.Fatalf("Closure(%q) holds %q, not a catalog key", in, k)
			}
			for _, dep := range p.Implies {
				if _, found := slices.BinarySearch(got, dep); !found {
					t.Fatalf("Closure(%q) holds %q but not %q, which it implies", in, k, dep)
				}
			}
		}
		for _, k := range in {
			if _, known := c.Lookup(k); known {
				if _, found := slices.BinarySearch(got, k); !found {
					t.Fatalf("Closure(%q) lacks the input key %q", in, k)
				}
			}
		}
		if again := c.Closure(got); !slices.Equal(again, got) {
			t.Fatalf("Closure is not idempotent: Closure(%q) = %q", got, again)
		}
		reversed := slices.Clone(in)
		slices.Reverse(reversed)
		reversed = append(reversed, in...)
		if other := c.Closure(reversed); !slices.Equal(other, got) {
			t.Fatalf("Closure depends on order or repetition: %q gives %q, %q gives %q", in, got, reversed, other)
		}
		r := c.DeriveRole(Role{Permissions: in})
		if !slices.Equal(r.EffectivePermissions, got) || r.Sensitive != c.AnySensitive(got) {
			t.Fatalf("DeriveRole(%q) = %q sensitive %v, want %q sensitive %v", in, r.EffectivePermissions, r.Sensitive, got, c.AnySensitive(got))
		}
		if !slices.IsSorted(r.Permissions) || len(slices.Compact(slices.Clone(r.Permissions))) != len(r.Permissions) {
			t.Fatalf("DeriveRole(%q).Permissions = %q is not sorted and unique", in, r.Permissions)
		}
	})
}
