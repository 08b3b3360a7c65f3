// Command terraform-provider-engage is the Terraform provider for the access
// configuration of the Engage platform.
package main

import (
	"context"
	"flag"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/engage-oss/terraform-provider-engage/internal/command"
	"github.com/engage-oss/terraform-provider-engage/internal/provider"
)

// version is set by the release build (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	// Sub-commands of the same binary; with no arguments (or plugin flags)
	// it is the Terraform plugin, as Terraform starts it.
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "serve":
			os.Exit(command.Serve(os.Args[2:], os.Stderr))
		case "token":
			os.Exit(command.Token(os.Args[2:], os.Stdout, os.Stderr))
		}
	}

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
