package command

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

const tokenUsage = `Usage: terraform-provider-engage token create --name NAME --scopes access:read,access:write
                                              [--database PATH|URL] [--secret-key-file FILE]

Creates an API token for the reference REST server and prints it once on
standard output. Only a hash of it is stored: keep it somewhere safe (for
Terraform, in ENGAGE_API_TOKEN).

` + databaseHelp + `
Flags:
`

// Token runs `token <sub-command>`; it returns the process exit code.
func Token(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprint(stderr, tokenUsage)
		return 2
	}
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, tokenUsage); fs.PrintDefaults() }
	var db databaseFlags
	db.register(fs)
	name := fs.String("name", "", "a name for the token, unique (required)")
	scopes := fs.String("scopes", access.ScopeRead+","+access.ScopeWrite, "comma-separated scopes: "+access.ScopeRead+", "+access.ScopeWrite)
	if err := fs.Parse(args[1:]); err != nil {
		return exitUsage(err)
	}
	ctx := context.Background()
	st, err := db.open(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "token create: %v\n", err)
		return 1
	}
	defer st.Close()
	_, token, err := st.CreateAPIToken(ctx, *name, strings.Split(*scopes, ","))
	if err != nil {
		fmt.Fprintf(stderr, "token create: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, token)
	return 0
}
