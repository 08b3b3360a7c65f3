package command

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/store"
)

const tokenUsage = `Usage: terraform-provider-engage token create --name NAME [--scopes access:read,access:write] [--expires-in DURATION]
       terraform-provider-engage token list
       terraform-provider-engage token revoke NAME
  each with [--database PATH|URL] [--secret-key-file FILE]

Manages the API tokens of the reference REST server.

create  makes a token and prints it once on standard output. Only a hash of it
        is stored: keep it somewhere safe (for Terraform, in ENGAGE_API_TOKEN).
        --expires-in makes it stop working after DURATION (e.g. 720h or 90d).
list    shows every token's name, scopes, creation, expiry and last use (to
        within a minute); never a token itself, which is not stored.
revoke  deletes the token NAME. Every server on the database refuses it from
        its next request on; the name is free again.

` + databaseHelp + `
Flags:
`

// Token runs `token <sub-command>`; it returns the process exit code.
func Token(args []string, stdout, stderr io.Writer) int {
	sub := ""
	if len(args) > 0 {
		sub = args[0]
	}
	fs := newFlagSet("token "+sub, tokenUsage, stderr)
	var db databaseFlags
	db.register(fs)
	var run func(ctx context.Context, st *store.Store) error
	open := func(ctx context.Context) (*store.Store, error) { return db.openExisting(ctx) }
	switch sub {
	case "create":
		// The first token is minted before the first server starts, so
		// create may make the database; it says so.
		open = func(ctx context.Context) (*store.Store, error) { return db.openMaking(ctx, "token create", stderr) }
		name := fs.String("name", "", "a name for the token, unique (required)")
		scopes := fs.String("scopes", access.ScopeRead+","+access.ScopeWrite, "comma-separated scopes: "+access.ScopeRead+", "+access.ScopeWrite)
		expiresIn := fs.String("expires-in", "", "how long the token works, e.g. 720h or 90d (default: until revoked)")
		if err := fs.Parse(args[1:]); err != nil {
			return exitUsage(err)
		}
		var opts []store.APITokenOption
		if *expiresIn != "" {
			d, err := parseExpiresIn(*expiresIn)
			if err != nil {
				fmt.Fprintf(stderr, "token create: --expires-in: %v\n", err)
				return 2
			}
			opts = append(opts, store.ExpiresAt(time.Now().Add(d)))
		}
		run = func(ctx context.Context, st *store.Store) error {
			_, token, err := st.CreateAPIToken(ctx, *name, strings.Split(*scopes, ","), opts...)
			if err == nil {
				fmt.Fprintln(stdout, token)
			}
			return err
		}
	case "list":
		if err := fs.Parse(args[1:]); err != nil {
			return exitUsage(err)
		}
		run = func(ctx context.Context, st *store.Store) error {
			tokens, err := st.ListAPITokens(ctx)
			if err == nil {
				printTokens(stdout, tokens, time.Now())
			}
			return err
		}
	case "revoke":
		name, err := parseWithPositional(fs, args[1:])
		if err != nil {
			return exitUsage(err)
		}
		if name == "" {
			fmt.Fprintln(stderr, "token revoke: name the token to revoke: token revoke NAME")
			return 2
		}
		run = func(ctx context.Context, st *store.Store) error {
			t, err := st.RevokeAPIToken(ctx, name)
			if err == nil {
				fmt.Fprintf(stdout, "revoked API token %q (%s)\n", t.Name, t.ID)
			}
			return err
		}
	case "-h", "-help", "--help":
		fs.Usage()
		return 0
	default:
		if sub == "" {
			fmt.Fprintln(stderr, "token: name a command: create, list or revoke")
		} else {
			fmt.Fprintf(stderr, "token: no command %q: create, list or revoke\n", sub)
		}
		fmt.Fprint(stderr, tokenUsage)
		return 2
	}

	ctx := context.Background()
	st, err := open(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "token %s: %v\n", sub, err)
		return 1
	}
	defer st.Close()
	if err := run(ctx, st); err != nil {
		fmt.Fprintf(stderr, "token %s: %v\n", sub, err)
		return 1
	}
	return 0
}

// parseWithPositional parses args with fs and returns its one positional
// argument, which may stand before or after the flags (the standard flag
// package stops at the first non-flag). More than one is an error.
func parseWithPositional(fs *flag.FlagSet, args []string) (string, error) {
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	if fs.NArg() == 0 {
		return "", nil
	}
	positional := fs.Arg(0)
	if err := fs.Parse(fs.Args()[1:]); err != nil {
		return "", err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected arguments after %q: %s\n", positional, strings.Join(fs.Args(), " "))
		return "", errors.New("too many arguments")
	}
	return positional, nil
}

// parseExpiresIn reads a Go duration, or a whole number of days ("90d"),
// which time.ParseDuration does not take.
func parseExpiresIn(s string) (time.Duration, error) {
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, fmt.Errorf("%q is not a duration such as 720h or 90d", s)
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("%q is not a duration such as 720h or 90d", s)
		}
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q is not a positive duration", s)
	}
	return d, nil
}

// printTokens writes the tokens as a table, times in UTC.
func printTokens(w io.Writer, tokens []store.APIToken, now time.Time) {
	if len(tokens) == 0 {
		fmt.Fprintln(w, "no API tokens")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSCOPES\tCREATED\tEXPIRES\tLAST USED")
	for _, t := range tokens {
		expires := "never"
		if t.ExpiresAt != nil {
			expires = t.ExpiresAt.Format(time.RFC3339)
			if t.Expired(now) {
				expires += " (expired)"
			}
		}
		lastUsed := "never"
		if t.LastUsedAt != nil {
			lastUsed = t.LastUsedAt.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.Name, strings.Join(t.Scopes, ","), t.CreatedAt.Format(time.RFC3339), expires, lastUsed)
	}
	_ = tw.Flush()
}
