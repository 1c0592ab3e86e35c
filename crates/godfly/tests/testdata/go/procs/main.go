// Processes: the program re-runs itself as a helper, runs /bin/echo, a
// shell with an exit status, and cat fed through a pipe.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

func main() {
	if os.Getenv("GODFLY_HELPER") == "1" {
		fmt.Println("helper here, args:", os.Args[1:])
		fmt.Fprintln(os.Stderr, "helper stderr")
		os.Exit(7)
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Println("executable:", err)
		os.Exit(1)
	}
	cmd := exec.Command(exe, "-x", "y z")
	cmd.Env = append(os.Environ(), "GODFLY_HELPER=1")
	out, err := cmd.Output()
	var ee *exec.ExitError
	fmt.Printf("helper output: %q\n", out)
	if errors.As(err, &ee) {
		fmt.Println("helper exit status:", ee.ExitCode(), "stderr:", strings.TrimSpace(string(ee.Stderr)))
	} else {
		fmt.Println("helper error:", err)
	}

	out, err = exec.Command("/bin/echo", "hello", "from echo").Output()
	fmt.Printf("echo: %q %v\n", out, err)

	err = exec.Command("/bin/sh", "-c", "echo in shell; exit 3").Run()
	if errors.As(err, &ee) {
		fmt.Println("sh exit status:", ee.ExitCode())
	} else {
		fmt.Println("sh error:", err)
	}

	c := exec.Command("cat")
	c.Stdin = strings.NewReader("through a pipe\nline two\n")
	out, err = c.Output()
	fmt.Printf("cat: %q %v\n", out, err)

	c = exec.Command("sh", "-c", "kill -TERM $$")
	err = c.Run()
	if errors.As(err, &ee) {
		fmt.Println("killed child:", ee.String())
	}

	// A host shell starting this (DragonFly) program again.
	sh := exec.Command("/bin/sh", "-c", `"$0" from-shell`, exe)
	sh.Env = append(os.Environ(), "GODFLY_HELPER=1")
	out, err = sh.Output()
	if errors.As(err, &ee) {
		fmt.Printf("through sh: %q status %d\n", out, ee.ExitCode())
	} else {
		fmt.Println("through sh:", err)
	}

	_, err = exec.Command("/nonexistent/program").Output()
	fmt.Println("missing program fails:", err != nil)
	fmt.Println("ppid positive:", os.Getppid() > 0)
	fmt.Println("EXIT-SUCCESS")
}
