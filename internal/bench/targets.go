package bench

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// The targets of issue 7.
const (
	// TargetN is the size the ratio and request targets are stated for.
	TargetN = 5000
	// MaxEmbeddedRatio bounds embedded apply and plans against the floor.
	MaxEmbeddedRatio = 1.5
	// MaxProviderRSSMiB bounds the provider process's peak RSS.
	MaxProviderRSSMiB = 150
	// MaxLargeObjectPlanSeconds bounds a no-op plan of one LargeObject.
	MaxLargeObjectPlanSeconds = 2.0
	// MaxReviewSeconds and MaxReviewRSSMiB bound review-plan on the plan
	// of TargetN objects (issue 14).
	MaxReviewSeconds = 2.0
	MaxReviewRSSMiB  = 200
)

// RefreshRequestBudget is the most requests a REST refresh of n objects may
// make: a few list pages, not one GET per object.
func RefreshRequestBudget(n int) int64 { return int64(n/100 + 20) }

// Verdict says whether one target is met.
type Verdict struct {
	Target string
	// Measured is false when the run did not cover the target (e.g. BENCH_N
	// without 5,000); Met is then meaningless.
	Measured bool
	Met      bool
	Detail   string
}

func (v Verdict) status() string {
	switch {
	case !v.Measured:
		return "NOT MEASURED"
	case v.Met:
		return "met"
	default:
		return "MISSED"
	}
}

// CheckTargets judges rows against the targets. The ratio and request
// targets are judged at every size measured, each verdict naming its size:
// they are stated for N = 5,000, so a verdict at another size is
// indicative, and a run without 5,000 says so. Growth compares the smallest
// size with the largest.
func CheckTargets(rows []Row) []Verdict {
	var out []Verdict
	sizes := sizesOf(rows)
	if !slices.Contains(sizes, TargetN) {
		out = append(out, Verdict{
			Target: fmt.Sprintf("ratio and request targets at N = %d", TargetN),
			Detail: fmt.Sprintf("this run measured N = %v only; the verdicts below are indicative", sizes),
		})
	}
	for _, n := range sizes {
		for _, op := range []string{OpApply, OpPlan, OpPlanNoRefresh} {
			r, ok := find(rows, BackendEmbedded, n, op)
			if !ok {
				continue
			}
			out = append(out, Verdict{
				Target:   fmt.Sprintf("embedded %s <= %.1fx the floor at N = %d", op, MaxEmbeddedRatio, n),
				Measured: true,
				Met:      r.Ratio <= MaxEmbeddedRatio,
				Detail:   fmt.Sprintf("%.2fx (%.2f s against %.2f s)", r.Ratio, r.Seconds, r.FloorSeconds),
			})
		}
		for _, backend := range []string{BackendREST, BackendRESTLatency} {
			r, ok := find(rows, backend, n, OpPlan)
			if !ok || r.Requests == nil {
				continue
			}
			budget := RefreshRequestBudget(n)
			out = append(out, Verdict{
				Target:   fmt.Sprintf("%s refresh (no-op plan) of %d objects <= %d requests", backend, n, budget),
				Measured: true,
				Met:      r.Requests.Total <= budget,
				Detail:   fmt.Sprintf("%d requests", r.Requests.Total),
			})
		}
	}

	for _, r := range rows {
		if r.Operation != OpReviewPlan {
			continue
		}
		out = append(out, Verdict{
			Target:   fmt.Sprintf("review-plan of %d objects < %.0f s and < %d MiB", r.N, MaxReviewSeconds, MaxReviewRSSMiB),
			Measured: true,
			Met:      r.Seconds < MaxReviewSeconds && r.PeakRSSMiB < MaxReviewRSSMiB,
			Detail:   fmt.Sprintf("%.2f s, peak RSS %.1f MiB", r.Seconds, r.PeakRSSMiB),
		})
	}

	peak, peakRow := 0.0, Row{}
	for _, r := range rows {
		if r.Operation != OpReviewPlan && r.Backend != BackendPeer && r.PeakRSSMiB > peak {
			peak, peakRow = r.PeakRSSMiB, r
		}
	}
	rss := Verdict{Target: fmt.Sprintf("provider peak RSS <= %d MiB", MaxProviderRSSMiB)}
	if peak > 0 {
		rss.Measured, rss.Met = true, peak <= MaxProviderRSSMiB
		rss.Detail = fmt.Sprintf("largest %.1f MiB (%s, N = %d, %s)", peak, peakRow.Backend, peakRow.N, peakRow.Operation)
	}
	out = append(out, rss)

	out = append(out, checkPeer(rows, sizes)...)
	out = append(out, checkGrowth(rows, sizes)...)
	out = append(out, checkLargeObjects(rows)...)
	return out
}

// ourBackends are the backends whose rows are the provider's.
var ourBackends = []string{BackendEmbedded, BackendREST, BackendRESTLatency}

// checkPeer judges, at each size, that every row of ours with a peer
// counterpart (every backend, every operation) is faster than the peer: one
// verdict per size, naming the rows that are not, else the closest one.
func checkPeer(rows []Row, sizes []int) []Verdict {
	target := fmt.Sprintf("faster than %s in every row", BackendPeer)
	var out []Verdict
	for _, n := range sizes {
		var missed []string
		var closest Row
		for _, r := range rows {
			if r.N != n || r.PeerSeconds <= 0 || !slices.Contains(ourBackends, r.Backend) {
				continue
			}
			if r.Seconds >= r.PeerSeconds {
				missed = append(missed, peerText(r))
			}
			if closest.PeerSeconds == 0 || r.Seconds/r.PeerSeconds > closest.Seconds/closest.PeerSeconds {
				closest = r
			}
		}
		if closest.PeerSeconds == 0 {
			continue
		}
		v := Verdict{Target: fmt.Sprintf("%s at N = %d", target, n), Measured: true, Met: len(missed) == 0}
		if v.Met {
			v.Detail = "closest: " + peerText(closest)
		} else {
			v.Detail = "slower: " + strings.Join(missed, "; ")
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return []Verdict{{Target: target, Detail: "the run timed no peer (BENCH_PEER=0)"}}
	}
	return out
}

// peerText says how one row of ours compares with the peer.
func peerText(r Row) string {
	return fmt.Sprintf("%s %s %.2f s against %.2f s (%.2fx)", r.Backend, r.Operation, r.Seconds, r.PeerSeconds, r.Seconds/r.PeerSeconds)
}

// checkLargeObjects judges each large-object plan against its bound, in
// absolute time (Terraform included), as the issue states it.
func checkLargeObjects(rows []Row) []Verdict {
	var out []Verdict
	for _, r := range rows {
		if !isLargeObject(r) {
			continue
		}
		out = append(out, Verdict{
			Target:   fmt.Sprintf("%s %s in < %.0f s", r.Backend, r.Operation, MaxLargeObjectPlanSeconds),
			Measured: true,
			Met:      r.Seconds < MaxLargeObjectPlanSeconds,
			Detail:   fmt.Sprintf("%.2f s (terraform_data with the same values: %.2f s)", r.Seconds, r.FloorSeconds),
		})
	}
	return out
}

func isLargeObject(r Row) bool { return strings.HasPrefix(r.Operation, LargeObjectOpPrefix) }

// checkGrowth judges, for each backend and operation, that the ratio to the
// floor grows no faster than N from the smallest size to the largest: the
// ratio's growth factor must not exceed N's. A provider whose cost per
// object is constant keeps its ratio flat (factor near 1); one whose cost
// is quadratic in N sees its ratio grow like N, which the printed factor
// shows long before it crosses N's.
func checkGrowth(rows []Row, sizes []int) []Verdict {
	if len(sizes) < 2 {
		return []Verdict{{Target: "ratios grow no faster than N", Detail: "needs two sizes (BENCH_N=1000,5000)"}}
	}
	small, large := sizes[0], sizes[len(sizes)-1]
	nGrowth := float64(large) / float64(small)
	var out []Verdict
	for _, backend := range ourBackends {
		for _, op := range []string{OpApply, OpPlan, OpPlanNoRefresh} {
			a, okA := find(rows, backend, small, op)
			b, okB := find(rows, backend, large, op)
			if !okA || !okB || a.Ratio == 0 {
				continue
			}
			growth := b.Ratio / a.Ratio
			out = append(out, Verdict{
				Target:   fmt.Sprintf("%s %s ratio grows no faster than N (%d -> %d: x%.0f)", backend, op, small, large, nGrowth),
				Measured: true,
				Met:      growth <= nGrowth,
				Detail:   fmt.Sprintf("%.2fx -> %.2fx: ratio grew x%.2f", a.Ratio, b.Ratio, growth),
			})
		}
	}
	return out
}

// WriteVerdicts prints one line per verdict.
func WriteVerdicts(w io.Writer, verdicts []Verdict) {
	for _, v := range verdicts {
		fmt.Fprintf(w, "  [%-12s] %s", v.status(), v.Target)
		if v.Detail != "" {
			fmt.Fprintf(w, ": %s", v.Detail)
		}
		fmt.Fprintln(w)
	}
}

func sizesOf(rows []Row) []int {
	var sizes []int
	for _, r := range rows {
		if !isLargeObject(r) && !slices.Contains(sizes, r.N) {
			sizes = append(sizes, r.N)
		}
	}
	slices.Sort(sizes)
	return sizes
}

func find(rows []Row, backend string, n int, op string) (Row, bool) {
	for _, r := range rows {
		if r.Backend == backend && r.N == n && r.Operation == op {
			return r, true
		}
	}
	return Row{}, false
}
