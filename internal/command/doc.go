// Package command implements the binary's sub-commands besides the Terraform
// plugin itself: `serve` (the reference REST API over an embedded database)
// and `token create` (mint an API token for it). It only wires packages
// together; the behaviour lives in apiserver and store.
package command
