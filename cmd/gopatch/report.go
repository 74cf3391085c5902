package main

import (
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	obsreport "gopatch.dev/gopatch/report"
)

// reportCommand is `gopatch report`: the table of a profile that the observe hub
// wrote (GOPATCH_HUB=observe).
func reportCommand() *cli.Command {
	return &cli.Command{
		Name:      "report",
		Usage:     "print the blocking profile that the observe hub wrote",
		ArgsUsage: "[FILE]",
		Description: "A program patched by gopatch and run with GOPATCH_HUB=observe records every patched call\n" +
			"site and writes its profile as pprof (GOPATCH_PROFILE, default gopatch.pprof) and as JSON beside\n" +
			"it (gopatch.json). report prints the JSON as a table: the blocked time of each category and the\n" +
			"sites that blocked longest, with calls, mean, p50, p90, p99, max and errors. FILE may name either\n" +
			"file; it defaults to $GOPATCH_PROFILE, then gopatch.pprof. For graphs, use go tool pprof on the\n" +
			"pprof file.",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "top", Value: 20, Usage: "list the top `N` sites (0: all)"},
			&cli.StringFlag{Name: "sort", Value: "total",
				Usage: "order sites by `KEY`: " + strings.Join(obsreport.SortKeys, ", ")},
			&cli.StringFlag{Name: "category", Usage: "only sites of these categories (comma-separated)"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 1 {
				return cli.Exit("gopatch: report takes one profile file", 1)
			}
			path := c.Args().First()
			if path == "" {
				if path = os.Getenv("GOPATCH_PROFILE"); path == "" {
					path = "gopatch.pprof"
				}
			}
			p, err := obsreport.Load(path)
			if err != nil {
				return cli.Exit("gopatch: "+err.Error(), 1)
			}
			opt := obsreport.Options{Top: c.Int("top"), Sort: c.String("sort"), Category: c.String("category")}
			if err := obsreport.Write(c.App.Writer, p, opt); err != nil {
				return cli.Exit("gopatch: "+err.Error(), 1)
			}
			return nil
		},
	}
}
