// Package client implements access.Service over the Engage REST API v1
// (internal/apiserver serves it), so that the provider talks to a remote
// platform through the same interface as to the embedded store.
//
// It owns the HTTP concerns the design asks for and nothing else: one
// go-retryablehttp client per provider process (connection reuse), bounded
// retries with exponential backoff and full jitter on 429/502/503/504 and
// connection errors, Retry-After honoured up to a cap, an Idempotency-Key on
// every write, If-Match with the last ETag seen, a client-side rate limit,
// and the mapping of RFC 9457 problems back to the typed errors of package
// access, so that diagnostics read the same on both backends. The bearer
// token travels only in the Authorization header: never in a URL, a log
// line or an error.
package client
