//go:build unix

package emulator

import (
	"os/exec"
	"syscall"
)

// ownGroup makes the function process the leader of a process group of its
// own, so killGroup reaches everything it started.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// killGroup sends SIGKILL to the process's group: the process and every
// child it started, as the service freezes a whole sandbox.
func killGroup(cmd *exec.Cmd) {
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
		_ = cmd.Process.Kill()
	}
}
