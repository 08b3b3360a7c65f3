package command

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/engage-oss/terraform-provider-engage/internal/store"
)

const adminUsage = `Usage: terraform-provider-engage admin allowlists disable-all [--database PATH|URL] [--secret-key-file FILE]

Operator commands that work on the server's database directly, whether the
server runs or not, so they reach the account when its API does not.

allowlists disable-all  disables every enabled IP allowlist, keeping their
        entries, and prints what it disabled: the recovery for an account whose
        allowlists leave every caller (you included) outside. Servers stop
        enforcing the lists at their next request; fix the configuration and
        re-enable them (terraform apply) once your address is in one.

` + databaseHelp + `
Flags:
`

// Admin runs `admin <group> <command>`; it returns the process exit code.
func Admin(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("admin allowlists disable-all", adminUsage, stderr)
	var db databaseFlags
	db.register(fs)
	if slices.ContainsFunc(args, isHelpFlag) {
		fs.Usage() // admin --help, admin allowlists --help, ... alike
		return 0
	}
	if len(args) < 2 || args[0] != "allowlists" || args[1] != "disable-all" {
		fmt.Fprintln(stderr, "admin: the one command is 'admin allowlists disable-all'")
		fs.Usage()
		return 2
	}
	if err := fs.Parse(args[2:]); err != nil {
		return exitUsage(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "admin allowlists disable-all: unexpected arguments %v\n", fs.Args())
		return 2
	}
	ctx := context.Background()
	st, err := db.openExisting(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "admin allowlists disable-all: %v\n", err)
		return 1
	}
	defer st.Close()
	if err := disableAllAllowlists(ctx, st, stdout); err != nil {
		fmt.Fprintf(stderr, "admin allowlists disable-all: %v\n", err)
		return 1
	}
	return 0
}

// isHelpFlag reports whether arg asks for help.
func isHelpFlag(arg string) bool { return arg == "-h" || arg == "-help" || arg == "--help" }

// plural is n with the noun for it: "1 entry", "2 entries".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func disableAllAllowlists(ctx context.Context, st *store.Store, stdout io.Writer) error {
	disabled, err := st.DisableAllIPAllowlists(ctx)
	if err != nil {
		return err
	}
	if len(disabled) == 0 {
		fmt.Fprintf(stdout, "no IP allowlist of %s was enabled; nothing to disable\n", st.Location())
		return nil
	}
	for _, l := range disabled {
		fmt.Fprintf(stdout, "disabled IP allowlist %q (%s, %s)\n", l.Name, l.ID, plural(len(l.Entries), "entry", "entries"))
	}
	fmt.Fprintf(stdout, "disabled %s of %s; every address may reach the API again, from each server's next request\n",
		plural(len(disabled), "IP allowlist", "IP allowlists"), st.Location())
	return nil
}
