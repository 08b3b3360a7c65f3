package releasetest

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gitRepo is a throwaway repository for tools/changelog-check.sh, with a
// main branch holding CHANGELOG.md and a file under internal/.
type gitRepo struct {
	t   *testing.T
	dir string
}

func newGitRepo(t *testing.T) *gitRepo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	g := &gitRepo{t: t, dir: t.TempDir()}
	g.git("init", "-q", "-b", "main")
	g.commit("start", map[string]string{"CHANGELOG.md": "# Changelog\n", "internal/a.go": "package a\n"})
	return g
}

func (g *gitRepo) git(args ...string) string {
	g.t.Helper()
	cmd := exec.CommandContext(g.t.Context(), "git", args...)
	cmd.Dir = g.dir
	// Nobody's git configuration: the identity and branch names are ours.
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=test", "GIT_AUTHOR_EMAIL=test@example.com",
		"GIT_COMMITTER_NAME=test", "GIT_COMMITTER_EMAIL=test@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		g.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// commit writes files (appending to those that exist) and commits them.
func (g *gitRepo) commit(message string, files map[string]string) {
	g.t.Helper()
	for name, text := range files {
		path := filepath.Join(g.dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			g.t.Fatal(err)
		}
		f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			g.t.Fatal(err)
		}
		_, err = f.WriteString(text)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			g.t.Fatal(err)
		}
	}
	g.git("add", "-A")
	g.git("commit", "-q", "-m", message)
}

// branch starts a branch from main and commits each change on it.
func (g *gitRepo) branch(name string, commits ...change) {
	g.t.Helper()
	g.git("checkout", "-q", "-b", name, "main")
	for _, c := range commits {
		g.commit(c.message, c.files)
	}
}

// land merges a branch into main as a merge commit, as branches land.
func (g *gitRepo) land(name string) {
	g.t.Helper()
	g.git("checkout", "-q", "main")
	g.git("merge", "-q", "--no-ff", "-m", "Merge branch '"+name+"'", name)
}

// check runs the script in the repository, with args.
func (g *gitRepo) check(args ...string) (string, bool) {
	g.t.Helper()
	script, err := filepath.Abs("../../tools/changelog-check.sh")
	if err != nil {
		g.t.Fatal(err)
	}
	cmd := exec.CommandContext(g.t.Context(), script, args...)
	cmd.Dir = g.dir
	cmd.Env = append(os.Environ(), "CHANGELOG_BASE=")
	out, err := cmd.CombinedOutput()
	if exitErr := (*exec.ExitError)(nil); err != nil && !errors.As(err, &exitErr) {
		g.t.Fatalf("running %s: %v", script, err)
	}
	return string(out), err == nil
}

type change struct {
	message string
	files   map[string]string
}

var (
	codeChange      = change{"store: a fix", map[string]string{"internal/a.go": "// fix\n"}}
	changelogChange = change{"CHANGELOG: the fix", map[string]string{"CHANGELOG.md": "- a fix\n"}}
	markedChange    = change{"store: rename a helper\n\nno-changelog: nothing a user sees", map[string]string{"internal/a.go": "// rename\n"}}
	docsChange      = change{"README: a typo", map[string]string{"README.md": "typo\n"}}
)

func TestChangelogCheck(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		// setup leaves the repository with HEAD where the check runs.
		setup  func(g *gitRepo)
		args   []string
		pass   bool
		output string // a line the output must hold
	}{
		{
			name:   "a branch changing internal/ without the changelog fails, naming the file",
			setup:  func(g *gitRepo) { g.branch("fix", codeChange, docsChange) },
			output: "  internal/a.go",
		},
		{
			name:   "a branch changing internal/ and the changelog in another commit passes",
			setup:  func(g *gitRepo) { g.branch("fix", codeChange, changelogChange) },
			pass:   true,
			output: "updates CHANGELOG.md",
		},
		{
			name:   "a branch with no-changelog in a commit message passes",
			setup:  func(g *gitRepo) { g.branch("fix", markedChange, codeChange) },
			pass:   true,
			output: "marked no-changelog",
		},
		{
			name:   "a branch that leaves internal/ alone passes",
			setup:  func(g *gitRepo) { g.branch("docs", docsChange) },
			pass:   true,
			output: "no change under internal/",
		},
		{
			name: "a branch is judged on its own commits, not on main's since it started",
			setup: func(g *gitRepo) {
				g.branch("docs", docsChange)
				g.git("checkout", "-q", "main")
				g.commit(codeChange.message, codeChange.files)
				g.git("checkout", "-q", "docs")
			},
			pass: true,
		},
		{
			name: "on main, the last landing changing internal/ without the changelog fails",
			setup: func(g *gitRepo) {
				g.branch("fix", codeChange)
				g.land("fix")
			},
			output: `landing`,
		},
		{
			name: "on main, a landing behind a later docs-only one is still checked",
			setup: func(g *gitRepo) {
				g.branch("fix", codeChange)
				g.land("fix")
				g.branch("docs", docsChange)
				g.land("docs")
			},
			output: `"Merge branch 'fix'" touches internal/`,
		},
		{
			name: "on main, a later landing that updates the changelog brings it back",
			setup: func(g *gitRepo) {
				g.branch("fix", codeChange)
				g.land("fix")
				g.branch("changelog", changelogChange)
				g.land("changelog")
			},
			pass: true,
		},
		{
			name: "on main, a commit straight on main is a landing too",
			setup: func(g *gitRepo) {
				g.commit(changelogChange.message, changelogChange.files)
				g.commit(markedChange.message, markedChange.files)
				g.commit(codeChange.message, codeChange.files)
			},
			output: `"store: a fix" touches internal/`,
		},
		{
			name: "a base given on the command line sets the range",
			setup: func(g *gitRepo) {
				g.commit(codeChange.message, codeChange.files)
				g.commit(docsChange.message, docsChange.files)
			},
			args:   []string{"HEAD~1"},
			pass:   true,
			output: "HEAD~1..HEAD: no change under internal/",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := newGitRepo(t)
			tc.setup(g)
			out, passed := g.check(tc.args...)
			if passed != tc.pass {
				t.Errorf("passed = %v, want %v; output:\n%s", passed, tc.pass, out)
			}
			if !strings.Contains(out, tc.output) {
				t.Errorf("output lacks %q:\n%s", tc.output, out)
			}
		})
	}
}
