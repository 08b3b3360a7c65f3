package planreview

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The Markdown output is a pull-request comment that a person reads in a
// minute: a headline with the highest severity and a one-line summary, the
// findings (high first), a table of the people whose access changes, then
// roles, network, exports, masking, settings and what the review could not
// tell. Long sections collapse into <details>, which GitHub and GitLab both
// render; the whole comment stays under GitHub's size limit.
//
// Every string that comes from the configuration or the account (names,
// emails, addresses, messages that quote them) goes through mdText or
// mdCode, so it can neither break a table nor inject HTML or Markdown.
// The report holds no secrets; the renderer adds none, and strips a
// password from a target URL should one ever reach it.

const (
	// markdownBudget bounds the comment, in bytes (at least as many as
	// characters): GitHub refuses comments over 65,536 characters, and a
	// CI step may add its own lines around ours.
	markdownBudget = 60000
	// collapseAt is the number of rows a section shows before it
	// collapses.
	collapseAt = 10
	// maxTextRunes caps any one user-controlled string.
	maxTextRunes = 400
	// maxInlinePerms is the longest permission list shown without a
	// <details> around it; maxListedPerms the longest shown at all.
	maxInlinePerms = 6
	maxListedPerms = 60
	// reservePerBlock is what fit sets aside for a block's <details> tags
	// and truncation note.
	reservePerBlock = 400
)

// RenderMarkdown writes r as a Markdown comment. The output depends only on
// r (no map is iterated unsorted), so the same plan gives the same comment.
func RenderMarkdown(w io.Writer, r Report) error {
	_, err := io.WriteString(w, renderMarkdown(r, markdownBudget))
	return err
}

// renderMarkdown lays the comment out as parts, fits the parts' rows into
// budget bytes and writes them.
func renderMarkdown(r Report, budget int) string {
	var d doc
	headline(&d, r)
	findingsSection(&d, r.Findings)
	peopleSection(&d, r.Principals)
	rolesSection(&d, r.Roles)
	networkSection(&d, r.Network)
	exportsSection(&d, r.Exports)
	maskingSection(&d, r.Masking)
	settingsSection(&d, r.Settings)
	unresolvedSection(&d, r)
	footer(&d, r)
	d.fit(budget)
	return d.String()
}

// --- layout: fixed text, and blocks of rows that collapse and get cut ---

// doc is the comment as a sequence of parts: fixed Markdown, or a block of
// rows (a table or a list).
type doc struct {
	parts []part
}

type part struct {
	text  string
	block *block
}

// block is a table (header set) or a list (header empty) whose rows may be
// collapsed into <details> and, when the comment would be too long, cut.
type block struct {
	header string   // the table's header and delimiter rows
	rows   []string // one line each, with its "\n"
	noun   string   // what a row is, plural: "people", "roles"
	// split, when true, shows the first collapseAt rows and collapses the
	// rest; otherwise the whole block collapses behind summary when it has
	// more than collapseAt rows.
	split   bool
	summary string // plain text (no user strings): the <summary> of a collapsed block
	keep    int    // rows that fit; set by fit
}

func (d *doc) text(s string) {
	d.parts = append(d.parts, part{text: s})
}

func (d *doc) textf(format string, args ...any) {
	d.text(fmt.Sprintf(format, args...))
}

func (d *doc) add(b *block) {
	b.keep = len(b.rows)
	d.parts = append(d.parts, part{block: b})
}

// fit decides how many rows of each block to keep so that the comment stays
// within budget bytes. When everything fits, everything is kept. Otherwise
// the bytes left after the fixed text are shared out like water filling
// vessels: a block smaller than its fair share keeps all its rows and leaves
// the rest to the others, so one huge section does not crowd out the small
// ones. Each block keeps its first rows (the most important: findings are
// high first, people riskiest first).
func (d *doc) fit(budget int) {
	fixed, total := 0, 0
	var blocks []*block
	for _, p := range d.parts {
		if p.block == nil {
			fixed += len(p.text)
			continue
		}
		fixed += 2*len(p.block.header) + reservePerBlock
		total += rowsLen(p.block.rows)
		blocks = append(blocks, p.block)
	}
	if fixed+total <= budget {
		return
	}
	byNeed := slices.Clone(blocks)
	slices.SortStableFunc(byNeed, func(a, b *block) int { return cmp.Compare(rowsLen(a.rows), rowsLen(b.rows)) })
	left := max(budget-fixed, 0)
	for i, b := range byNeed {
		share := min(rowsLen(b.rows), left/(len(byNeed)-i))
		left -= share
		used, keep := 0, 0
		for _, row := range b.rows {
			if used+len(row) > share {
				break
			}
			used += len(row)
			keep++
		}
		b.keep = keep
	}
}

func rowsLen(rows []string) int {
	n := 0
	for _, r := range rows {
		n += len(r)
	}
	return n
}

func (d *doc) String() string {
	var sb strings.Builder
	for _, p := range d.parts {
		if p.block == nil {
			sb.WriteString(p.text)
			continue
		}
		p.block.write(&sb)
	}
	return strings.TrimRight(sb.String(), "\n") + "\n"
}

// write renders the rows that fit. Tags and tables are separated by blank
// lines, which GitHub and GitLab need to render Markdown inside <details>.
func (b *block) write(sb *strings.Builder) {
	shown := b.rows[:b.keep]
	switch {
	case len(b.rows) <= collapseAt:
		writeRows(sb, b.header, shown)
	case b.split:
		open := shown[:min(len(shown), collapseAt)]
		writeRows(sb, b.header, open)
		if rest := shown[len(open):]; len(rest) > 0 {
			fmt.Fprintf(sb, "<details><summary>%s more %s</summary>\n\n", count(len(rest)), nounFor(len(rest), b.noun))
			writeRows(sb, b.header, rest)
			sb.WriteString("</details>\n\n")
		}
	default:
		fmt.Fprintf(sb, "<details><summary>%s</summary>\n\n", b.summary)
		writeRows(sb, b.header, shown)
		sb.WriteString("</details>\n\n")
	}
	if left := len(b.rows) - b.keep; left > 0 {
		fmt.Fprintf(sb, "_%s more %s left out to keep this comment within GitHub's size limit: "+
			"run `review-plan --format json` for everything._\n\n", count(left), nounFor(left, b.noun))
	}
}

// nounFor is plural for n != 1: "1 more finding", "2 more findings".
func nounFor(n int, plural string) string {
	if n != 1 {
		return plural
	}
	if plural == "people" {
		return "person"
	}
	return strings.TrimSuffix(plural, "s")
}

func writeRows(sb *strings.Builder, header string, rows []string) {
	if len(rows) == 0 {
		return
	}
	sb.WriteString(header)
	for _, r := range rows {
		sb.WriteString(r)
	}
	sb.WriteString("\n")
}

// --- sections ---

var severityIcon = map[string]string{
	SeverityHigh:   "🔴",
	SeverityMedium: "🟠",
	SeverityLow:    "🟡",
}

func headline(d *doc, r Report) {
	highest := highestSeverity(r.Findings)
	switch {
	case highest != "":
		icon := severityIcon[highest]
		if icon == "" {
			icon = "⚪"
		}
		d.textf("## Engage access review: %s %s\n\n", icon, mdText(highest))
	case changes(r) == 0:
		d.text("## Engage access review: 🟢 no access change\n\n")
	default:
		d.text("## Engage access review: 🟢 no findings\n\n")
	}

	var summary []string
	if n := len(r.Findings); n > 0 {
		bySeverity := map[string]int{}
		for _, f := range r.Findings {
			bySeverity[f.Severity]++
		}
		var parts []string
		for _, s := range []string{SeverityHigh, SeverityMedium, SeverityLow} {
			if bySeverity[s] > 0 {
				parts = append(parts, fmt.Sprintf("%s %s", count(bySeverity[s]), s))
			}
		}
		if other := n - bySeverity[SeverityHigh] - bySeverity[SeverityMedium] - bySeverity[SeverityLow]; other > 0 {
			parts = append(parts, count(other)+" other")
		}
		summary = append(summary, fmt.Sprintf("**%s** (%s)", plural(n, "finding", "findings"), strings.Join(parts, ", ")))
	}
	gain, lose := 0, 0
	for _, p := range r.Principals {
		if len(p.Gained) > 0 || (p.FullAdminAfter && !p.FullAdminBefore) {
			gain++
		}
		if len(p.Lost) > 0 || (p.FullAdminBefore && !p.FullAdminAfter) {
			lose++
		}
	}
	switch {
	case gain > 0 && lose > 0:
		summary = append(summary, fmt.Sprintf("%s access, %s", plural(gain, "person gains", "people gain"), plural(lose, "loses", "lose")))
	case gain > 0:
		summary = append(summary, plural(gain, "person gains", "people gain")+" access")
	case lose > 0:
		summary = append(summary, plural(lose, "person loses", "people lose")+" access")
	}
	var changed []string
	if n := len(r.Roles); n > 0 {
		changed = append(changed, plural(n, "role", "roles"))
	}
	if r.Network.Managed {
		changed = append(changed, "the network")
	}
	if len(r.Exports) > 0 {
		changed = append(changed, "exports")
	}
	if len(r.Masking) > 0 {
		changed = append(changed, "masking")
	}
	if len(r.Settings) > 0 {
		changed = append(changed, "security settings")
	}
	if len(changed) > 0 {
		summary = append(summary, "changes to "+joinAnd(changed))
	}
	if n := len(r.Unresolved); n > 0 {
		summary = append(summary, plural(n, "fact", "facts")+" not resolved")
	}
	if len(summary) == 0 {
		d.text("No access change: the plan changes no Engage user, role, allowlist, export, masking or security setting.\n\n")
		return
	}
	d.textf("%s.\n\n", strings.Join(summary, " · "))
}

// highestSeverity is the most urgent severity among findings, "" for none.
// It is computed rather than read from Report.HighestSeverity so that the
// headline always agrees with the list below it.
func highestSeverity(findings []Finding) string {
	highest := ""
	for _, f := range findings {
		if highest == "" || severityRank(f.Severity) > severityRank(highest) {
			highest = f.Severity
		}
	}
	return highest
}

// changes counts what the report says changes, findings aside.
func changes(r Report) int {
	n := len(r.Principals) + len(r.Roles) + len(r.Exports) + len(r.Masking) + len(r.Settings) + len(r.Unresolved)
	if r.Network.Managed {
		n++
	}
	return n
}

func findingsSection(d *doc, findings []Finding) {
	if len(findings) == 0 {
		return
	}
	sorted := slices.Clone(findings)
	slices.SortStableFunc(sorted, func(a, b Finding) int { return cmp.Compare(severityRank(b.Severity), severityRank(a.Severity)) })
	d.text("### Findings\n\n")
	b := &block{noun: "findings", split: true}
	for _, f := range sorted {
		icon := severityIcon[f.Severity]
		if icon == "" {
			icon = "⚪"
		}
		line := fmt.Sprintf("- %s **%s** %s", icon, mdText(f.Severity), mdCode(f.Check))
		if f.Subject != "" {
			line += " **" + mdText(f.Subject) + "**"
		}
		if f.Address != "" && f.Address != f.Subject {
			line += " (" + mdCode(f.Address) + ")"
		}
		if f.Message != "" {
			line += ": " + mdText(f.Message)
		}
		b.rows = append(b.rows, line+"\n")
	}
	d.add(b)
}

// peopleSection lists the people riskiest first: Full Admin granted, then
// sensitive permissions gained, then uncertain, then everyone else, each
// group in the report's order. A cut table thus keeps the ones that matter.
func peopleSection(d *doc, principals []Principal) {
	if len(principals) == 0 {
		return
	}
	sorted := slices.Clone(principals)
	slices.SortStableFunc(sorted, func(a, b Principal) int { return cmp.Compare(personRank(a), personRank(b)) })
	d.textf("### People whose access changes (%s)\n\n", count(len(sorted)))
	b := &block{
		header: "| Person | Change | Why |\n|---|---|---|\n",
		noun:   "people",
		split:  true,
	}
	for _, p := range sorted {
		b.rows = append(b.rows, row(person(p), personChange(p), personWhy(p)))
	}
	d.add(b)
}

func personRank(p Principal) int {
	switch {
	case p.FullAdminAfter && !p.FullAdminBefore:
		return 0
	case len(p.SensitiveGained) > 0:
		return 1
	case p.Uncertain:
		return 2
	case len(p.Gained) > 0:
		return 3
	}
	return 4
}

// person names someone by display name and email; never by id.
func person(p Principal) string {
	var s string
	switch {
	case p.DisplayName != "" && p.Email != "":
		s = "**" + mdText(p.DisplayName) + "**<br>" + mdText(p.Email)
	case p.DisplayName != "":
		s = "**" + mdText(p.DisplayName) + "**"
	case p.Email != "":
		s = mdText(p.Email)
	default:
		s = "_email known only at apply_"
	}
	if !p.Managed {
		s += "<br>_not in this configuration_"
	}
	return s
}

func personChange(p Principal) string {
	var lines []string
	switch {
	case p.FullAdminAfter && !p.FullAdminBefore:
		lines = append(lines, "🔴 **becomes Full Admin**")
	case p.FullAdminBefore && !p.FullAdminAfter:
		lines = append(lines, "no longer Full Admin")
	}
	if len(p.SensitiveGained) > 0 {
		lines = append(lines, "🔴 sensitive: "+codeList(p.SensitiveGained))
	}
	if perms := permChange(p.Gained, p.Lost); perms != "" {
		lines = append(lines, perms)
	}
	if len(lines) == 0 {
		return "—"
	}
	return strings.Join(lines, "<br>")
}

func personWhy(p Principal) string {
	var lines []string
	for i, r := range p.Reasons {
		if i == 5 {
			lines = append(lines, fmt.Sprintf("and %d more", len(p.Reasons)-i))
			break
		}
		lines = append(lines, mdText(r))
	}
	if p.Uncertain {
		lines = append(lines, "⚠️ _the role is known only at apply: worst case shown_")
	}
	if len(lines) == 0 {
		return "—"
	}
	return strings.Join(lines, "<br>")
}

// permChange says which permissions are gained and lost, inline when the
// lists are short, collapsed otherwise.
func permChange(gained, lost []string) string {
	if len(gained)+len(lost) == 0 {
		return ""
	}
	var lines []string
	if len(gained) > 0 {
		lines = append(lines, "gains "+codeList(gained))
	}
	if len(lost) > 0 {
		lines = append(lines, "loses "+codeList(lost))
	}
	body := strings.Join(lines, "<br>")
	if len(gained)+len(lost) <= maxInlinePerms {
		return body
	}
	var counts []string
	if len(gained) > 0 {
		counts = append(counts, fmt.Sprintf("gains %d", len(gained)))
	}
	if len(lost) > 0 {
		counts = append(counts, fmt.Sprintf("loses %d", len(lost)))
	}
	return "<details><summary>" + strings.Join(counts, ", ") + " permissions</summary>" + body + "</details>"
}

func rolesSection(d *doc, roles []RoleDelta) {
	if len(roles) == 0 {
		return
	}
	d.textf("### Roles (%s)\n\n", count(len(roles)))
	b := &block{
		header:  "| Role | Action | Permissions | Holders after |\n|---|---|---|---|\n",
		noun:    "roles",
		summary: plural(len(roles), "role", "roles") + " change",
	}
	for _, r := range roles {
		name := "**" + mdText(r.Name) + "**"
		if r.Name == "" {
			name = "_name known only at apply_"
		}
		if r.Address != "" {
			name += "<br>" + mdCode(r.Address)
		}
		switch {
		case r.FullAdminEquivalent:
			name += "<br>🔴 Full Admin equivalent"
		case r.SensitiveAfter && r.Action == "create":
			name += "<br>🔴 sensitive"
		case r.SensitiveAfter && !r.SensitiveBefore:
			name += "<br>🔴 now sensitive"
		case r.SensitiveAfter:
			name += "<br>sensitive"
		case r.SensitiveBefore:
			name += "<br>no longer sensitive"
		}
		perms := permChange(r.Gained, r.Lost)
		if perms == "" {
			perms = "unchanged"
		}
		holders := plural(r.HoldersManaged, "in this configuration", "in this configuration")
		if r.HoldersAccount != nil {
			holders += fmt.Sprintf("<br>%s on the account", count(*r.HoldersAccount))
		} else {
			holders += "<br>account: needs a backend"
		}
		b.rows = append(b.rows, row(name, actionWords(r.Action), perms, holders))
	}
	d.add(b)
}

func networkSection(d *doc, n Network) {
	if !n.Managed {
		return
	}
	d.text("### Network\n\n" +
		"Who can reach the console, from the allowlists enabled before and after the plan.\n\n" +
		"| | Before | After |\n|---|---|---|\n" +
		row("Allowlisting", enforced(n.Before), enforced(n.After)) +
		row("IPv4 addresses", family(n.Before.IPv4, "IPv4", false), family(n.After.IPv4, "IPv4", !n.Before.IPv4.Internet)) +
		row("IPv6 addresses", family(n.Before.IPv6, "IPv6", false), family(n.After.IPv6, "IPv6", !n.Before.IPv6.Internet)) +
		"\n")

	if len(n.Opened)+len(n.Closed) > 0 {
		d.text("Address ranges the plan opens and closes:\n\n")
		b := &block{
			header:  "| Range | Change |\n|---|---|\n",
			noun:    "ranges",
			summary: fmt.Sprintf("%s opened, %s closed", plural(len(n.Opened), "range", "ranges"), count(len(n.Closed))),
		}
		for _, p := range n.Opened {
			b.rows = append(b.rows, row(mdCode(p), "opened"))
		}
		for _, p := range n.Closed {
			b.rows = append(b.rows, row(mdCode(p), "closed"))
		}
		d.add(b)
	}

	if len(n.Lists) > 0 {
		d.text("Allowlists the plan changes:\n\n")
		b := &block{
			header:  "| Allowlist | Action | Enabled | Entries |\n|---|---|---|---|\n",
			noun:    "allowlists",
			summary: plural(len(n.Lists), "allowlist", "allowlists") + " change",
		}
		for _, l := range n.Lists {
			name := "**" + mdText(l.Name) + "**"
			if l.Address != "" {
				name += "<br>" + mdCode(l.Address)
			}
			entries := entryChange(l.Added, l.Removed)
			b.rows = append(b.rows, row(name, actionWords(l.Action), beforeAfter(yesNo(l.EnabledBefore), yesNo(l.EnabledAfter)), entries))
		}
		d.add(b)
	}
}

func enforced(s NetworkSide) string {
	if s.Enforced {
		return "enforced"
	}
	return "off: every address may connect"
}

// family shows how many addresses of one family may connect. alarm marks a
// side that newly lets in the whole Internet.
func family(f FamilyAccess, name string, alarm bool) string {
	s := addressCount(f.Addresses)
	if f.Internet {
		s += " — every " + name + " address"
		if alarm {
			s = "🔴 " + s
		}
	}
	return s
}

// addressCount shows a decimal address count: exact with separators up to
// 2^53, as a power of two beyond (an IPv6 count has up to 39 digits).
func addressCount(s string) string {
	n, ok := new(big.Int).SetString(s, 10)
	if !ok || n.Sign() < 0 {
		if s == "" {
			return "unknown"
		}
		return mdText(s)
	}
	if n.BitLen() <= 53 {
		return count64(n.Int64())
	}
	exp := n.BitLen() - 1
	if new(big.Int).Lsh(big.NewInt(1), uint(exp)).Cmp(n) == 0 {
		return fmt.Sprintf("2^%d", exp)
	}
	f, _ := new(big.Float).SetInt(n).Float64()
	return fmt.Sprintf("about 2^%.1f", math.Log2(f))
}

func entryChange(added, removed []string) string {
	var lines []string
	if len(added) > 0 {
		lines = append(lines, "adds "+codeList(added))
	}
	if len(removed) > 0 {
		lines = append(lines, "removes "+codeList(removed))
	}
	if len(lines) == 0 {
		return "unchanged"
	}
	body := strings.Join(lines, "<br>")
	if len(added)+len(removed) <= maxInlinePerms {
		return body
	}
	return fmt.Sprintf("<details><summary>%d added, %d removed</summary>%s</details>", len(added), len(removed), body)
}

func exportsSection(d *doc, exports []Export) {
	if len(exports) == 0 {
		return
	}
	d.textf("### Exports (%s)\n\n", count(len(exports)))
	b := &block{
		header:  "| Export | Action | Target | Kinds | Host key |\n|---|---|---|---|---|\n",
		noun:    "exports",
		summary: plural(len(exports), "export", "exports") + " change",
	}
	for _, e := range exports {
		name := "**" + mdText(e.Name) + "**"
		switch e.Kind {
		case "export_destination":
			name += "<br>destination"
		case "transfer_credential":
			name += "<br>transfer credential"
		default:
			name += "<br>" + mdText(e.Kind)
		}
		target := "—"
		if e.Target != "" {
			target = mdCode(redactURL(e.Target))
		}
		if e.TargetBefore != "" && e.TargetBefore != e.Target {
			target = mdCode(redactURL(e.TargetBefore)) + " →<br>" + target
		}
		kinds := "—"
		if len(e.ExportKinds) > 0 {
			kinds = codeList(e.ExportKinds)
		}
		hostKey := "—"
		switch {
		case e.Kind == "export_destination" && !e.HostKeyPinned:
			hostKey = "🟠 not pinned"
		case e.Kind == "export_destination" && strings.HasPrefix(e.Target, "sftp://"):
			hostKey = "pinned"
		}
		b.rows = append(b.rows, row(name, actionWords(e.Action), target, kinds, hostKey))
	}
	d.add(b)
}

func maskingSection(d *doc, masking []Masking) {
	if len(masking) == 0 {
		return
	}
	d.textf("### Masking (%s)\n\n", count(len(masking)))
	b := &block{
		header:  "| Column | Before | After | |\n|---|---|---|---|\n",
		noun:    "columns",
		summary: plural(len(masking), "masked column", "masked columns") + " change",
	}
	for _, m := range masking {
		col := mdCode(m.Table + "." + m.Column)
		verdict := ""
		switch {
		case m.Unmasked:
			verdict = "🔴 no longer masked"
		case m.Weakened:
			verdict = "🟠 weaker mask"
		}
		b.rows = append(b.rows, row(col, mask(m.MaskBefore), mask(m.MaskAfter), verdict))
	}
	d.add(b)
}

func mask(m string) string {
	if m == "" {
		return "not masked"
	}
	return mdText(m)
}

func settingsSection(d *doc, settings []Setting) {
	if len(settings) == 0 {
		return
	}
	d.textf("### Security settings (%s)\n\n", count(len(settings)))
	b := &block{
		header:  "| Setting | Before | After | |\n|---|---|---|---|\n",
		noun:    "settings",
		summary: plural(len(settings), "setting", "settings") + " change",
	}
	for _, s := range settings {
		verdict := ""
		if s.Weakened {
			// How much weaker (two-factor off is high, a longer session
			// low) is the findings' business.
			verdict = "⚠️ weaker"
		}
		b.rows = append(b.rows, row(mdCode(s.Name), settingValue(s.Before), settingValue(s.After), verdict))
	}
	d.add(b)
}

func settingValue(v any) string {
	switch v := v.(type) {
	case nil:
		return "not set"
	case bool:
		if v {
			return "on"
		}
		return "off"
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case json.Number:
		return mdText(v.String())
	case string:
		return mdText(v)
	}
	j, err := json.Marshal(v)
	if err != nil {
		return mdText(fmt.Sprint(v))
	}
	return mdText(string(j))
}

func unresolvedSection(d *doc, r Report) {
	if len(r.Unresolved) == 0 {
		return
	}
	d.textf("### Not resolved (%s)\n\n", count(len(r.Unresolved)))
	b := &block{
		noun:    "facts",
		summary: plural(len(r.Unresolved), "fact", "facts") + " the review could not establish",
	}
	reasons := map[string]bool{}
	for _, u := range r.Unresolved {
		reasons[u.Reason] = true
		line := "- **" + mdText(u.Subject) + "**"
		if u.Message != "" {
			line += ": " + mdText(u.Message)
		}
		switch u.Reason {
		case UnresolvedUnknownAtPlan:
			line += " _(known only at apply)_"
		case UnresolvedNeedsBackend:
			line += " _(needs a backend)_"
		case UnresolvedNotFound:
			line += " _(not found on the account)_"
		default:
			line += " _(" + mdText(u.Reason) + ")_"
		}
		b.rows = append(b.rows, line+"\n")
	}
	d.add(b)
	if reasons[UnresolvedNeedsBackend] {
		d.text("To settle what needs a backend, run the review again with the provider's backend in the environment: " +
			"`ENGAGE_ENDPOINT` and `ENGAGE_API_TOKEN` (REST), or `ENGAGE_EMBEDDED_PATH` (embedded database).\n\n")
	}
	if reasons[UnresolvedUnknownAtPlan] {
		d.text("What Terraform learns only at apply cannot be known from the plan; the review assumed the worst case.\n\n")
	}
	if reasons[UnresolvedNotFound] {
		d.text("What the backend does not know either is an object outside this configuration that does not exist on the account: check its name.\n\n")
	}
}

func footer(d *doc, r Report) {
	var facts string
	switch r.Backend {
	case "", "none":
		facts = "the plan alone (no backend)"
	case "rest":
		facts = "the plan and the account (REST backend)"
	case "embedded":
		facts = "the plan and the account (embedded backend)"
	default:
		facts = "the plan and the account (" + mdText(r.Backend) + " backend)"
	}
	plan := "a plan"
	if r.TerraformVersion != "" {
		plan = "a Terraform " + mdText(r.TerraformVersion) + " plan"
	}
	d.textf("<sub>Made by `terraform-provider-engage review-plan` from %s, with facts from %s. "+
		"`review-plan --format json` has every detail (schema version %d).</sub>\n", plan, facts, r.SchemaVersion)
}

// --- words ---

func actionWords(a string) string {
	switch a {
	case "create":
		return "created"
	case "update":
		return "changed"
	case "replace":
		return "replaced"
	case "delete":
		return "deleted"
	}
	return mdText(a)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func beforeAfter(before, after string) string {
	if before == after {
		return after
	}
	return before + " → " + after
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return count(n) + " " + many
}

func count(n int) string { return count64(int64(n)) }

// count64 writes n with thousands separators: 4,294,967,296.
func count64(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var sb strings.Builder
	if neg {
		sb.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			sb.WriteByte(',')
		}
		sb.WriteRune(c)
	}
	return sb.String()
}

func joinAnd(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// row writes one table row of cells that are already escaped.
func row(cells ...string) string {
	return "| " + strings.Join(cells, " | ") + " |\n"
}

// codeList shows identifiers as code spans, at most maxListedPerms of them.
func codeList(items []string) string {
	var parts []string
	for i, s := range items {
		if i == maxListedPerms {
			parts = append(parts, fmt.Sprintf("and %d more", len(items)-i))
			break
		}
		parts = append(parts, mdCode(s))
	}
	return strings.Join(parts, ", ")
}

// --- escaping ---

// mdText makes a user-controlled string safe as inline Markdown anywhere in
// the comment, table cells included:
//
//   - < > & become entities, so no HTML (tag, comment, entity) gets in;
//   - Markdown punctuation gets a backslash, so no emphasis, link, image,
//     code span, strikethrough or math starts, and | does not end a cell;
//   - line breaks and other control characters become spaces (a newline
//     would end a table row or start a block), and bidirectional overrides
//     are dropped (they could make the text read as something else);
//   - an @ that could mention a GitHub user or team gets a zero-width space
//     after it (an @ inside an email address mentions no one);
//   - the string is cut to maxTextRunes.
func mdText(s string) string {
	s = clip(s)
	var sb strings.Builder
	prev := ' '
	for _, c := range s {
		switch {
		case c == '<':
			sb.WriteString("&lt;")
		case c == '>':
			sb.WriteString("&gt;")
		case c == '&':
			sb.WriteString("&amp;")
		case strings.ContainsRune("\\`*_[]|~$", c):
			sb.WriteByte('\\')
			sb.WriteRune(c)
		case c == '@':
			sb.WriteRune(c)
			if !isWord(prev) {
				sb.WriteString("&#8203;")
			}
		case isBidi(c):
			continue
		case unicode.IsControl(c) || c == '\u2028' || c == '\u2029':
			sb.WriteByte(' ')
		default:
			sb.WriteRune(c)
		}
		prev = c
	}
	return sb.String()
}

// mdCode shows a string as a code span when that is safe: when it holds no
// backtick (which would end the span), no | or \ (which a table treats
// specially even inside a span) and no control character. Otherwise it
// falls back to mdText. Inside a code span nothing else is interpreted: no
// HTML, no emphasis, no mention.
func mdCode(s string) string {
	if s == "" {
		return ""
	}
	if strings.ContainsAny(s, "`|\\") || strings.IndexFunc(s, func(c rune) bool {
		return unicode.IsControl(c) || isBidi(c) || c == '\u2028' || c == '\u2029'
	}) >= 0 || utf8.RuneCountInString(s) > maxTextRunes {
		return mdText(s)
	}
	return "`" + s + "`"
}

func clip(s string) string {
	s = strings.TrimSpace(strings.ToValidUTF8(s, "\uFFFD"))
	if utf8.RuneCountInString(s) <= maxTextRunes {
		return s
	}
	return string([]rune(s)[:maxTextRunes-1]) + "…"
}

func isWord(c rune) bool {
	return c == '_' || unicode.IsLetter(c) || unicode.IsDigit(c)
}

func isBidi(c rune) bool {
	return (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069') || c == '\u200E' || c == '\u200F'
}

// redactURL drops a password from a URL's user information
// (sftp://user:secret@host/path becomes sftp://user@host/path). The report
// should never carry one; this makes sure the comment does not either.
func redactURL(s string) string {
	scheme := strings.Index(s, "://")
	if scheme < 0 {
		return s
	}
	rest := s[scheme+3:]
	authority := rest
	if end := strings.IndexAny(rest, "/?#"); end >= 0 {
		authority = rest[:end]
	}
	at := strings.LastIndex(authority, "@")
	if at < 0 {
		return s
	}
	colon := strings.Index(authority[:at], ":")
	if colon < 0 {
		return s
	}
	return s[:scheme+3] + authority[:colon] + rest[at:]
}
