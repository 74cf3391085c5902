package main

import (
	"fmt"
	"os"
	"os/signal"
	"strings"

	"github.com/urfave/cli/v2"

	"gopatch.dev/gopatch/sweep"
)

func testCommand() *cli.Command {
	return &cli.Command{
		Name:      "test",
		Usage:     "run tests under the sim hub once per seed and report the seeds that fail",
		ArgsUsage: "[packages] [-- test binary flags, e.g. -test.run=TestX]",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "seeds", Value: 10, Usage: "how many seeds to try"},
			&cli.IntFlag{Name: "start", Value: 1, Usage: "the first seed"},
			&cli.StringFlag{Name: "C", Value: ".", Usage: "run in `DIR`"},
		},
		Action: func(c *cli.Context) error {
			var pkgs, args []string
			for i, a := range c.Args().Slice() {
				if a == "--" {
					args = c.Args().Slice()[i+1:]
					break
				}
				pkgs = append(pkgs, a)
			}
			ctx, stop := signal.NotifyContext(c.Context, os.Interrupt)
			defer stop()
			opts := sweep.Options{Dir: c.String("C"), Packages: pkgs, Seeds: c.Int("seeds"), Start: c.Int("start"), Args: args}
			if isTerminal(c.App.ErrWriter) {
				opts.Progress = c.App.ErrWriter
			}
			res, err := sweep.Run(ctx, opts)
			if err != nil {
				return fail(err)
			}
			for _, f := range res.Failures {
				fmt.Fprintf(c.App.Writer, "FAIL %s with seed %d\n    %s\n    replay: %s\n", f.Package, f.Seed,
					strings.ReplaceAll(f.Output, "\n", "\n    "), f.Replay)
			}
			fmt.Fprintf(c.App.Writer, "%d runs, %d seeds failed\n", res.Runs, len(res.Failures))
			if len(res.Failures) > 0 {
				return cli.Exit("", exitError)
			}
			return nil
		},
	}
}
