package faults

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// target is a server behind an injector that counts the requests its
// handler saw.
type target struct {
	url     string
	handled atomic.Int32
	inj     *Injector
}

func newTarget(t *testing.T, cfg Config, handler http.HandlerFunc) *target {
	t.Helper()
	tg := &target{}
	inj, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tg.inj = inj
	if handler == nil {
		handler = func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") }
	}
	srv := httptest.NewServer(inj.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tg.handled.Add(1)
		handler(w, r)
	})))
	t.Cleanup(srv.Close)
	tg.url = srv.URL
	return tg
}

// get sends one request without retries and with fresh connections, so that
// a reset shows as an error.
func get(t *testing.T, method, url string) (*http.Response, string, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b), nil
}

func only(k Kind) func(*http.Request) Kind { return func(*http.Request) Kind { return k } }

func TestEachKindDoesWhatItsNameSays(t *testing.T) {
	t.Parallel()
	cases := []struct {
		kind        Kind
		wantStatus  int // 0: a transport error
		retryAfter  string
		wantHandled int32
	}{
		{Pass, http.StatusOK, "", 1},
		{Unavailable, http.StatusServiceUnavailable, "", 0},
		{UnavailableRetryAfter, http.StatusServiceUnavailable, "2", 0},
		{TooManyRequests, http.StatusTooManyRequests, "2", 0},
		{ResetBefore, 0, "", 0},
		{ResetAfter, 0, "", 1},
		{Slow, http.StatusOK, "", 1},
	}
	for _, tc := range cases {
		t.Run(tc.kind.String(), func(t *testing.T) {
			t.Parallel()
			tg := newTarget(t, Config{Choose: only(tc.kind), RetryAfter: 2 * time.Second, Latency: 50 * time.Millisecond}, nil)
			start := time.Now()
			resp, body, err := get(t, http.MethodPost, tg.url+"/v1/roles")
			switch {
			case tc.wantStatus == 0 && err == nil:
				t.Fatalf("got %d, want a transport error", resp.StatusCode)
			case tc.wantStatus != 0 && err != nil:
				t.Fatalf("err = %v, want %d", err, tc.wantStatus)
			case tc.wantStatus != 0:
				if resp.StatusCode != tc.wantStatus || resp.Header.Get("Retry-After") != tc.retryAfter {
					t.Errorf("got %d Retry-After %q, want %d %q", resp.StatusCode, resp.Header.Get("Retry-After"), tc.wantStatus, tc.retryAfter)
				}
				if tc.wantStatus == http.StatusOK && body != "ok" {
					t.Errorf("body %q, want the server's", body)
				}
			}
			if got := tg.handled.Load(); got != tc.wantHandled {
				t.Errorf("the server handled %d requests, want %d", got, tc.wantHandled)
			}
			if tc.kind == Slow && time.Since(start) < 50*time.Millisecond {
				t.Errorf("a slow request took %s, want at least the latency", time.Since(start))
			}
			s := tg.inj.Stats()
			wantInjected := 1
			if tc.kind == Pass {
				wantInjected = 0
			}
			if s.Total(tc.kind) != wantInjected && tc.kind != Pass {
				t.Errorf("counted %v, want one %s", s.Injected, tc.kind)
			}
			if s.Injected[tc.kind]["POST /v1/roles"] != wantInjected && tc.kind != Pass {
				t.Errorf("counted %v by route, want one %s on POST /v1/roles", s.Injected, tc.kind)
			}
			if s.Requests["POST /v1/roles"] != 1 {
				t.Errorf("requests %v, want one POST /v1/roles", s.Requests)
			}
		})
	}
}

func TestTheSameSeedDrawsTheSameFaults(t *testing.T) {
	t.Parallel()
	rates := map[Kind]float64{Unavailable: 0.2, TooManyRequests: 0.1, ResetBefore: 0.05, Slow: 0.05}
	draw := func(seed uint64) []Kind {
		inj, err := New(Config{Seed: seed, Rates: rates})
		if err != nil {
			t.Fatal(err)
		}
		out := make([]Kind, 200)
		for i := range out {
			out[i] = inj.decide(httptest.NewRequest(http.MethodGet, "/v1/roles?i="+strings.Repeat("x", i), nil))
		}
		return out
	}
	a, b, c := draw(42), draw(42), draw(43)
	same := func(x, y []Kind) bool {
		for i := range x {
			if x[i] != y[i] {
				return false
			}
		}
		return true
	}
	if !same(a, b) {
		t.Error("seed 42 drew two different sequences")
	}
	if same(a, c) {
		t.Error("seeds 42 and 43 drew the same sequence")
	}
}

func TestRatesAreRespectedOverManyRequests(t *testing.T) {
	t.Parallel()
	rates := map[Kind]float64{Unavailable: 0.1, UnavailableRetryAfter: 0.1, TooManyRequests: 0.1, ResetBefore: 0.025, ResetAfter: 0.025, Slow: 0.05}
	inj, err := New(Config{Seed: 7, Rates: rates})
	if err != nil {
		t.Fatal(err)
	}
	const n = 20000
	for i := range n {
		inj.decide(httptest.NewRequest(http.MethodGet, "/v1/users/usr_"+strings.Repeat("1", i%50), nil))
	}
	s := inj.Stats()
	for k, p := range rates {
		got := float64(s.Total(k)) / n
		if got < p*0.85 || got > p*1.15 {
			t.Errorf("%s drawn %.4f of the time, want %.4f", k, got, p)
		}
	}
	if sum := s.Total(Unavailable) + s.Total(UnavailableRetryAfter) + s.Total(TooManyRequests) + s.Total(ResetBefore) +
		s.Total(ResetAfter) + s.Total(Slow); s.TotalInjected() != sum || sum == 0 {
		t.Errorf("TotalInjected = %d, want the sum of the kinds, %d", s.TotalInjected(), sum)
	}
	if s.Requests["GET /v1/users/{id}"] != n {
		t.Errorf("requests %v, want %d on GET /v1/users/{id}", s.Requests, n)
	}
}

func TestMaxConsecutiveLetsTheSameRequestThroughAfterThatManyFaults(t *testing.T) {
	t.Parallel()
	inj, err := New(Config{Rates: map[Kind]float64{Unavailable: 1}, MaxConsecutive: 3})
	if err != nil {
		t.Fatal(err)
	}
	req := func(key string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/v1/roles", nil)
		r.Header.Set("Idempotency-Key", key)
		return r
	}
	var got []Kind
	for range 5 {
		got = append(got, inj.decide(req("a")))
	}
	want := []Kind{Unavailable, Unavailable, Unavailable, Pass, Unavailable}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("attempts drew %v, want %v", got, want)
		}
	}
	if k := inj.decide(req("b")); k != Unavailable {
		t.Errorf("another request drew %s; its count is its own", k)
	}
}

func TestNewRefusesRatesThatCannotBeDrawn(t *testing.T) {
	t.Parallel()
	for name, rates := range map[string]map[Kind]float64{
		"rates summing to more than 1": {Unavailable: 0.6, TooManyRequests: 0.6},
		"a negative rate":              {Unavailable: -0.1},
		"a rate for passing":           {Pass: 0.5},
	} {
		if _, err := New(Config{Rates: rates}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestStatsCountReplaysAndPeakConcurrency(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var arrived sync.WaitGroup
	arrived.Add(3)
	tg := newTarget(t, Config{}, func(w http.ResponseWriter, _ *http.Request) {
		arrived.Done()
		<-release
		w.Header().Set("Idempotent-Replayed", "true")
	})
	var done sync.WaitGroup
	for range 3 {
		done.Go(func() {
			if _, _, err := get(t, http.MethodPut, tg.url+"/v1/roles/rol_1"); err != nil {
				t.Error(err)
			}
		})
	}
	arrived.Wait()
	close(release)
	done.Wait()
	s := tg.inj.Stats()
	if s.MaxInFlight != 3 || s.Replayed != 3 || s.Requests["PUT /v1/roles/{id}"] != 3 || s.Statuses[http.StatusOK] != 3 {
		t.Errorf("stats %+v; want 3 in flight, 3 replayed, 3 PUT /v1/roles/{id}, 3 answered 200", s)
	}
}

func TestRouteReplacesIdentifiers(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"GET /v1/roles?limit=500":               "GET /v1/roles",
		"DELETE /v1/users/usr_1":                "DELETE /v1/users/{id}",
		"PUT /v1/masking-columns/t/c":           "PUT /v1/masking-columns/{id}",
		"PUT /v1/settings/security":             "PUT /v1/settings/security",
		"GET /v1/whoami":                        "GET /v1/whoami",
		"POST /v1/transfer-credentials":         "POST /v1/transfer-credentials",
		"GET /v1/export-destinations/exp_1?x=1": "GET /v1/export-destinations/{id}",
	} {
		method, target, _ := strings.Cut(in, " ")
		if got := Route(httptest.NewRequest(method, target, nil)); got != want {
			t.Errorf("Route(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestPendingWritesCountWritesWaitingBetweenRetries(t *testing.T) {
	t.Parallel()
	inj, err := New(Config{Choose: func(r *http.Request) Kind {
		if r.Header.Get("X-Fault") != "" {
			return TooManyRequests
		}
		return Pass
	}})
	if err != nil {
		t.Fatal(err)
	}
	h := inj.Wrap(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusCreated) }))
	send := func(key string, fault bool) {
		r := httptest.NewRequest(http.MethodPost, "/v1/roles", nil)
		r.Header.Set("Idempotency-Key", key)
		if fault {
			r.Header.Set("X-Fault", "429")
		}
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	// Three writes refused one after the other are all under way at once,
	// though no two requests ever overlapped.
	send("a", true)
	send("b", true)
	send("c", true)
	send("a", false)
	send("b", false)
	send("c", false)
	send("d", false)
	if s := inj.Stats(); s.MaxPendingWrites != 3 || s.MaxInFlight != 1 {
		t.Errorf("stats %+v; want 3 writes pending at most and 1 request in flight", s)
	}
}
