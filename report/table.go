package report

import (
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode/utf8"
)

// Options shape the table Write renders.
type Options struct {
	// Top is how many sites to list; 0 or less lists them all.
	Top int
	// Sort orders the sites: one of SortKeys; "" is "total", the longest
	// blocked time first.
	Sort string
	// Category, if set, keeps only the sites of these comma-separated
	// categories.
	Category string
}

// Write renders the profile as a table: a summary line, the blocked time of each
// category, and the top sites with their calls, blocked time, share of the total,
// mean, percentiles, maximum and errors.
func Write(w io.Writer, p *Profile, opt Options) error {
	if opt.Category != "" {
		keep := map[string]bool{}
		for _, c := range strings.Split(opt.Category, ",") {
			keep[strings.TrimSpace(c)] = true
		}
		q := *p
		q.Sites = nil
		for _, s := range p.Sites {
			if keep[s.Category] {
				q.Sites = append(q.Sites, s)
			}
		}
		p = &q
	}
	sites, err := p.Sorted(opt.Sort)
	if err != nil {
		return err
	}
	count, total, errs := p.Totals()
	hub := p.Hub
	if hub == "" {
		hub = "observe"
	}
	fmt.Fprintf(w, "%s profile: %s blocked in %s calls at %d sites over %s",
		hub, Duration(total), Thousands(count), len(p.Sites), Duration(p.DurationNS))
	if !p.Start.IsZero() {
		fmt.Fprintf(w, " from %s", p.Start.Local().Format("2006-01-02 15:04:05"))
	}
	fmt.Fprintln(w)
	if errs > 0 {
		fmt.Fprintf(w, "%s calls returned an error\n", Thousands(errs))
	}
	if len(sites) == 0 {
		fmt.Fprintln(w, "no calls recorded")
		return nil
	}

	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "BLOCKED\tSHARE\tCALLS\tSITES\tERRORS\t  CATEGORY")
	for _, c := range p.Categories() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t  %s\n", Duration(c.TotalNS),
			share(c.TotalNS, total), Thousands(c.Count), c.Sites, Thousands(c.Errors), c.Name)
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	shown := sites
	if opt.Top > 0 && len(shown) > opt.Top {
		shown = shown[:opt.Top]
	}
	order := opt.Sort
	if order == "" {
		order = "total"
	}
	fmt.Fprintln(w)
	if len(shown) < len(sites) {
		fmt.Fprintf(w, "top %d of %d sites by %s:\n", len(shown), len(sites), sortTitle(order))
	} else {
		fmt.Fprintf(w, "%d sites by %s:\n", len(sites), sortTitle(order))
	}
	// Numbers align right; the call and the site follow, the calls padded to
	// one width.
	width := len("CALL")
	for _, s := range shown {
		width = max(width, utf8.RuneCountInString(s.Call))
	}
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "BLOCKED\tSHARE\tCALLS\tMEAN\tP50\tP90\tP99\tMAX\tERRORS\t  %-*s  SITE\n", width, "CALL")
	for _, s := range shown {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t  %-*s  %s\n",
			Duration(s.TotalNS), share(s.TotalNS, total), Thousands(s.Count),
			Duration(s.MeanNS()), Duration(s.P50NS), Duration(s.P90NS), Duration(s.P99NS),
			Duration(s.MaxNS), Thousands(s.Errors), width, s.Call, Where(s))
	}
	return tw.Flush()
}

func sortTitle(key string) string {
	switch key {
	case "total":
		return "blocked time"
	case "count":
		return "calls"
	case "mean":
		return "mean blocked time"
	case "max":
		return "longest call"
	case "p99":
		return "99th percentile"
	}
	return key
}

// Where renders a site's position as dir/file.go:line (function), with the
// function's package path shortened to its last element.
func Where(s Site) string {
	var b strings.Builder
	if s.File != "" {
		dir, file := filepath.Split(filepath.ToSlash(s.File))
		if d := filepath.Base(filepath.Clean(dir)); d != "." && d != "/" && dir != "" {
			b.WriteString(d + "/")
		}
		b.WriteString(file + ":" + strconv.Itoa(s.Line))
	} else {
		fmt.Fprintf(&b, "%s site %d", s.Package, s.Index)
	}
	if fn := s.Function; fn != "" {
		if i := strings.LastIndex(fn, "/"); i >= 0 {
			fn = fn[i+1:]
		}
		b.WriteString(" (" + fn + ")")
	}
	return b.String()
}

func share(part, whole int64) string {
	if whole <= 0 {
		return "-"
	}
	return strconv.FormatFloat(100*float64(part)/float64(whole), 'f', 1, 64) + "%"
}

// Duration renders nanoseconds with three significant digits and the largest
// fitting unit: 850ns, 12.3µs, 456ms, 1.23s, 2m05s, 1h02m.
func Duration(ns int64) string {
	if ns < 0 {
		return "-" + Duration(-ns)
	}
	f := float64(ns)
	three := func(v float64, unit string) string {
		switch {
		case v >= 99.95:
			return strconv.FormatFloat(v, 'f', 0, 64) + unit
		case v >= 9.995:
			return strconv.FormatFloat(v, 'f', 1, 64) + unit
		}
		return strconv.FormatFloat(v, 'f', 2, 64) + unit
	}
	switch {
	case ns < 1000:
		return strconv.FormatInt(ns, 10) + "ns"
	case f < 999.5e3:
		return three(f/1e3, "µs")
	case f < 999.5e6:
		return three(f/1e6, "ms")
	case f < 59.995e9:
		return three(f/1e9, "s")
	case ns < 3600e9:
		s := (ns + 5e8) / 1e9
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	}
	m := (ns + 30e9) / 60e9
	return fmt.Sprintf("%dh%02dm", m/60, m%60)
}

// Thousands renders n with commas between groups of three digits.
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
