package access

import (
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

func FuzzCanonicalCIDR(f *testing.F) {
	for _, seed := range []string{"10.0.0.0/8", "10.1.2.3/24", "::1", "2001:db8::/32", "1.2.3.4", "", "::ffff:1.2.3.4/128"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := CanonicalCIDR(in)
		if err != nil {
			return
		}
		// Canonical output is a fixed point and a masked prefix.
		again, err := CanonicalCIDR(out)
		if err != nil || again != out {
			t.Fatalf("CanonicalCIDR(%q) = %q, but CanonicalCIDR(%q) = %q, %v", in, out, out, again, err)
		}
		p := netip.MustParsePrefix(out)
		if p.Masked() != p {
			t.Fatalf("CanonicalCIDR(%q) = %q is not masked", in, out)
		}
	})
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
