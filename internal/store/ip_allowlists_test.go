package store

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

func allowlistEntries(cidrs ...string) []access.AllowlistEntry {
	out := make([]access.AllowlistEntry, len(cidrs))
	for i, c := range cidrs {
		out[i] = access.AllowlistEntry{CIDR: c}
	}
	return out
}

func entryCIDRs(l access.IPAllowlist) []string {
	out := make([]string, len(l.Entries))
	for i, e := range l.Entries {
		out[i] = e.CIDR
	}
	return out
}

func mustCreateIPAllowlist(t testing.TB, s *Store, name string, cidrs ...string) access.IPAllowlist {
	t.Helper()
	l, err := s.CreateIPAllowlist(t.Context(), access.IPAllowlist{Name: name, Enabled: true, Entries: allowlistEntries(cidrs...)})
	if err != nil {
		t.Fatalf("CreateIPAllowlist(%q): %v", name, err)
	}
	return l
}

// countEntryRows counts the stored entry rows of the list id.
func countEntryRows(t *testing.T, s *Store, id string) int {
	t.Helper()
	var n int
	if err := s.db.QueryRowContext(t.Context(), `SELECT count(*) FROM ip_allowlist_entries WHERE allowlist_id = ?`, id).Scan(&n); err != nil {
		t.Fatalf("counting entries: %v", err)
	}
	return n
}

var ipAllowlistIDPattern = regexp.MustCompile(`^ipl_[0-9a-f]{16}$`)

func TestIPAllowlistCRUDRoundTrip(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()

		created, err := s.CreateIPAllowlist(ctx, access.IPAllowlist{
			ID:          "ipl_ignored",
			Name:        "Office",
			Description: "Berlin and the VPN.",
			Enabled:     true,
			Entries: []access.AllowlistEntry{
				{CIDR: "203.0.113.7", Description: "Berlin"},
				{CIDR: "2001:db8::1"},
				{CIDR: "10.8.0.0/16", Description: "VPN"},
			},
			Version: 42,
		})
		if err != nil {
			t.Fatalf("CreateIPAllowlist: %v", err)
		}
		if !ipAllowlistIDPattern.MatchString(created.ID) || created.Version != 1 || !created.Enabled {
			t.Errorf("created = %+v; want an ipl_ id, version 1, enabled", created)
		}
		wantEntries := []access.AllowlistEntry{
			{CIDR: "10.8.0.0/16", Description: "VPN"},
			{CIDR: "2001:db8::1/128"},
			{CIDR: "203.0.113.7/32", Description: "Berlin"},
		}
		if !reflect.DeepEqual(created.Entries, wantEntries) {
			t.Errorf("entries = %+v\nwant canonical and sorted by CIDR: %+v", created.Entries, wantEntries)
		}
		got, err := s.GetIPAllowlist(ctx, created.ID)
		if err != nil || !reflect.DeepEqual(got, created) {
			t.Errorf("GetIPAllowlist = %+v, %v\nwant the created list %+v", got, err, created)
		}

		update := created
		update.Name = "Head office"
		update.Description = ""
		update.Enabled = false
		update.Entries = allowlistEntries("198.51.100.0/24")
		updated, err := s.UpdateIPAllowlist(ctx, update)
		if err != nil {
			t.Fatalf("UpdateIPAllowlist: %v", err)
		}
		if updated.Name != "Head office" || updated.Enabled || updated.Version != 2 || !slices.Equal(entryCIDRs(updated), []string{"198.51.100.0/24"}) {
			t.Errorf("UpdateIPAllowlist = %+v; want the new name, disabled, version 2 and only the new entry", updated)
		}
		if !updated.CreatedAt.Equal(created.CreatedAt) || updated.UpdatedAt.Before(created.UpdatedAt) {
			t.Errorf("timestamps after update = %v, %v; want created_at kept and updated_at not earlier", updated.CreatedAt, updated.UpdatedAt)
		}
		if n := countEntryRows(t, s, created.ID); n != 1 {
			t.Errorf("%d entry rows after replacing the entries, want 1", n)
		}

		t.Run("a list may be emptied", func(t *testing.T) {
			empty := updated
			empty.Entries = nil
			got, err := s.UpdateIPAllowlist(ctx, empty)
			if err != nil || got.Entries == nil || len(got.Entries) != 0 {
				t.Errorf("UpdateIPAllowlist = %#v, %v; want an empty, non-nil entry list", got.Entries, err)
			}
		})

		if err := s.DeleteIPAllowlist(ctx, created.ID, 0); err != nil {
			t.Fatalf("DeleteIPAllowlist: %v", err)
		}
		if n := countEntryRows(t, s, created.ID); n != 0 {
			t.Errorf("%d entry rows survive the list", n)
		}
		for name, err := range map[string]error{
			"GetIPAllowlist":    second(s.GetIPAllowlist(ctx, created.ID)),
			"UpdateIPAllowlist": second(s.UpdateIPAllowlist(ctx, updated)),
			"DeleteIPAllowlist": s.DeleteIPAllowlist(ctx, created.ID, 0),
		} {
			var nf *access.NotFoundError
			if !errors.As(err, &nf) || nf.Kind != "IP allowlist" || nf.ID != created.ID {
				t.Errorf("%s after delete: got %v, want an IP allowlist *access.NotFoundError", name, err)
			}
		}
	})
}

func TestIPAllowlistValidation(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		existing := mustCreateIPAllowlist(t, s, "Existing", "192.0.2.0/24")
		cases := []struct {
			name        string
			list        access.IPAllowlist
			wantField   string
			wantMessage string
		}{
			{
				name:        "a non-canonical prefix is refused with the canonical form",
				list:        access.IPAllowlist{Name: "Office", Entries: allowlistEntries("10.1.2.3/24")},
				wantField:   "entries",
				wantMessage: `"10.1.2.3/24" is not in canonical form: the address has bits set beyond the /24 mask; use "10.1.2.0/24"`,
			},
			{
				name:        "an address and its host prefix are the same entry",
				list:        access.IPAllowlist{Name: "Office", Entries: allowlistEntries("10.0.0.1", "10.0.0.1/32")},
				wantField:   "entries",
				wantMessage: "10.0.0.1/32 is listed more than once",
			},
			{
				name:        "IPv6 spellings of one network are the same entry",
				list:        access.IPAllowlist{Name: "Office", Entries: allowlistEntries("2001:db8::/32", "2001:0db8:0000::/32")},
				wantField:   "entries",
				wantMessage: "2001:db8::/32 is listed more than once",
			},
			{
				name:        "an address that does not parse",
				list:        access.IPAllowlist{Name: "Office", Entries: allowlistEntries("office.example.com")},
				wantField:   "entries",
				wantMessage: "is not an IP address or CIDR prefix",
			},
			{
				name:        "a name over 128 characters",
				list:        access.IPAllowlist{Name: strings.Repeat("n", 129)},
				wantField:   "name",
				wantMessage: "at most 128 characters",
			},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := s.CreateIPAllowlist(t.Context(), tc.list)
				assertFieldError(t, err, tc.wantField, tc.wantMessage)

				tc.list.ID = existing.ID
				_, err = s.UpdateIPAllowlist(t.Context(), tc.list)
				assertFieldError(t, err, tc.wantField, tc.wantMessage)
			})
		}
		if got, _ := s.GetIPAllowlist(t.Context(), existing.ID); !reflect.DeepEqual(got, existing) {
			t.Errorf("refused updates changed the list: %+v", got)
		}
		if page, _ := s.ListIPAllowlists(t.Context(), access.ListOptions{}); len(page.Items) != 1 {
			t.Errorf("%d lists stored, want only the existing one", len(page.Items))
		}
	})
}

func TestIPAllowlistNamesAreUniqueRegardlessOfCase(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		office := mustCreateIPAllowlist(t, s, "Office", "192.0.2.0/24")
		vpn := mustCreateIPAllowlist(t, s, "VPN", "198.51.100.0/24")

		_, createErr := s.CreateIPAllowlist(ctx, access.IPAllowlist{Name: "OFFICE"})
		rename := vpn
		rename.Name = "office"
		rename.Entries = allowlistEntries("203.0.113.0/24")
		_, renameErr := s.UpdateIPAllowlist(ctx, rename)
		for op, err := range map[string]error{"CreateIPAllowlist": createErr, "UpdateIPAllowlist": renameErr} {
			assertConflict(t, op, err, fmt.Sprintf(`already used by IP allowlist "Office" (%s)`, office.ID))
		}
		if got, _ := s.GetIPAllowlist(ctx, vpn.ID); !reflect.DeepEqual(got, vpn) {
			t.Errorf("the refused rename changed the list or its entries: %+v", got)
		}

		own := office
		own.Name = "OFFICE"
		if got, err := s.UpdateIPAllowlist(ctx, own); err != nil || got.Name != "OFFICE" {
			t.Errorf("a list changing the case of its own name: %q, %v", got.Name, err)
		}
	})
}

func TestIPAllowlistWritesWithAStaleVersionAreRefused(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		l := mustCreateIPAllowlist(t, s, "Versioned", "192.0.2.0/24")
		stale := l
		l.Entries = allowlistEntries("192.0.2.0/25")
		if _, err := s.UpdateIPAllowlist(ctx, l); err != nil { // now at version 2
			t.Fatalf("UpdateIPAllowlist: %v", err)
		}
		stale.Entries = allowlistEntries("0.0.0.0/0")
		_, updateErr := s.UpdateIPAllowlist(ctx, stale)
		for op, err := range map[string]error{
			"UpdateIPAllowlist": updateErr,
			"DeleteIPAllowlist": s.DeleteIPAllowlist(ctx, l.ID, 1),
		} {
			var pf *access.PreconditionFailedError
			if !errors.As(err, &pf) || !errors.Is(err, access.ErrPreconditionFailed) || pf.ID != l.ID {
				t.Errorf("%s with version 1: got %v, want an *access.PreconditionFailedError for %s", op, err, l.ID)
			}
		}
		if got, _ := s.GetIPAllowlist(ctx, l.ID); got.Version != 2 || !slices.Equal(entryCIDRs(got), []string{"192.0.2.0/25"}) {
			t.Errorf("stored list = %v at version %d; want the second write at version 2", entryCIDRs(got), got.Version)
		}
	})
}

func TestListIPAllowlistsPagesWithEachListsOwnEntries(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		want := map[string][]string{}
		var ids []string
		for i := range 12 {
			l := mustCreateIPAllowlist(t, s, fmt.Sprintf("List %02d", i), fmt.Sprintf("10.%d.0.0/16", i), fmt.Sprintf("2001:db8:%x::/48", i))
			want[l.ID] = entryCIDRs(l)
			ids = append(ids, l.ID)
		}
		mustCreateIPAllowlist(t, s, "No entries")
		slices.Sort(ids)

		var got []string
		opts := access.ListOptions{Limit: 5}
		for pages := 0; ; pages++ {
			if pages > 5 {
				t.Fatal("pagination does not end")
			}
			page, err := s.ListIPAllowlists(ctx, opts)
			if err != nil {
				t.Fatalf("ListIPAllowlists(%+v): %v", opts, err)
			}
			for _, l := range page.Items {
				if l.Name == "No entries" {
					if l.Entries == nil || len(l.Entries) != 0 {
						t.Errorf("a list without entries came back with %#v, want an empty list", l.Entries)
					}
					continue
				}
				got = append(got, l.ID)
				if !slices.Equal(entryCIDRs(l), want[l.ID]) {
					t.Errorf("list %s has entries %v, want its own %v", l.Name, entryCIDRs(l), want[l.ID])
				}
			}
			if page.NextPageToken == "" {
				break
			}
			opts.PageToken = page.NextPageToken
		}
		if !slices.Equal(got, ids) {
			t.Errorf("paged ids = %v\nwant every list once, ordered by id: %v", got, ids)
		}
	})
}

func TestLargeIPAllowlistRoundTrip(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		cidrs := hostAddresses(access.MaxAllowlistEntries)
		l := mustCreateIPAllowlist(t, s, "Every branch", cidrs...)
		if len(l.Entries) != access.MaxAllowlistEntries {
			t.Fatalf("%d entries stored, want %d", len(l.Entries), access.MaxAllowlistEntries)
		}
		_, err := s.CreateIPAllowlist(t.Context(), access.IPAllowlist{Name: "Too many", Entries: allowlistEntries(hostAddresses(access.MaxAllowlistEntries + 1)...)})
		assertFieldError(t, err, "entries", "at most 5000 entries, got 5001")
	})
}

// hostAddresses returns n distinct bare IPv4 addresses.
func hostAddresses(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("10.%d.%d.%d", i>>16&0xff, i>>8&0xff, i&0xff)
	}
	return out
}

// A reader must see a list either before or after an update, never its new
// name with its old entries or with its entries half replaced: the update is
// one transaction, and a read takes one snapshot (on PostgreSQL, REPEATABLE
// READ: under READ COMMITTED the list and its entries would be two). A file
// database for SQLite, so that readers and the writer use different
// connections.
func TestIPAllowlistReadersNeverSeeAHalfReplacedList(t *testing.T) {
	t.Parallel()
	forEachTestDialect(t, func(t *testing.T, d testDialect) {
		ctx := t.Context()
		s := openDatabase(t, d.newDatabase(t))

		// Two versions of one list; the name says which entries belong to it.
		versions := map[string][]string{
			"Even": hostAddresses(200)[:100],
			"Odd":  hostAddresses(200)[100:],
		}
		l := mustCreateIPAllowlist(t, s, "Even", versions["Even"]...)
		for name, cidrs := range versions {
			versions[name] = entryCIDRs(access.IPAllowlist{Entries: mustValidEntries(t, cidrs)})
		}

		stop := make(chan struct{})
		var wg sync.WaitGroup
		var torn sync.Once
		for range 4 {
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					got, err := s.GetIPAllowlist(ctx, l.ID)
					if err != nil {
						t.Errorf("GetIPAllowlist: %v", err)
						return
					}
					if !slices.Equal(entryCIDRs(got), versions[got.Name]) {
						torn.Do(func() { t.Errorf("read %q with %d entries that are not its own", got.Name, len(got.Entries)) })
					}
					page, err := s.ListIPAllowlists(ctx, access.ListOptions{})
					if err != nil || len(page.Items) != 1 || !slices.Equal(entryCIDRs(page.Items[0]), versions[page.Items[0].Name]) {
						torn.Do(func() { t.Errorf("ListIPAllowlists returned a torn list (%v)", err) })
					}
				}
			})
		}
		for i := range 30 {
			name := []string{"Even", "Odd"}[i%2]
			next := l
			next.Version = 0 // unconditional
			next.Name = name
			next.Entries = allowlistEntries(versions[name]...)
			if _, err := s.UpdateIPAllowlist(ctx, next); err != nil {
				t.Errorf("UpdateIPAllowlist: %v", err)
				break
			}
		}
		close(stop)
		wg.Wait()
	})
}

func mustValidEntries(t *testing.T, cidrs []string) []access.AllowlistEntry {
	t.Helper()
	l, err := access.ValidateIPAllowlist(access.IPAllowlist{Name: "x", Entries: allowlistEntries(cidrs...)})
	if err != nil {
		t.Fatal(err)
	}
	return l.Entries
}

// BenchmarkIPAllowlistOfTwoThousand measures what a Terraform apply and a
// refresh of a 2,000-entry list cost the store: an update replacing every
// entry, and a read.
func BenchmarkIPAllowlistOfTwoThousand(b *testing.B) {
	s, err := OpenMemory(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	l := mustCreateIPAllowlist(b, s, "Branches", hostAddresses(2000)...)
	l.Version = 0 // unconditional
	b.Run("update", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.UpdateIPAllowlist(b.Context(), l); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("get", func(b *testing.B) {
		for b.Loop() {
			got, err := s.GetIPAllowlist(b.Context(), l.ID)
			if err != nil || len(got.Entries) != 2000 {
				b.Fatalf("GetIPAllowlist = %d entries, %v", len(got.Entries), err)
			}
		}
	})
}

func TestDisableAllIPAllowlistsDisablesTheEnabledOnesAndKeepsTheirEntries(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		office := mustCreateIPAllowlist(t, s, "Office", "10.0.0.0/8")
		vpn := mustCreateIPAllowlist(t, s, "VPN", "192.0.2.1", "2001:db8::/32")
		off := mustCreateIPAllowlist(t, s, "Off", "198.51.100.0/24")
		off.Enabled, off.Version = false, 0
		off, err := s.UpdateIPAllowlist(ctx, off)
		if err != nil {
			t.Fatal(err)
		}

		disabled, err := s.DisableAllIPAllowlists(ctx)
		if err != nil {
			t.Fatalf("DisableAllIPAllowlists: %v", err)
		}
		var names []string
		for _, l := range disabled {
			names = append(names, l.Name)
			if l.Enabled {
				t.Errorf("%s is returned enabled", l.Name)
			}
		}
		if want := []string{office.Name, vpn.Name}; !slices.Equal(slices.Sorted(slices.Values(names)), want) {
			t.Errorf("disabled %v, want the enabled lists %v", names, want)
		}
		for _, before := range []access.IPAllowlist{office, vpn} {
			after, err := s.GetIPAllowlist(ctx, before.ID)
			if err != nil || after.Enabled || after.Version != before.Version+1 || !slices.Equal(entryCIDRs(after), entryCIDRs(before)) {
				t.Errorf("%s after disable-all: %+v, %v; want disabled, the next version, the same entries", before.Name, after, err)
			}
		}
		if got, _ := s.GetIPAllowlist(ctx, off.ID); got.Version != off.Version {
			t.Errorf("the list that was already disabled changed: version %d, want %d", got.Version, off.Version)
		}
		if again, err := s.DisableAllIPAllowlists(ctx); err != nil || len(again) != 0 {
			t.Errorf("a second disable-all: %v, %v; want nothing to disable", again, err)
		}
	})
}

func TestEveryAllowlistChangeMovesTheGenerationForEveryServer(t *testing.T) {
	t.Parallel()
	forEachTestDialect(t, func(t *testing.T, d testDialect) {
		ctx := t.Context()
		servers := racingStores(t, d)
		last := int64(-1)
		// expect reads the generation on the other server and checks
		// whether it moved since the last call.
		expect := func(what string, moved bool) {
			t.Helper()
			g, err := servers[1].IPAllowlistsGeneration(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if last >= 0 && (g != last) != moved {
				t.Errorf("after %s the generation went from %d to %d; want it to move: %v", what, last, g, moved)
			}
			last = g
		}
		expect("nothing", false)
		l := mustCreateIPAllowlist(t, servers[0], "Office", "10.0.0.0/8")
		expect("a create", true)
		if _, err := servers[0].GetIPAllowlist(ctx, l.ID); err != nil {
			t.Fatal(err)
		}
		expect("a read", false)
		l.Description = "HQ"
		if l, _ = servers[0].UpdateIPAllowlist(ctx, l); l.Version != 2 {
			t.Fatalf("update: version %d", l.Version)
		}
		expect("an update", true)
		stale := l
		stale.Version = 1
		if _, err := servers[0].UpdateIPAllowlist(ctx, stale); !errors.Is(err, access.ErrPreconditionFailed) {
			t.Fatalf("stale update: %v", err)
		}
		expect("a refused update", false)
		mustCreateRole(t, servers[0], "Unrelated", "campaign.view")
		expect("a change to something else", false)
		if _, err := servers[0].DisableAllIPAllowlists(ctx); err != nil {
			t.Fatal(err)
		}
		expect("disable-all", true)
		if _, err := servers[0].DisableAllIPAllowlists(ctx); err != nil {
			t.Fatal(err)
		}
		expect("disable-all with nothing to disable", false)
		if err := servers[0].DeleteIPAllowlist(ctx, l.ID, 0); err != nil {
			t.Fatal(err)
		}
		expect("a delete", true)
	})
}
