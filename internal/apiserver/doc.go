// Package apiserver owns the reference REST API v1 of the Engage platform: an
// http.Handler that serves any access.Service (in practice internal/store)
// as JSON over HTTP, in the representation of package wire.
//
// It owns everything HTTP about the API and nothing about the platform's
// rules: routing (all in routes.go), request decoding and its limits,
// the mapping of access errors to RFC 9457 problems, ETag / If-Match,
// cursor pagination parameters, Idempotency-Key replay on writes, request ids,
// request logs and panic recovery. Rules live behind access.Service, so the
// REST and embedded backends behave identically.
//
// openapi.yaml describes every route (OpenAPI 3.0.3); OpenAPI returns it and
// GET /v1/openapi.yaml serves it (scope access:read, like every read).
// Package openapitest holds it to the truth: the REST acceptance suite
// validates all its traffic against it.
package apiserver
