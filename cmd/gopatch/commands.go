package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"gopatch.dev/gopatch/rewrite"
	"gopatch.dev/gopatch/rules"
)

// Exit statuses.
const (
	exitError = 1
	exitWork  = 3
)

// selectionFlags are the flags every command that loads packages takes.
func selectionFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "only", Usage: "patch only these categories (comma-separated)"},
		&cli.StringFlag{Name: "skip", Usage: "leave these categories alone (comma-separated)"},
		&cli.StringFlag{Name: "profile", Usage: "select the categories a hub needs: default, or sim (adds go and chan)"},
		&cli.StringSliceFlag{Name: "rules", Usage: "add the rules of `FILE` to the catalog"},
		&cli.StringFlag{Name: "tags", Usage: "build tags (comma-separated)"},
		&cli.BoolFlag{Name: "tests", Value: true, Usage: "include _test.go files"},
		&cli.StringFlag{Name: "C", Usage: "run in `DIR`", Value: "."},
	}
}

func list(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// options turns the flags and arguments into rewrite.Options.
func options(c *cli.Context) (*rewrite.Options, error) {
	var err error
	all := rules.Builtin()
	for _, name := range c.StringSlice("rules") {
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		if err := all.Parse(name, data); err != nil {
			return nil, err
		}
	}
	only := list(c.String("only"))
	if c.String("profile") != "" {
		if len(only) > 0 {
			return nil, fmt.Errorf("--profile and --only cannot be combined")
		}
		if only, err = all.Profile(c.String("profile")); err != nil {
			return nil, err
		}
	}
	selected, err := all.Select(only, list(c.String("skip")))
	if err != nil {
		return nil, err
	}
	opts := &rewrite.Options{
		Dir:      c.String("C"),
		Patterns: c.Args().Slice(),
		Rules:    selected,
		All:      all,
		Tags:     list(c.String("tags")),
		Tests:    c.Bool("tests"),
	}
	if isTerminal(c.App.ErrWriter) {
		opts.Progress = &slowWriter{w: c.App.ErrWriter, after: time.Now().Add(time.Second)}
	}
	return opts, nil
}

// slowWriter passes writes through only once a second has gone by, so that
// progress shows for slow runs alone.
type slowWriter struct {
	w     interface{ Write([]byte) (int, error) }
	after time.Time
}

func (s *slowWriter) Write(p []byte) (int, error) {
	if time.Now().Before(s.after) {
		return len(p), nil
	}
	return s.w.Write(p)
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func fail(err error) error { return cli.Exit("gopatch: "+err.Error(), exitError) }

func warn(c *cli.Context, res *rewrite.Result) {
	for _, w := range res.Warnings {
		fmt.Fprintln(c.App.ErrWriter, "gopatch: warning:", w)
	}
}

func scanCommand() *cli.Command {
	return &cli.Command{
		Name:      "scan",
		Usage:     "list the blocking call sites",
		ArgsUsage: "[packages]",
		Flags: append(selectionFlags(),
			&cli.StringFlag{Name: "format", Value: "text", Usage: "output format: text or json"}),
		Action: func(c *cli.Context) error {
			format := c.String("format")
			if format != "text" && format != "json" {
				return fail(fmt.Errorf("--format %q: want text or json", format))
			}
			opts, err := options(c)
			if err != nil {
				return fail(err)
			}
			res, err := rewrite.Scan(opts)
			if err != nil {
				return fail(err)
			}
			warn(c, res)
			if format == "json" {
				sites := res.Sites
				if sites == nil {
					sites = []rewrite.Site{}
				}
				enc := json.NewEncoder(c.App.Writer)
				enc.SetIndent("", "  ")
				return enc.Encode(struct {
					Sites []rewrite.Site `json:"sites"`
				}{sites})
			}
			for _, s := range res.Sites {
				fmt.Fprintln(c.App.Writer, s)
			}
			return nil
		},
	}
}

func diffCommand() *cli.Command {
	return &cli.Command{
		Name:      "diff",
		Usage:     "print the patch apply would make, as a unified diff; touches nothing",
		ArgsUsage: "[packages]",
		Flags:     append(selectionFlags(), runtimeFlags()...),
		Action: func(c *cli.Context) error {
			opts, err := options(c)
			if err != nil {
				return fail(err)
			}
			opts.Runtime, opts.NoMod = c.String("runtime"), c.Bool("no-mod")
			res, err := rewrite.Apply(opts)
			if err != nil {
				return fail(err)
			}
			warn(c, res)
			c.App.Writer.Write(rewrite.Diff(res.Changes))
			return nil
		},
	}
}

func runtimeFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "runtime", Usage: "add a replace directive pointing the runtime at `DIR`", EnvVars: []string{"GOPATCH_RUNTIME"}},
		&cli.BoolFlag{Name: "no-mod", Usage: "leave go.mod alone"},
	}
}

func applyCommand() *cli.Command {
	return &cli.Command{
		Name:      "apply",
		Usage:     "patch the blocking calls in place",
		ArgsUsage: "[packages]",
		Flags:     append(selectionFlags(), runtimeFlags()...),
		Action: func(c *cli.Context) error {
			opts, err := options(c)
			if err != nil {
				return fail(err)
			}
			opts.Runtime, opts.NoMod = c.String("runtime"), c.Bool("no-mod")
			res, err := rewrite.Apply(opts)
			if err != nil {
				return fail(err)
			}
			warn(c, res)
			if err := rewrite.Write(res.Changes); err != nil {
				return fail(err)
			}
			report(c, res, "patched")
			return nil
		},
	}
}

func revertCommand() *cli.Command {
	return &cli.Command{
		Name:      "revert",
		Usage:     "turn patched calls back into the originals, byte for byte",
		ArgsUsage: "[packages]",
		Flags: append(selectionFlags(),
			&cli.BoolFlag{Name: "no-mod", Usage: "leave go.mod alone"}),
		Action: func(c *cli.Context) error {
			opts, err := options(c)
			if err != nil {
				return fail(err)
			}
			opts.NoMod = c.Bool("no-mod")
			res, err := rewrite.Revert(opts)
			if err != nil {
				return fail(err)
			}
			warn(c, res)
			if err := rewrite.Write(res.Changes); err != nil {
				return fail(err)
			}
			report(c, res, "reverted")
			return nil
		},
	}
}

// report prints what a run changed.
func report(c *cli.Context, res *rewrite.Result, verb string) {
	n := 0
	for _, ch := range res.Changes {
		switch {
		case ch.Old == nil:
			fmt.Fprintf(c.App.Writer, "created %s\n", ch.Name)
		case ch.New == nil:
			fmt.Fprintf(c.App.Writer, "deleted %s\n", ch.Name)
		default:
			fmt.Fprintf(c.App.Writer, "changed %s\n", ch.Name)
		}
		n++
	}
	count := res.Count(rewrite.Patchable)
	if verb == "patched" {
		count = 0
		for _, s := range res.Sites {
			if s.Status == rewrite.Patchable {
				count++
			}
		}
	}
	fmt.Fprintf(c.App.Writer, "%s %d call sites in %d files\n", verb, count, n)
	if res.ModNote != "" {
		fmt.Fprintln(c.App.Writer, res.ModNote)
	}
	if u := res.Count(rewrite.Unsupported); u > 0 && verb == "patched" {
		fmt.Fprintf(c.App.ErrWriter, "gopatch: %d call sites left alone as unsupported; `gopatch scan` lists them with the reasons\n", u)
	}
}

func checkCommand() *cli.Command {
	return &cli.Command{
		Name:      "check",
		Usage:     "exit 3 when patchable call sites are unpatched, 0 when none are",
		ArgsUsage: "[packages]",
		Flags:     selectionFlags(),
		Action: func(c *cli.Context) error {
			opts, err := options(c)
			if err != nil {
				return fail(err)
			}
			res, err := rewrite.Scan(opts)
			if err != nil {
				return fail(err)
			}
			warn(c, res)
			var todo []rewrite.Site
			for _, s := range res.Sites {
				if s.Status == rewrite.Patchable {
					todo = append(todo, s)
				}
			}
			if len(todo) == 0 {
				return nil
			}
			for _, s := range todo {
				fmt.Fprintln(c.App.Writer, s)
			}
			return cli.Exit(fmt.Sprintf("gopatch: %d call sites are not patched; run gopatch apply", len(todo)), exitWork)
		},
	}
}

func rulesCommand() *cli.Command {
	return &cli.Command{
		Name:  "rules",
		Usage: "list the categories and rules",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "only", Usage: "list only these categories (comma-separated)"},
			&cli.StringFlag{Name: "skip", Usage: "leave these categories out (comma-separated)"},
			&cli.StringFlag{Name: "profile", Usage: "list the categories of a profile: default or sim"},
			&cli.StringSliceFlag{Name: "rules", Usage: "add the rules of `FILE` to the catalog"},
		},
		Action: func(c *cli.Context) error {
			opts, err := options(c)
			if err != nil {
				return fail(err)
			}
			if c.String("only") == "" && c.String("profile") == "" {
				// List the optional categories too, less those skipped.
				if opts.Rules, err = opts.All.Select(opts.All.CategoryNames(), list(c.String("skip"))); err != nil {
					return fail(err)
				}
			}
			w := tabwriter.NewWriter(c.App.Writer, 0, 4, 2, ' ', 0)
			for _, cat := range opts.Rules.Categories {
				doc := cat.Doc
				if cat.Optional {
					doc += " [optional: --only " + cat.Name + " or --profile sim]"
				}
				fmt.Fprintf(w, "%s\t%s\n", cat.Name, doc)
				for _, r := range opts.Rules.Rules {
					if r.Category == cat.Name {
						fmt.Fprintf(w, "  %s\t-> %s\t%s\n", r.Target, r.Replacement, r.Doc)
					}
				}
			}
			return w.Flush()
		},
	}
}
