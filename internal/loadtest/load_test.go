package loadtest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	mathrand "math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/e2e"
	"github.com/engage-oss/terraform-provider-engage/internal/pgtest"
	"github.com/engage-oss/terraform-provider-engage/internal/wire"
)

func TestMain(m *testing.M) {
	if os.Getenv(floodEnv) != "" {
		os.Exit(floodProcess())
	}
	os.Exit(e2e.Main(e2e.RunFunc(func() int { return pgtest.Main(m) })))
}

// The steady tenant's pace and mix, and the flood.
const (
	steadyWorkers  = 4
	steadyInterval = 40 * time.Millisecond // per worker: 100 requests/s in all
	writeShare     = 5                     // one request in five is a write
	// The per-token limit across all replicas: the steady tenant's 100/s
	// stays under it, the flood goes far over. Each replica gets its share
	// (rateLimit/n), as the README tells operators to set it.
	rateLimit = 200
	rateBurst = 200
	rateQueue = 32
	seedRoles = 50
)

// floods are the two shapes of flood, each a number of clients sending
// as fast as they are answered: one that the queue holds (its requests
// wait their turn and are served at the token's rate) and one four times
// bigger, whose requests beyond the queue are refused and come straight
// back.
var floods = []struct {
	name    string
	workers int
}{
	{"within the queue", rateQueue / 2},
	{"beyond the queue", 4 * rateQueue},
}

// phase is what one tenant saw during one phase.
type phase struct {
	reads, writes, limited, failed int
	// latencies of every request; readLatencies and writeLatencies split
	// them, to tell which kind a change of p99 comes from.
	latencies, readLatencies, writeLatencies []time.Duration
	seconds                                  float64
}

func (p phase) percentile(q float64) time.Duration { return percentile(p.latencies, q) }

func percentile(latencies []time.Duration, q float64) time.Duration {
	if len(latencies) == 0 {
		return 0
	}
	sorted := slices.Clone(latencies)
	slices.Sort(sorted)
	return sorted[min(len(sorted)-1, int(q*float64(len(sorted))))]
}

type tenant struct {
	base, token string
	client      *http.Client
}

func (tn tenant) do(method, path string, body any) (int, error) {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, tn.base+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+tn.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := tn.client.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// steady runs the steady tenant for d: reads of a role, and every
// writeShare-th request a replacement of one, at a fixed pace.
func steady(tn tenant, roles []wire.Role, d time.Duration) phase {
	var mu sync.Mutex
	var out phase
	var wg sync.WaitGroup
	deadline := time.Now().Add(d)
	for w := range steadyWorkers {
		wg.Go(func() {
			tick := time.NewTicker(steadyInterval)
			defer tick.Stop()
			for i := 0; time.Now().Before(deadline); i++ {
				<-tick.C
				role := roles[mathrand.IntN(len(roles))]
				path := wire.ObjectPath(wire.RolesPath, role.ID)
				write := (i+w)%writeShare == 0
				start := time.Now()
				var status int
				var err error
				if write {
					status, err = tn.do(http.MethodPut, path, wire.Role{Name: role.Name, Description: fmt.Sprint("load ", i), Permissions: role.Permissions})
				} else {
					status, err = tn.do(http.MethodGet, path, nil)
				}
				took := time.Since(start)
				mu.Lock()
				switch {
				case err != nil || status >= 500:
					out.failed++
				case status == http.StatusTooManyRequests:
					out.limited++
				case write:
					out.writes++
					out.writeLatencies = append(out.writeLatencies, took)
				default:
					out.reads++
					out.readLatencies = append(out.readLatencies, took)
				}
				out.latencies = append(out.latencies, took)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	out.seconds = d.Seconds()
	return out
}

// TestServerLoad is the `make bench-server` run: see the package doc.
func TestServerLoad(t *testing.T) {
	if os.Getenv("ENGAGE_BENCH_SERVER") == "" {
		t.Skip("the server load run: set ENGAGE_BENCH_SERVER=1 (make bench-server)")
	}
	tf := e2e.Setup(t)
	seconds := 10
	if v, err := strconv.Atoi(os.Getenv("LOAD_SECONDS")); err == nil && v > 0 {
		seconds = v
	}
	d := time.Duration(seconds) * time.Second

	type row struct {
		dialect      string
		replicas     int
		flood        string
		quiet, noisy phase
		flooded      phase
		// serverP99 is the p99 of the steady tenant's requests as the
		// replicas logged them: the server's own time, without the
		// proxy's and the clients' (which share this machine's cores).
		serverP99 time.Duration
	}
	var rows []row
	for _, dialect := range []string{"sqlite", "postgres"} {
		for _, n := range []int{1, 3} {
			t.Run(fmt.Sprintf("%s/%d", dialect, n), func(t *testing.T) {
				db := databaseFlags(t, dialect)
				steadyToken := e2e.Token(t, tf.ProviderBinary, "steady", db...)
				replicas := e2e.StartReplicas(t, tf.ProviderBinary, n, append(db,
					"--rate-limit", fmt.Sprint(float64(rateLimit)/float64(n)), "--rate-burst", fmt.Sprint(rateBurst/n),
					"--rate-queue", fmt.Sprint(rateQueue))...)
				transport := &http.Transport{MaxIdleConnsPerHost: 256}
				steadyTenant := tenant{base: replicas.URL, token: steadyToken, client: &http.Client{Transport: transport}}
				roles := seed(t, steadyTenant)

				quiet := steady(steadyTenant, roles, d)
				for i, shape := range floods {
					logged := make([]int, n)
					for r := range n {
						logged[r] = len(replicas.Log(r))
					}
					// A token per flood: each starts with a full bucket.
					fl := startFlood(t, replicas, e2e.Token(t, tf.ProviderBinary, fmt.Sprint("flood", i), db...), shape.workers)
					noisy := steady(steadyTenant, roles, d)
					flooded := fl.stop(t)
					var served []time.Duration
					for r := range n {
						served = append(served, steadyDurations(replicas.Log(r)[logged[r]:])...)
					}
					rows = append(rows, row{dialect: dialect, replicas: n, flood: shape.name, quiet: quiet, noisy: noisy,
						flooded: flooded, serverP99: percentile(served, 0.99)})
				}
			})
		}
	}

	var b strings.Builder
	fmt.Fprintf(&b, "\n%-9s %8s %-16s | %-28s | %-28s | %-16s | %-15s | %s\n", "database", "replicas", "flood",
		"steady alone: r/s w/s p50 p99", "steady in flood: r/s w/s p50 p99", "flood: ok/s 429/s", "server p99", "p99 ratio")
	failed := false
	for _, r := range rows {
		ratio := float64(r.noisy.percentile(0.99)) / float64(max(r.quiet.percentile(0.99), time.Microsecond))
		fmt.Fprintf(&b, "%-9s %8d %-16s | %5.0f %4.0f %6s %7s | %5.0f %4.0f %6s %7s | %7.0f %8.0f | %15s | %.2fx",
			r.dialect, r.replicas, r.flood,
			float64(r.quiet.reads)/r.quiet.seconds, float64(r.quiet.writes)/r.quiet.seconds,
			ms(r.quiet.percentile(0.5)), ms(r.quiet.percentile(0.99)),
			float64(r.noisy.reads)/r.noisy.seconds, float64(r.noisy.writes)/r.noisy.seconds,
			ms(r.noisy.percentile(0.5)), ms(r.noisy.percentile(0.99)),
			float64(r.flooded.reads)/r.flooded.seconds, float64(r.flooded.limited)/r.flooded.seconds, ms(r.serverP99), ratio)
		if r.noisy.limited+r.quiet.limited > 0 || r.noisy.failed+r.quiet.failed > 0 {
			fmt.Fprintf(&b, "  steady tenant: %d limited, %d failed", r.noisy.limited+r.quiet.limited, r.noisy.failed+r.quiet.failed)
			failed = true
		}
		if ratio > 2 {
			b.WriteString("  (over 2x)")
			failed = true
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "\np99 of the steady tenant's reads and writes apart:\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "%-9s %8d %-16s | alone: reads %7s writes %7s | in flood: reads %7s writes %7s\n", r.dialect, r.replicas, r.flood,
			ms(percentile(r.quiet.readLatencies, 0.99)), ms(percentile(r.quiet.writeLatencies, 0.99)),
			ms(percentile(r.noisy.readLatencies, 0.99)), ms(percentile(r.noisy.writeLatencies, 0.99)))
	}
	t.Log(b.String())
	if failed && os.Getenv("BENCH_STRICT") != "" {
		t.Error("a target was missed (the steady tenant was limited or failed, or its p99 more than doubled in the flood)")
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

// databaseFlags is serve's database flags for a new database of dialect.
func databaseFlags(t *testing.T, dialect string) []string {
	t.Helper()
	if dialect == "sqlite" {
		return []string{"--database", filepath.Join(t.TempDir(), "server.db")}
	}
	flags, _ := e2e.PostgresDatabase(t)
	return flags
}

// seed creates the roles the steady tenant reads and writes.
func seed(t *testing.T, tn tenant) []wire.Role {
	t.Helper()
	var roles []wire.Role
	for i := range seedRoles {
		role := wire.Role{Name: fmt.Sprint("Load role ", i), Permissions: []string{"campaign.view"}}
		raw, _ := json.Marshal(role)
		req, _ := http.NewRequest(http.MethodPost, tn.base+wire.RolesPath, bytes.NewReader(raw))
		req.Header.Set("Authorization", "Bearer "+tn.token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := tn.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("seeding: %d %s", resp.StatusCode, body)
		}
		var created wire.Role
		if err := json.Unmarshal(body, &created); err != nil {
			t.Fatal(err)
		}
		roles = append(roles, created)
	}
	return roles
}

// steadyDurations are the durations a replica logged for the steady
// tenant's requests (the routes of one role; the flood lists roles).
func steadyDurations(log string) []time.Duration {
	var out []time.Duration
	for line := range strings.Lines(log) {
		var rec struct {
			Msg, Route string
			DurationMS float64 `json:"duration_ms"`
		}
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "request" && strings.HasSuffix(rec.Route, wire.RolesPath+"/{id}") {
			out = append(out, time.Duration(rec.DurationMS*float64(time.Millisecond)))
		}
	}
	return out
}
