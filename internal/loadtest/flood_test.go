package loadtest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/e2e"
	"github.com/engage-oss/terraform-provider-engage/internal/wire"
)

// The flood runs in a process of its own, this test binary run again, at
// the lowest CPU priority (nice 19), sending to the replicas directly, each
// of its clients to one of them in turn. Its clients and its load balancer
// stand for machines elsewhere: sharing this machine's two cores at the
// same priority, 100 clients that spin on 429s take the cores the servers
// need, and the run would measure the flood's own CPU, not what the
// servers make of the flood. The steady tenant goes through the proxy.
const (
	floodEnv        = "ENGAGE_LOADTEST_FLOOD" // the replicas' URLs, comma-separated
	floodTokenEnv   = "ENGAGE_LOADTEST_FLOOD_TOKEN"
	floodWorkersEnv = "ENGAGE_LOADTEST_FLOOD_WORKERS"
)

type runningFlood struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   strings.Builder
}

// startFlood starts a flood of workers clients with token on the replicas.
func startFlood(t *testing.T, replicas *e2e.Replicas, token string, workers int) *runningFlood {
	t.Helper()
	var bases []string
	for i := range replicas.Len() {
		bases = append(bases, "http://"+replicas.Addr(i))
	}
	f := &runningFlood{cmd: exec.Command("nice", "-n", "19", os.Args[0])}
	f.cmd.Env = append(os.Environ(), floodEnv+"="+strings.Join(bases, ","), floodTokenEnv+"="+token,
		floodWorkersEnv+"="+strconv.Itoa(workers))
	f.cmd.Stdout, f.cmd.Stderr = &f.out, &f.out
	var err error
	if f.stdin, err = f.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := f.cmd.Start(); err != nil {
		t.Fatalf("starting the flood: %v", err)
	}
	return f
}

// stop ends the flood (closing its stdin) and returns what it saw.
func (f *runningFlood) stop(t *testing.T) phase {
	t.Helper()
	_ = f.stdin.Close()
	if err := f.cmd.Wait(); err != nil {
		t.Fatalf("the flood: %v\n%s", err, f.out.String())
	}
	var r floodReport
	if err := json.Unmarshal([]byte(f.out.String()), &r); err != nil {
		t.Fatalf("the flood's report %q: %v", f.out.String(), err)
	}
	return phase{reads: r.Reads, limited: r.Limited, failed: r.Failed, seconds: r.Seconds}
}

// floodReport is what the flood's process prints when it ends.
type floodReport struct {
	Reads, Limited, Failed int
	Seconds                float64
}

// floodProcess is the flood's process: it lists roles as fast as its
// clients are answered until its stdin closes, then prints what it saw.
func floodProcess() int {
	bases := strings.Split(os.Getenv(floodEnv), ",")
	workers, err := strconv.Atoi(os.Getenv(floodWorkersEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	stop := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		close(stop)
	}()
	transport := &http.Transport{MaxIdleConnsPerHost: workers}
	var tenants []tenant
	for _, base := range bases {
		tenants = append(tenants, tenant{base: base, token: os.Getenv(floodTokenEnv), client: &http.Client{Transport: transport}})
	}
	var mu sync.Mutex
	var out floodReport
	var wg sync.WaitGroup
	start := time.Now()
	for w := range workers {
		tn := tenants[w%len(tenants)]
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
					out.Failed++
				case status == http.StatusTooManyRequests:
					out.Limited++
				default:
					out.Reads++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	out.Seconds = time.Since(start).Seconds()
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		return 1
	}
	return 0
}
