// Package bench is the `make bench` harness: it times the real provider
// binary under the real terraform CLI (through internal/e2e) at N objects,
// side by side with the floor, the same number of terraform_data resources
// in the same graph, which is what Terraform itself costs, and with the
// peer, as many time_static resources of hashicorp/time v0.14.2 (peer.go),
// a provider on our plugin framework that does no I/O. For every backend
// (embedded, REST on loopback, REST with injected latency) and operation
// (apply, no-op plan with refresh, plan -refresh=false) it records the wall
// time, its ratio to the floor, the provider's peak RSS and, on REST, the
// requests the server counted by route; it prints a table, writes
// bench/results/latest.json and says which of the performance targets of
// issue 7 are met, and whether every row is faster than the peer's (issue
// 15). It also times a no-op plan of one role with every
// permission and of one allowlist of 2,000 entries (LargeObjects) against
// the same values in one terraform_data: those must take under 2 s.
//
// The run itself is TestBenchAgainstTheFloor, skipped unless ENGAGE_BENCH=1
// (and TF_ACC, TF_ACC_TERRAFORM_PATH as for e2e), so `make test` never runs
// it. BENCH_N lists the sizes (default 1000,5000); BENCH_BACKENDS the
// backends (default all); BENCH_OUT the JSON file; BENCH_LARGE=0 skips
// the large objects; BENCH_PEER=0 skips the peer, whose first run builds it
// from the Go module proxy into ~/.cache/engage-tools (ENGAGE_TOOLS_DIR).
package bench
