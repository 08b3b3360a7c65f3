package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
)

// Backends, as rows name them.
const (
	BackendEmbedded    = "embedded"
	BackendREST        = "rest"
	BackendRESTLatency = "rest+20ms"
	// BackendPeer names the peer's rows (peer.go): not a backend of ours,
	// timed the same way, beside the floor.
	BackendPeer = "time_static"
)

// Operations, as rows name them: the terraform commands timed, in order.
const (
	OpApply         = "apply"
	OpPlan          = "plan"
	OpPlanNoRefresh = "plan -refresh=false"
	// OpReviewPlan is review-plan on the JSON of the plan creating the
	// bench configuration; its row has no floor and no backend ("none").
	OpReviewPlan     = "review-plan"
	bytesPerMebibyte = 1 << 20
)

// Row is one measurement: one operation on one backend at one size, with
// the same operation on the floor configuration of that size.
type Row struct {
	Backend      string  `json:"backend"`
	N            int     `json:"n"`
	Operation    string  `json:"operation"`
	Seconds      float64 `json:"seconds"`
	FloorSeconds float64 `json:"floor_seconds"`
	// Ratio is Seconds / FloorSeconds.
	Ratio float64 `json:"ratio"`
	// PeerSeconds is the same operation on as many time_static resources
	// (BackendPeer); 0 in the peer's own rows, in rows the peer has no
	// counterpart for (large objects, review-plan) and when BENCH_PEER=0.
	PeerSeconds float64 `json:"peer_seconds"`
	// Requests is what the REST server counted; nil on the embedded backend.
	Requests *Requests `json:"requests"`
	// PeakRSSMiB is the largest VmHWM of the provider processes terraform
	// ran for the operation.
	PeakRSSMiB float64 `json:"peak_rss_mib"`
	// CPUSeconds is the CPU time of terraform and its providers together,
	// FloorCPUSeconds that of the floor, and ProviderCPUSeconds the
	// providers' share: CPUSeconds - ProviderCPUSeconds is what Terraform
	// itself spent on this provider's objects.
	CPUSeconds         float64 `json:"cpu_seconds"`
	FloorCPUSeconds    float64 `json:"floor_cpu_seconds"`
	ProviderCPUSeconds float64 `json:"provider_cpu_seconds"`
}

// Requests are the HTTP requests one operation cost, by route pattern
// ("GET /v1/roles") and in total.
type Requests struct {
	Total   int64            `json:"total"`
	ByRoute map[string]int64 `json:"by_route"`
}

// WriteJSON writes rows to path, creating its folder.
func WriteJSON(path string, rows []Row) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(rows, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// WriteTable prints rows as an aligned table, the requests of each REST row
// by route underneath.
func WriteTable(w io.Writer, rows []Row) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "backend\tn\toperation\tseconds\tfloor s\t%s s\tratio\trequests\tpeak RSS MiB\tCPU s\tfloor CPU s\tprovider CPU s\t\n", BackendPeer)
	for _, r := range rows {
		reqs := "-"
		if r.Requests != nil {
			reqs = fmt.Sprint(r.Requests.Total)
		}
		peer := "-"
		if r.PeerSeconds > 0 {
			peer = fmt.Sprintf("%.2f", r.PeerSeconds)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%.2f\t%.2f\t%s\t%.2fx\t%s\t%.1f\t%.2f\t%.2f\t%.2f\t\n",
			r.Backend, r.N, r.Operation, r.Seconds, r.FloorSeconds, peer, r.Ratio, reqs, r.PeakRSSMiB,
			r.CPUSeconds, r.FloorCPUSeconds, r.ProviderCPUSeconds)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nrequests by route:")
	for _, r := range rows {
		if r.Requests == nil {
			continue
		}
		var parts []string
		for _, route := range slices.Sorted(maps.Keys(r.Requests.ByRoute)) {
			parts = append(parts, fmt.Sprintf("%s=%d", route, r.Requests.ByRoute[route]))
		}
		fmt.Fprintf(w, "  %-10s n=%-5d %-20s %s\n", r.Backend, r.N, r.Operation, strings.Join(parts, ", "))
	}
	return nil
}
