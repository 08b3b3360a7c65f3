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

func TestConfigsHoldNObjectsInTheSameGraph(t *testing.T) {
	t.Parallel()
	for _, n := range []int{2, 7, 1000} {
		engage, floor := EngageConfig(n), FloorConfig(n)
		if got := strings.Count(engage, "resource \"engage_"); got != n {
			t.Errorf("EngageConfig(%d) has %d resources", n, got)
		}
		if got := strings.Count(floor, "resource \"terraform_data\""); got != n {
			t.Errorf("FloorConfig(%d) has %d resources", n, got)
		}
		// Every user references a role, in both.
		_, users := split(n)
		if got := strings.Count(engage, "= engage_role.r"); got != users {
			t.Errorf("EngageConfig(%d): %d references to roles, want %d", n, got, users)
		}
		if got := strings.Count(floor, "= terraform_data.r"); got != users {
			t.Errorf("FloorConfig(%d): %d references, want %d", n, got, users)
		}
	}
}
