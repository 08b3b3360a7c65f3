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
	os.Exit(e2e.Main(e2e.RunFunc(func() int { return pgtest.Main(m) })))
}

// The steady tenant's pace and mix, and the flood.
const (
	steadyWorkers  = 4
	steadyInterval = 40 * time.Millisecond // per worker: 100 requests/s in all
	writeShare     = 5                     // one request in five is a write
	// The flood: floodWorkers clients sending as fast as they are
	// answered, more than the queue holds, so that some wait their turn
	// and the rest are refused and come straight back.
	floodWorkers = 128
	// The per-token limit across all replicas: the steady tenant's 100/s
	// stays under it, the flood goes far over. Each replica gets its share
	// (rateLimit/n), as the README tells operators to set it.
	rateLimit = 200
	rateBurst = 200
	rateQueue = 32
	seedRoles = 50
)

// phase is what one tenant saw during one phase.
type phase struct {
	reads, writes, limited, failed int
	latencies                      []time.Duration
	seconds                        float64
}

func (p phase) percentile(q float64) time.Duration {
	if len(p.latencies) == 0 {
		return 0
	}
	sorted := slices.Clone(p.latencies)
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
				default:
					out.reads++
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

// flood lists roles as fast as floodWorkers can until stop closes.
func flood(tn tenant, stop <-chan struct{}) phase {
	var mu sync.Mutex
	var out phase
	var wg sync.WaitGroup
	start := time.Now()
	for range floodWorkers {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				status, err := tn.do(http.MethodGet, wire.RolesPath+"?limit=50", nil)
				mu.Lock()
				switch {
				case err != nil || status >= 500:
					out.failed++
				case status == http.StatusTooManyRequests:
					out.limited++
				default:
					out.reads++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	out.seconds = time.Since(start).Seconds()
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
		quiet, noisy phase
		flood        phase
	}
	var rows []row
	for _, dialect := range []string{"sqlite", "postgres"} {
		for _, n := range []int{1, 3} {
			t.Run(fmt.Sprintf("%s/%d", dialect, n), func(t *testing.T) {
				db := databaseFlags(t, dialect)
				steadyToken := e2e.Token(t, tf.ProviderBinary, "steady", db...)
				floodToken := e2e.Token(t, tf.ProviderBinary, "flood", db...)
				replicas := e2e.StartReplicas(t, tf.ProviderBinary, n, append(db,
					"--rate-limit", fmt.Sprint(float64(rateLimit)/float64(n)), "--rate-burst", fmt.Sprint(rateBurst/n),
					"--rate-queue", fmt.Sprint(rateQueue))...)
				transport := &http.Transport{MaxIdleConnsPerHost: 64}
				steadyTenant := tenant{base: replicas.URL, token: steadyToken, client: &http.Client{Transport: transport}}
				floodTenant := tenant{base: replicas.URL, token: floodToken, client: &http.Client{Transport: transport}}
				roles := seed(t, steadyTenant)

				quiet := steady(steadyTenant, roles, d)
				stop := make(chan struct{})
				var flooded phase
				done := make(chan struct{})
				go func() { flooded = flood(floodTenant, stop); close(done) }()
				noisy := steady(steadyTenant, roles, d)
				close(stop)
				<-done
				rows = append(rows, row{dialect: dialect, replicas: n, quiet: quiet, noisy: noisy, flood: flooded})
			})
		}
	}

	var b strings.Builder
	fmt.Fprintf(&b, "\n%-9s %8s | %-28s | %-28s | %-22s | %s\n", "database", "replicas",
		"steady alone: r/s w/s p50 p99", "steady in flood: r/s w/s p50 p99", "flood: ok/s 429/s", "p99 ratio")
	failed := false
	for _, r := range rows {
		ratio := float64(r.noisy.percentile(0.99)) / float64(max(r.quiet.percentile(0.99), time.Microsecond))
		fmt.Fprintf(&b, "%-9s %8d | %5.0f %4.0f %6s %7s | %5.0f %4.0f %6s %7s | %8.0f %8.0f | %.2fx",
			r.dialect, r.replicas,
			float64(r.quiet.reads)/r.quiet.seconds, float64(r.quiet.writes)/r.quiet.seconds,
			ms(r.quiet.percentile(0.5)), ms(r.quiet.percentile(0.99)),
			float64(r.noisy.reads)/r.noisy.seconds, float64(r.noisy.writes)/r.noisy.seconds,
			ms(r.noisy.percentile(0.5)), ms(r.noisy.percentile(0.99)),
			float64(r.flood.reads)/r.flood.seconds, float64(r.flood.limited)/r.flood.seconds, ratio)
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
