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
	return fwd11(c, cmd, (*exec.Cmd).Run, Call.hubCmdRun)
}

// hubCmdRun is CmdRun while a hub is in force.
func (c Call) hubCmdRun(cmd *exec.Cmd) error {
	h := active()
	if h == nil {
		return cmd.Run()
	}
	return run(c, h, opCmdRun, cmd.Run)
}

// CmdOutput stands in for (*os/exec.Cmd).Output.
func (c Call) CmdOutput(cmd *exec.Cmd) ([]byte, error) {
	return fwd12(c, cmd, (*exec.Cmd).Output, Call.hubCmdOutput)
}

// hubCmdOutput is CmdOutput while a hub is in force.
func (c Call) hubCmdOutput(cmd *exec.Cmd) ([]byte, error) {
	h := active()
	if h == nil {
		return cmd.Output()
	}
	return run1(c, h, opCmdOutput, cmd.Output)
}

// CmdCombinedOutput stands in for (*os/exec.Cmd).CombinedOutput.
func (c Call) CmdCombinedOutput(cmd *exec.Cmd) ([]byte, error) {
	return fwd12(c, cmd, (*exec.Cmd).CombinedOutput, Call.hubCmdCombinedOutput)
}

// hubCmdCombinedOutput is CmdCombinedOutput while a hub is in force.
func (c Call) hubCmdCombinedOutput(cmd *exec.Cmd) ([]byte, error) {
	h := active()
	if h == nil {
		return cmd.CombinedOutput()
	}
	return run1(c, h, opCmdCombinedOutput, cmd.CombinedOutput)
}

// CmdStart stands in for (*os/exec.Cmd).Start.
func (c Call) CmdStart(cmd *exec.Cmd) error {
	return fwd11(c, cmd, (*exec.Cmd).Start, Call.hubCmdStart)
}

// hubCmdStart is CmdStart while a hub is in force.
func (c Call) hubCmdStart(cmd *exec.Cmd) error {
	h := active()
	if h == nil {
		return cmd.Start()
	}
	return run(c, h, opCmdStart, cmd.Start)
}

// CmdWait stands in for (*os/exec.Cmd).Wait.
func (c Call) CmdWait(cmd *exec.Cmd) error {
	return fwd11(c, cmd, (*exec.Cmd).Wait, Call.hubCmdWait)
}

// hubCmdWait is CmdWait while a hub is in force.
func (c Call) hubCmdWait(cmd *exec.Cmd) error {
	h := active()
	if h == nil {
		return cmd.Wait()
	}
	return run(c, h, opCmdWait, cmd.Wait)
}

// ProcessWait stands in for (*os.Process).Wait.
func (c Call) ProcessWait(p *os.Process) (*os.ProcessState, error) {
	return fwd12(c, p, (*os.Process).Wait, Call.hubProcessWait)
}

// hubProcessWait is ProcessWait while a hub is in force.
func (c Call) hubProcessWait(p *os.Process) (*os.ProcessState, error) {
	h := active()
	if h == nil {
		return p.Wait()
	}
	return run1(c, h, opProcessWait, p.Wait)
}
