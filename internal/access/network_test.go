package access

import (
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"
)

func TestCanonicalCIDR(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		in, want, wantErr string
	}{
		"an IPv4 prefix stays as it is":          {in: "10.1.0.0/16", want: "10.1.0.0/16"},
		"a bare IPv4 address becomes a /32":      {in: "203.0.113.7", want: "203.0.113.7/32"},
		"a bare IPv6 address becomes a /128":     {in: "2001:db8::1", want: "2001:db8::1/128"},
		"IPv6 is written in its shortest form":   {in: "2001:0db8:0000::/32", want: "2001:db8::/32"},
		"the whole IPv4 internet is a prefix":    {in: "0.0.0.0/0", want: "0.0.0.0/0"},
		"host bits set names the canonical form": {in: "10.1.2.3/24", wantErr: `use "10.1.2.0/24"`},
		"IPv6 host bits set too":                 {in: "2001:db8::1/64", wantErr: `use "2001:db8::/64"`},
		"a mask too long is refused":             {in: "10.0.0.0/33", wantErr: "not a valid CIDR prefix"},
		"garbage is refused":                     {in: "ten.0.0.1", wantErr: "not an IP address"},
		"surrounding space is refused":           {in: " 10.0.0.1", wantErr: "not an IP address"},
		"an empty value is refused":              {in: "", wantErr: "not an IP address"},
		"a zone is refused":                      {in: "fe80::1%eth0", wantErr: "zone"},
		// An IPv4 client is matched by its IPv4 address, so a mapped entry
		// would never match anyone (found by FuzzCanonicalCIDR).
		"an IPv4-mapped address names its IPv4 form": {in: "::ffff:1.2.3.4", wantErr: `use "1.2.3.4/32"`},
		"an IPv4-mapped prefix names its IPv4 form":  {in: "::ffff:10.1.0.0/112", wantErr: `use "10.1.0.0/16"`},
		"every IPv4-mapped address is 0.0.0.0/0":     {in: "::ffff:0:0/96", wantErr: `use "0.0.0.0/0"`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := CanonicalCIDR(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("CanonicalCIDR(%q) = %q, %v; want error containing %q", tc.in, got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("CanonicalCIDR(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

// FuzzCanonicalCIDR checks the allowlist normaliser on any string: it never
// panics; what it accepts it maps to a fixed point that denotes the very
// network the input spelled; and an allowlist holding that one entry admits
// exactly the addresses of that network (AllowedBy agrees with the form the
// platform stores).
func FuzzCanonicalCIDR(f *testing.F) {
	for _, seed := range []string{
		"10.0.0.0/8", "10.1.2.3/24", "::1", "2001:db8::/32", "1.2.3.4", "", "::ffff:1.2.3.4/128",
		"0.0.0.0/0", "::/0", "255.255.255.255", "2001:0db8:0000::/32", "fe80::1%eth0", "10.0.0.0/33",
		"::ffff:0:0/96", "1.2.3.4/032", " 10.0.0.1", "10.0.0.1\n", "::ffff:10.1.2.3/120",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := CanonicalCIDR(in)
		if err != nil {
			if out != "" {
				t.Fatalf("CanonicalCIDR(%q) = %q with error %v; want no value with an error", in, out, err)
			}
			return
		}
		// Canonical output is a fixed point and a masked prefix.
		again, err := CanonicalCIDR(out)
		if err != nil || again != out {
			t.Fatalf("CanonicalCIDR(%q) = %q, but CanonicalCIDR(%q) = %q, %v", in, out, out, again, err)
		}
		p, err := netip.ParsePrefix(out)
		if err != nil || p.Masked() != p || p.String() != out {
			t.Fatalf("CanonicalCIDR(%q) = %q is not a masked prefix in its own spelling (%v)", in, out, err)
		}
		// It denotes the network the input spelled, not a wider or narrower one.
		var spelled netip.Prefix
		if strings.Contains(in, "/") {
			spelled = netip.MustParsePrefix(in)
		} else {
			a := netip.MustParseAddr(in)
			spelled = netip.PrefixFrom(a, a.BitLen())
		}
		if spelled != p {
			t.Fatalf("CanonicalCIDR(%q) = %q, another network than the input's %s", in, out, spelled)
		}
		// The stored entry admits its network, and only it.
		only := []IPAllowlist{{Enabled: true, Entries: []AllowlistEntry{{CIDR: out}}}}
		first, last := p.Addr(), lastAddr(p)
		for _, a := range []netip.Addr{first, last} {
			if !AllowedBy(only, a) {
				t.Errorf("an allowlist holding %q refuses %s, inside it", out, a)
			}
		}
		if a := first.Prev(); a.IsValid() && !p.Contains(a) && AllowedBy(only, a) {
			t.Errorf("an allowlist holding %q admits %s, outside it", out, a)
		}
		if a := last.Next(); a.IsValid() && !p.Contains(a) && AllowedBy(only, a) {
			t.Errorf("an allowlist holding %q admits %s, outside it", out, a)
		}
		off := []IPAllowlist{{Enabled: false, Entries: only[0].Entries}}
		if a := first.Prev(); a.IsValid() && !AllowedBy(off, a) {
			t.Errorf("a disabled allowlist holding %q refuses %s", out, a)
		}
	})
}

// lastAddr is the highest address of p.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

func TestAllowedBy(t *testing.T) {
	t.Parallel()
	office := IPAllowlist{Enabled: true, Entries: []AllowlistEntry{{CIDR: "203.0.113.0/24"}}}
	vpn := IPAllowlist{Enabled: false, Entries: []AllowlistEntry{{CIDR: "198.51.100.0/24"}}}
	cases := map[string]struct {
		lists []IPAllowlist
		addr  string
		want  bool
	}{
		"no lists allow everyone":                {lists: nil, addr: "192.0.2.1", want: true},
		"only disabled lists allow everyone":     {lists: []IPAllowlist{vpn}, addr: "192.0.2.1", want: true},
		"an address in an enabled list":          {lists: []IPAllowlist{office, vpn}, addr: "203.0.113.9", want: true},
		"an address only in a disabled list":     {lists: []IPAllowlist{office, vpn}, addr: "198.51.100.9", want: false},
		"an IPv4-mapped IPv6 address is matched": {lists: []IPAllowlist{office}, addr: "::ffff:203.0.113.9", want: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := AllowedBy(tc.lists, netip.MustParseAddr(tc.addr)); got != tc.want {
				t.Errorf("AllowedBy(%s) = %v, want %v", tc.addr, got, tc.want)
			}
		})
	}
}

// NetworkPolicy is what the server checks per request instead of
// AllowedBy: the two must agree on every address, whatever the lists.
func TestNetworkPolicyAgreesWithAllowedBy(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	randomAddr := func() netip.Addr {
		if rng.IntN(2) == 0 {
			return netip.AddrFrom4([4]byte{10, byte(rng.IntN(4)), byte(rng.IntN(256)), byte(rng.IntN(256))})
		}
		var b [16]byte
		b[0], b[1], b[2] = 0x20, 0x01, byte(rng.IntN(4))
		b[15] = byte(rng.IntN(256))
		return netip.AddrFrom16(b)
	}
	for round := range 200 {
		var lists []IPAllowlist
		for range rng.IntN(4) {
			l := IPAllowlist{Enabled: rng.IntN(3) > 0}
			for range rng.IntN(5) {
				a := randomAddr()
				p, _ := a.Prefix(rng.IntN(a.BitLen()-7) + 8)
				l.Entries = append(l.Entries, AllowlistEntry{CIDR: p.String()})
			}
			lists = append(lists, l)
		}
		policy, err := NewNetworkPolicy(lists)
		if err != nil {
			t.Fatal(err)
		}
		for range 50 {
			a := randomAddr()
			for _, addr := range []netip.Addr{a, netip.AddrFrom16(a.As16())} { // and its IPv4-mapped form
				if got, want := policy.Allows(addr), AllowedBy(lists, addr); got != want {
					t.Fatalf("round %d: Allows(%s) = %v, AllowedBy = %v, lists %+v", round, addr, got, want, lists)
				}
			}
		}
	}
}
