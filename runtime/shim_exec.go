package gopatchrt

import (
	"os"
	"os/exec"
)

var (
	opCmdRun            = &Op{"exec", "(*os/exec.Cmd).Run"}
	opCmdOutput         = &Op{"exec", "(*os/exec.Cmd).Output"}
	opCmdCombinedOutput = &Op{"exec", "(*os/exec.Cmd).CombinedOutput"}
	opCmdStart          = &Op{"exec", "(*os/exec.Cmd).Start"}
	opCmdWait           = &Op{"exec", "(*os/exec.Cmd).Wait"}
	opProcessWait       = &Op{"exec", "(*os.Process).Wait"}
)

// CmdRun stands in for (*os/exec.Cmd).Run.
func (c Call) CmdRun(cmd *exec.Cmd) error {
	if h := active(); h != nil {
		return run(c, h, opCmdRun, cmd.Run)
	}
	return cmd.Run()
}

// CmdOutput stands in for (*os/exec.Cmd).Output.
func (c Call) CmdOutput(cmd *exec.Cmd) ([]byte, error) {
	if h := active(); h != nil {
		return run1(c, h, opCmdOutput, cmd.Output)
	}
	return cmd.Output()
}

// CmdCombinedOutput stands in for (*os/exec.Cmd).CombinedOutput.
func (c Call) CmdCombinedOutput(cmd *exec.Cmd) ([]byte, error) {
	if h := active(); h != nil {
		return run1(c, h, opCmdCombinedOutput, cmd.CombinedOutput)
	}
	return cmd.CombinedOutput()
}

// CmdStart stands in for (*os/exec.Cmd).Start.
func (c Call) CmdStart(cmd *exec.Cmd) error {
	if h := active(); h != nil {
		return run(c, h, opCmdStart, cmd.Start)
	}
	return cmd.Start()
}

// CmdWait stands in for (*os/exec.Cmd).Wait.
func (c Call) CmdWait(cmd *exec.Cmd) error {
	if h := active(); h != nil {
		return run(c, h, opCmdWait, cmd.Wait)
	}
	return cmd.Wait()
}

// ProcessWait stands in for (*os.Process).Wait.
func (c Call) ProcessWait(p *os.Process) (*os.ProcessState, error) {
	if h := active(); h != nil {
		return run1(c, h, opProcessWait, p.Wait)
	}
	return p.Wait()
}
