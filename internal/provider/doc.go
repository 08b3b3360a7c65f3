// Package provider is the Terraform glue of terraform-provider-engage: the
// provider configuration, one file per resource and data source, and the one
// place where access errors become diagnostics. It knows only access.Service;
// the backends are wired in backend.go.
package provider
