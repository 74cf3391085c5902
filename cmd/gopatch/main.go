// Command gopatch patches the blocking calls of a Go module onto the gopatch
// runtime, whose hub then decides what each call does: pass through, profile,
// inject faults, or run goroutines cooperatively on a virtual clock.
//
//	gopatch scan   [flags] [packages]   list the blocking call sites
//	gopatch diff   [flags] [packages]   print the patch as a unified diff
//	gopatch apply  [flags] [packages]   write the patch
//	gopatch revert [flags] [packages]   restore the original calls
//	gopatch check  [flags] [packages]   exit 3 if patchable sites are unpatched
//	gopatch rules  [flags]              list the categories and rules
//	gopatch report [flags] FILE         print an observe profile as a table
//	gopatch test   --seeds N [packages]  sweep seeds under the sim hub
//
// Packages default to ./... ; .go files may be named explicitly. Exit status is 0
// on success, 1 on error and 3 when check finds work.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v2"
)

func main() {
	os.Exit(profiled(func() int { return run(os.Args, os.Stdout, os.Stderr) }))
}

// run runs the command line args and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	if err := app.Run(args); err != nil {
		var coder cli.ExitCoder
		if errors.As(err, &coder) {
			if msg := err.Error(); msg != "" {
				fmt.Fprintln(stderr, msg)
			}
			return coder.ExitCode()
		}
		fmt.Fprintln(stderr, "gopatch:", err)
		return 1
	}
	return 0
}

func newApp(stdout, stderr io.Writer) *cli.App {
	return &cli.App{
		Name:  "gopatch",
		Usage: "patch a Go module's blocking calls onto a controllable runtime",
		Description: "gopatch finds calls that block (time.Sleep, net.Dial, conn reads, http.Get, file I/O,\n" +
			"exec.Cmd.Run, sync.Mutex.Lock ...) by their type-checked objects and rewrites them, in place\n" +
			"and reversibly, into calls of the gopatch runtime, whose hub decides what each call does.",
		Writer:                 stdout,
		ErrWriter:              stderr,
		HideVersion:            true,
		UseShortOptionHandling: true,
		ExitErrHandler:         func(*cli.Context, error) {},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return cli.Exit(fmt.Sprintf("gopatch: unknown command %q (gopatch help lists the commands)", c.Args().First()), exitError)
			}
			return cli.ShowAppHelp(c)
		},
		Commands: []*cli.Command{
			scanCommand(),
			diffCommand(),
			applyCommand(),
			revertCommand(),
			checkCommand(),
			rulesCommand(),
			reportCommand(),
			testCommand(),
		},
	}
}
