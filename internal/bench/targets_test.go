package bench

import (
	"strings"
	"testing"
)

func verdictFor(t *testing.T, verdicts []Verdict, prefix string) Verdict {
	t.Helper()
	for _, v := range verdicts {
		if strings.HasPrefix(v.Target, prefix) {
			return v
		}
	}
	t.Fatalf("no verdict starts with %q in %+v", prefix, verdicts)
	return Verdict{}
}

func TestCheckTargetsJudgesEachTargetAtTheSizeMeasured(t *testing.T) {
	t.Parallel()
	rows := []Row{
		{Backend: BackendEmbedded, N: 1000, Operation: OpApply, Ratio: 1.2, PeakRSSMiB: 60},
		{Backend: BackendEmbedded, N: 5000, Operation: OpApply, Ratio: 1.4, PeakRSSMiB: 90},
		{Backend: BackendEmbedded, N: 1000, Operation: OpPlan, Ratio: 1.1},
		// Quadratic: the ratio grows like N.
		{Backend: BackendEmbedded, N: 5000, Operation: OpPlan, Ratio: 6},
		{Backend: BackendREST, N: 1000, Operation: OpPlan, Ratio: 1, Requests: &Requests{Total: 30}},
		{Backend: BackendREST, N: 5000, Operation: OpPlan, Ratio: 1, Requests: &Requests{Total: 71}, PeakRSSMiB: 151},
	}
	verdicts := CheckTargets(rows)
	for prefix, wantMet := range map[string]bool{
		"embedded apply <= 1.5x the floor at N = 5000":      true,
		"embedded plan <= 1.5x the floor at N = 5000":       false,
		"rest refresh (no-op plan) of 1000 objects <= 30":   true,
		"rest refresh (no-op plan) of 5000 objects <= 70":   false,
		"provider peak RSS <= 150 MiB":                      false,
		"embedded apply ratio grows no faster than N":       true,
		"embedded plan ratio grows no faster than N":        false,
		"rest plan ratio grows no faster than N (1000 -> 5": true,
	} {
		v := verdictFor(t, verdicts, prefix)
		if !v.Measured || v.Met != wantMet {
			t.Errorf("%s: measured %t, met %t (%s); want met %t", v.Target, v.Measured, v.Met, v.Detail, wantMet)
		}
	}
	for _, v := range verdicts {
		if strings.Contains(v.Target, "at N = 5000") && !v.Measured {
			t.Errorf("the run measured N = 5000, yet %q says it did not", v.Target)
		}
	}
}

func TestCheckTargetsSaysWhatARunWithoutTheTargetSizeDidNotMeasure(t *testing.T) {
	t.Parallel()
	verdicts := CheckTargets([]Row{{Backend: BackendEmbedded, N: 1000, Operation: OpApply, Ratio: 1.2, PeakRSSMiB: 40}})
	if v := verdictFor(t, verdicts, "ratio and request targets at N = 5000"); v.Measured {
		t.Errorf("%s: want not measured", v.Target)
	}
	if v := verdictFor(t, verdicts, "ratios grow no faster than N"); v.Measured {
		t.Errorf("%s: want not measured with one size", v.Target)
	}
	if v := verdictFor(t, verdicts, "embedded apply <= 1.5x the floor at N = 1000"); !v.Met {
		t.Errorf("%s: want met: %s", v.Target, v.Detail)
	}
}

func TestCheckTargetsJudgesUsAgainstThePeerInEveryRowAtEachSize(t *testing.T) {
	t.Parallel()
	rows := []Row{
		{Backend: BackendEmbedded, N: 1000, Operation: OpApply, Seconds: 20, PeerSeconds: 25},
		{Backend: BackendREST, N: 1000, Operation: OpPlan, Seconds: 4, PeerSeconds: 11.5},
		// The peer's own rows and rows without a peer are not judged.
		{Backend: BackendPeer, N: 1000, Operation: OpPlan, Seconds: 11.5, PeakRSSMiB: 500},
		{Backend: BackendEmbedded, N: 1, Operation: LargeObjectOpPrefix + "role", Seconds: 0.5},
		{Backend: BackendEmbedded, N: 5000, Operation: OpPlan, Seconds: 20, PeerSeconds: 60},
		// A tie is not ahead.
		{Backend: BackendRESTLatency, N: 5000, Operation: OpApply, Seconds: 600, PeerSeconds: 600},
		{Backend: BackendREST, N: 5000, Operation: OpPlanNoRefresh, Seconds: 31, PeerSeconds: 30},
	}
	verdicts := CheckTargets(rows)
	v := verdictFor(t, verdicts, "faster than time_static in every row at N = 1000")
	if !v.Measured || !v.Met || !strings.Contains(v.Detail, "embedded apply 20.00 s against 25.00 s") {
		t.Errorf("%s: measured %t, met %t (%s); want met, the closest row named", v.Target, v.Measured, v.Met, v.Detail)
	}
	v = verdictFor(t, verdicts, "faster than time_static in every row at N = 5000")
	if !v.Measured || v.Met || !strings.Contains(v.Detail, "rest+20ms apply") || !strings.Contains(v.Detail, "rest plan -refresh=false") ||
		strings.Contains(v.Detail, "embedded plan") {
		t.Errorf("%s: measured %t, met %t (%s); want missed, naming the two slower rows only", v.Target, v.Measured, v.Met, v.Detail)
	}
	// The peer's memory is not ours.
	if v := verdictFor(t, verdicts, "provider peak RSS <= 150 MiB"); v.Measured {
		t.Errorf("%s: judged on the peer's row: %s", v.Target, v.Detail)
	}
}

func TestCheckTargetsSaysWhenTheRunTimedNoPeer(t *testing.T) {
	t.Parallel()
	verdicts := CheckTargets([]Row{{Backend: BackendEmbedded, N: 1000, Operation: OpPlan, Seconds: 4}})
	if v := verdictFor(t, verdicts, "faster than time_static in every row"); v.Measured {
		t.Errorf("%s: measured without a peer: %s", v.Target, v.Detail)
	}
}

func TestConfigsHoldNObjectsInTheSameGraph(t *testing.T) {
	t.Parallel()
	for _, n := range []int{2, 7, 1000} {
		engage, floor, peer := EngageConfig(n), FloorConfig(n), PeerConfig(n)
		if got := strings.Count(engage, "resource \"engage_"); got != n {
			t.Errorf("EngageConfig(%d) has %d resources", n, got)
		}
		if got := strings.Count(floor, "resource \"terraform_data\""); got != n {
			t.Errorf("FloorConfig(%d) has %d resources", n, got)
		}
		if got := strings.Count(peer, "resource \"time_static\""); got != n {
			t.Errorf("PeerConfig(%d) has %d resources", n, got)
		}
		// Every user references a role, in all three.
		_, users := split(n)
		if got := strings.Count(engage, "= engage_role.r"); got != users {
			t.Errorf("EngageConfig(%d): %d references to roles, want %d", n, got, users)
		}
		if got := strings.Count(floor, "= terraform_data.r"); got != users {
			t.Errorf("FloorConfig(%d): %d references, want %d", n, got, users)
		}
		if got := strings.Count(peer, "= time_static.r"); got != users {
			t.Errorf("PeerConfig(%d): %d references, want %d", n, got, users)
		}
	}
}

func TestPeerConfigPinsThePeerItIsTimedWith(t *testing.T) {
	t.Parallel()
	cfg := PeerConfig(2)
	for _, want := range []string{`source  = "hashicorp/time"`, `version = "` + PeerVersion + `"`} {
		if !strings.Contains(cfg, want) {
			t.Errorf("PeerConfig lacks %s:\n%s", want, cfg)
		}
	}
}

func TestCheckTargetsJudgesLargeObjectsInAbsoluteTimeAndKeepsThemOutOfTheSizes(t *testing.T) {
	t.Parallel()
	objects := LargeObjects([]string{"a.view", "b.edit"})
	rows := []Row{
		{Backend: BackendEmbedded, N: 1000, Operation: OpPlan, Ratio: 2, Seconds: 4},
		{Backend: BackendEmbedded, N: 1, Operation: objects[0].Operation, Seconds: 0.9, FloorSeconds: 0.5, Ratio: 1.8},
		{Backend: BackendEmbedded, N: 1, Operation: objects[1].Operation, Seconds: 2.3, FloorSeconds: 0.6, Ratio: 3.8},
	}
	verdicts := CheckTargets(rows)
	if v := verdictFor(t, verdicts, "embedded plan: 1 role, 2 permissions in < 2 s"); !v.Measured || !v.Met {
		t.Errorf("%s: want met: %s", v.Target, v.Detail)
	}
	if v := verdictFor(t, verdicts, "embedded plan: 1 allowlist, 2000 entries in < 2 s"); !v.Measured || v.Met {
		t.Errorf("%s: want missed: %s", v.Target, v.Detail)
	}
	// The large objects' N = 1 is not a size: one size was measured, so
	// growth cannot be judged, and N = 1 gets no ratio verdicts.
	if v := verdictFor(t, verdicts, "ratios grow no faster than N"); v.Measured {
		t.Errorf("%s: measured, though only N = 1000 was run", v.Target)
	}
	for _, v := range verdicts {
		if strings.Contains(v.Target, "at N = 1") && !strings.Contains(v.Target, "at N = 1000") {
			t.Errorf("unexpected verdict for the large objects' N: %s", v.Target)
		}
	}
}

func TestLargeObjectsHoldTheWholeCollectionInBothConfigs(t *testing.T) {
	t.Parallel()
	keys := []string{"campaign.view", "campaign.edit", "data.export_data"}
	objects := LargeObjects(keys)
	if len(objects) != 2 {
		t.Fatalf("%d large objects, want a role and an allowlist", len(objects))
	}
	role, allowlist := objects[0], objects[1]
	for _, k := range keys {
		if !strings.Contains(role.Config, `"`+k+`"`) || !strings.Contains(role.Floor, `"`+k+`"`) {
			t.Errorf("permission %q missing from the role or its floor", k)
		}
	}
	for name, cfg := range map[string]string{"config": allowlist.Config, "floor": allowlist.Floor} {
		if got := strings.Count(cfg, "{ cidr = "); got != LargeAllowlistEntries {
			t.Errorf("allowlist %s has %d entries, want %d", name, got, LargeAllowlistEntries)
		}
		if !strings.Contains(cfg, `"10.7.207.0/24"`) { // entry 1999
			t.Errorf("allowlist %s lacks the last entry", name)
		}
	}
}
