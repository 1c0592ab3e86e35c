// runcmd: runs its arguments as a command with this program's standard
// streams and exits with the command's status, the way a Go test or tool
// starts a host program. "runcmd -dir D CMD..." runs it in directory D.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
)

func main() {
	args := os.Args[1:]
	dir := ""
	if len(args) > 2 && args[0] == "-dir" {
		dir, args = args[1], args[2:]
	}
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: runcmd [-dir D] CMD [ARGS...]")
		os.Exit(2)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = dir
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		os.Exit(0)
	case errors.As(err, &ee) && ee.Exited():
		os.Exit(ee.ExitCode())
	default:
		fmt.Fprintln(os.Stderr, "runcmd:", err)
		os.Exit(99)
	}
}
