// Package loadtest is the `make bench-server` run: the reference server
// under load as a team runs it, one and three `serve` replicas behind a
// round-robin proxy, on SQLite and on PostgreSQL. For each it measures a
// steady tenant (reads and writes at a fixed pace, under its rate limit)
// alone, then while a second tenant floods the server as fast as it can and
// is rate-limited, and reports reads and writes per second and latency
// percentiles. The target: the flood must not push the steady tenant's p99
// above twice its quiet value.
//
// The run is TestServerLoad, skipped unless ENGAGE_BENCH_SERVER=1 (and
// TF_ACC and TF_ACC_TERRAFORM_PATH, as for e2e, which builds the binary), so
// `make test` never runs it. LOAD_SECONDS sets each phase's length
// (default 10).
package loadtest
