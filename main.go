// Command terraform-provider-engage is the Terraform provider for the access
// configuration of the Engage platform.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/engage-oss/terraform-provider-engage/internal/provider"
)

// version is set by the release build (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/engage-oss/engage",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err)
	}
}
