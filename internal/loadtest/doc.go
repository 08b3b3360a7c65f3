// Package loadtest is the `make bench-server` run: the reference server
// under load as a team runs it, one and three `serve` replicas behind a
// round-robin proxy, on SQLite and on PostgreSQL. For each it measures a
// steady tenant (reads and writes at a fixed pace, under its rate limit)
// alone, then while a second tenant floods the server, in two shapes: as
// many requests in flight as the server's per-token queue holds (they wait
// their turn and are served at the token's rate), and four times the queue
// (the rest are refused with 429 and come straight back). It reports reads
// and writes per second, latency percentiles as the steady tenant saw them
// and as the replicas logged them (the server's own time: the proxy and
// both tenants' clients share the machine's cores with the servers). The
// target: the flood must not push the steady tenant's p99 above twice its
// quiet value.
//
// The run is TestServerLoad, skipped unless ENGAGE_BENCH_SERVER=1 (and
// TF_ACC and TF_ACC_TERRAFORM_PATH, as for e2e, which builds the binary), so
// `make test` never runs it. LOAD_SECONDS sets each phase's length
// (default 10); BENCH_STRICT=1 fails the run when a target is missed.
package loadtest
