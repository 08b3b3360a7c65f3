package apiserver

import (
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"sync"
)

// RequestCounter counts the requests a server receives by route, as
// "METHOD pattern" ("GET /v1/roles/{id}"), so that benchmarks and tests can
// assert how many calls an operation costs: a refresh of 5,000 objects must
// cost a few list pages, not 5,000 reads. Every request counts, including
// those refused by authentication, rate limiting or an allowlist, and
// "unmatched" counts those no route matches. Routes are patterns, not
// paths: no id, query or header is kept.
//
// The zero value is ready to use; it is safe for concurrent use.
type RequestCounter struct {
	mu     sync.Mutex
	counts map[string]int64
}

// RequestCounts is a snapshot of a RequestCounter: requests by route.
type RequestCounts map[string]int64

// Total is the number of requests in the snapshot, all routes together.
func (c RequestCounts) Total() int64 {
	var n int64
	for _, v := range c {
		n += v
	}
	return n
}

// Sub returns the requests counted since before was taken: what one
// operation cost, between two snapshots of the same counter.
func (c RequestCounts) Sub(before RequestCounts) RequestCounts {
	out := RequestCounts{}
	for route, n := range c {
		if d := n - before[route]; d != 0 {
			out[route] = d
		}
	}
	return out
}

// LogValue lists the routes in order, for one readable log record.
func (c RequestCounts) LogValue() slog.Value {
	attrs := make([]slog.Attr, 0, len(c))
	for _, route := range slices.Sorted(maps.Keys(c)) {
		attrs = append(attrs, slog.Int64(route, c[route]))
	}
	return slog.GroupValue(attrs...)
}

// Snapshot returns the counts so far. It is a copy: later requests do not
// change it.
func (rc *RequestCounter) Snapshot() RequestCounts {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := make(RequestCounts, len(rc.counts))
	maps.Copy(out, rc.counts)
	return out
}

// Reset forgets every count.
func (rc *RequestCounter) Reset() {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	clear(rc.counts)
}

func (rc *RequestCounter) add(route string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.counts == nil {
		rc.counts = map[string]int64{}
	}
	rc.counts[route]++
}

// requestCountsBody is the body of GET /v1/debug/requests.
type requestCountsBody struct {
	Routes RequestCounts `json:"routes"`
	Total  int64         `json:"total"`
}

// requestCounts serves the counts to a process that runs the server at
// arm's length (`serve` started by a benchmark harness). It says nothing a
// read-scoped token could not learn by calling the API: route patterns and
// numbers.
func (s *server) requestCounts(w http.ResponseWriter, r *http.Request) {
	counts := s.requests.Snapshot()
	s.encode(w, r, http.StatusOK, requestCountsBody{Routes: counts, Total: counts.Total()})
}
