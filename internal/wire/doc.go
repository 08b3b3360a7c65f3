// Package wire owns the JSON representation of the Engage REST API v1: one
// struct per object, with field names spelled exactly as the Terraform
// attributes, plus the list envelope, the RFC 9457 problem body and the ETag
// format. The server (internal/apiserver) and the client (internal/client)
// both use it, so the two cannot drift apart.
//
// Mapping to and from the domain types of package access is explicit (FromX
// and ToAccess, no reflection) so that a field added on either side is a
// compile-time decision. An object's Version is its read-only "version" field
// and, on single-object responses, its ETag ("v<version>"), so that list
// pages carry what a later If-Match needs. Writes ignore it: a conditional
// write says so with If-Match.
package wire
