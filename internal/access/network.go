package access

import (
	"fmt"
	"net/netip"
	"strings"

	"go4.org/netipx"
)

// CanonicalCIDR parses an allowlist entry and returns its canonical form:
// a bare address becomes a /32 (IPv4) or /128 (IPv6) prefix. A prefix whose
// address has bits set below the mask (10.1.2.3/24) is refused rather than
// silently widened or narrowed, and the error names the canonical form the
// caller most likely meant.
func CanonicalCIDR(s string) (string, error) {
	if strings.TrimSpace(s) != s || s == "" {
		return "", fmt.Errorf("%q is not an IP address or CIDR prefix", s)
	}
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return "", fmt.Errorf("%q is not a valid CIDR prefix", s)
		}
		if masked := p.Masked(); masked != p {
			return "", fmt.Errorf("%q is not in canonical form: the address has bits set beyond the /%d mask; use %q", s, p.Bits(), masked.String())
		}
		if p.Addr().Is4In6() { // a masked prefix of mapped addresses is at least a /96
			return "", mappedError(s, netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96))
		}
		return p.String(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return "", fmt.Errorf("%q is not an IP address or CIDR prefix", s)
	}
	if a.Zone() != "" {
		return "", fmt.Errorf("%q has an IPv6 zone, which an allowlist cannot use", s)
	}
	if a.Is4In6() {
		return "", mappedError(s, netip.PrefixFrom(a.Unmap(), 32))
	}
	return netip.PrefixFrom(a, a.BitLen()).String(), nil
}

// mappedError refuses an IPv4-mapped IPv6 entry (::ffff:10.0.0.1). Requests
// from IPv4 clients are matched by their IPv4 address (AllowlistContains
// unmaps them), so such an entry would be accepted yet admit nobody; and it
// would let one network be listed twice under two spellings.
func mappedError(s string, ipv4 netip.Prefix) error {
	return fmt.Errorf("%q is an IPv4-mapped IPv6 address, which IPv4 clients never match; use %q", s, ipv4.String())
}

// AllowlistContains reports whether addr falls inside any entry of l.
// Entries that do not parse (which validation prevents) match nothing.
func AllowlistContains(l IPAllowlist, addr netip.Addr) bool {
	addr = addr.Unmap()
	for _, e := range l.Entries {
		if p, err := netip.ParsePrefix(e.CIDR); err == nil && p.Contains(addr) {
			return true
		}
	}
	return false
}

// AllowedBy reports whether addr may reach the platform under lists: true
// when no list is enabled (allowlisting is off), else when some enabled
// list contains it.
func AllowedBy(lists []IPAllowlist, addr netip.Addr) bool {
	anyEnabled := false
	for _, l := range lists {
		if !l.Enabled {
			continue
		}
		anyEnabled = true
		if AllowlistContains(l, addr) {
			return true
		}
	}
	return !anyEnabled
}

// NetworkPolicy is the allowlists' verdict on addresses, precomputed: what
// a server checks on every request without walking every entry of every
// list. The zero value allows every address, as no enabled list does.
type NetworkPolicy struct {
	// enforced is false when no list is enabled.
	enforced bool
	allowed  *netipx.IPSet
}

// NewNetworkPolicy is AllowedBy over lists, as a set of the enabled lists'
// entries.
func NewNetworkPolicy(lists []IPAllowlist) (NetworkPolicy, error) {
	var b netipx.IPSetBuilder
	enforced := false
	for _, l := range lists {
		if !l.Enabled {
			continue
		}
		enforced = true
		for _, e := range l.Entries {
			if p, err := netip.ParsePrefix(e.CIDR); err == nil {
				b.AddPrefix(p)
			}
		}
	}
	set, err := b.IPSet()
	if err != nil {
		return NetworkPolicy{}, fmt.Errorf("building the allowlists' address set: %w", err)
	}
	return NetworkPolicy{enforced: enforced, allowed: set}, nil
}

// Allows reports whether addr may reach the platform: what AllowedBy says
// of the lists the policy was built from.
func (p NetworkPolicy) Allows(addr netip.Addr) bool {
	return !p.enforced || p.allowed.Contains(addr.Unmap())
}
