package planreview

import (
	"math/big"
	"net/netip"

	"go4.org/netipx"
)

// Every address of each family: a union of enabled allowlists that covers
// one of these is open to the Internet, however the lists split it
// (0.0.0.0/1 + 128.0.0.0/1 is 0.0.0.0/0).
var (
	allIPv4 = netip.MustParsePrefix("0.0.0.0/0")
	allIPv6 = netip.MustParsePrefix("::/0")
)

// reach is the set of addresses that may reach the console on one side of
// the plan.
type reach struct {
	enforced bool
	set      *netipx.IPSet
}

// newReach builds the reach of the enabled lists' networks; with no list
// enabled the console is open to every address.
func newReach(enforced bool, prefixes []netip.Prefix) reach {
	var b netipx.IPSetBuilder
	if !enforced {
		b.AddPrefix(allIPv4)
		b.AddPrefix(allIPv6)
	}
	for _, p := range prefixes {
		b.AddPrefix(p)
	}
	set, _ := b.IPSet() // the builder reports no error for valid prefixes
	return reach{enforced: enforced, set: set}
}

func (r reach) side() NetworkSide {
	return NetworkSide{Enforced: r.enforced, IPv4: r.family(allIPv4), IPv6: r.family(allIPv6)}
}

func (r reach) family(all netip.Prefix) FamilyAccess {
	var b netipx.IPSetBuilder
	b.AddSet(r.set)
	b.Intersect(mustSet(all))
	fam, _ := b.IPSet()
	count := new(big.Int)
	for _, rg := range fam.Ranges() {
		count.Add(count, rangeSize(rg))
	}
	return FamilyAccess{Addresses: count.String(), Internet: r.set.ContainsPrefix(all)}
}

// minus returns the prefixes of r that are not in other.
func (r reach) minus(other reach) []string {
	var b netipx.IPSetBuilder
	b.AddSet(r.set)
	b.RemoveSet(other.set)
	diff, _ := b.IPSet()
	out := []string{}
	for _, p := range diff.Prefixes() {
		out = append(out, p.String())
	}
	return out
}

func mustSet(p netip.Prefix) *netipx.IPSet {
	var b netipx.IPSetBuilder
	b.AddPrefix(p)
	s, _ := b.IPSet()
	return s
}

// rangeSize is the number of addresses from rg.From() to rg.To(), inclusive.
func rangeSize(rg netipx.IPRange) *big.Int {
	from := new(big.Int).SetBytes(rg.From().AsSlice())
	to := new(big.Int).SetBytes(rg.To().AsSlice())
	return to.Sub(to, from).Add(to, big.NewInt(1))
}
