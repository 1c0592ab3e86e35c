// fbsdprocctl: FreeBSD's procctl(2) as programs use it: the parent-death
// signal through exec.Cmd's SysProcAttr.Pdeathsig (a child told to get
// SIGUSR1 gets it when the process that started it is killed), the
// reaper commands, no_new_privs, the tracing status, and the errors for
// a process group, a missing process and an unknown command. Built for
// FreeBSD only.
package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"unsafe"
)

const (
	pPID  = 0
	pPGID = 2

	reapAcquire    = 2
	reapRelease    = 3
	traceStatus    = 8
	pdeathsigCtl   = 11
	pdeathsigStat  = 12
	noNewPrivsCtl  = 19
	noNewPrivsStat = 20
)

func procctl(idtype, id, com int, data unsafe.Pointer) error {
	_, _, e := syscall.Syscall6(syscall.SYS_PROCCTL, uintptr(idtype), uintptr(id), uintptr(com), uintptr(data), 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

func intCall(idtype, id, com, in int) (int, error) {
	v := int32(in)
	err := procctl(idtype, id, com, unsafe.Pointer(&v))
	return int(v), err
}

func main() {
	switch os.Getenv("FBSD_ROLE") {
	case "middle":
		// Starts the child with a death signal, then waits to be killed.
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), "FBSD_ROLE=child")
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGUSR1}
		if err := cmd.Start(); err != nil {
			fmt.Println("middle:", err)
			os.Exit(1)
		}
		cmd.Wait()
		os.Exit(0)
	case "child":
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGUSR1)
		sig, err := intCall(pPID, 0, pdeathsigStat, 0)
		fmt.Println("start", sig == int(syscall.SIGUSR1), err)
		go func() {
			<-c
			fmt.Println("ok: SIGUSR1 when the parent died")
			os.Exit(0)
		}()
		os.Stdin.Read(make([]byte, 1))
		fmt.Println("not ok: stdin closed first")
		os.Exit(1)
	}

	// The reaper.
	fmt.Println("acquire:", procctl(pPID, 0, reapAcquire, nil))
	fmt.Println("acquire again:", procctl(pPID, 0, reapAcquire, nil))
	var x int32
	fmt.Println("acquire with data:", procctl(pPID, 0, reapAcquire, unsafe.Pointer(&x)))
	fmt.Println("acquire for the parent:", procctl(pPID, os.Getppid(), reapAcquire, nil))
	fmt.Println("release:", procctl(pPID, os.Getpid(), reapRelease, nil))
	fmt.Println("release again:", procctl(pPID, 0, reapRelease, nil))

	// The parent-death signal of this process.
	v, err := intCall(pPID, 0, pdeathsigStat, -1)
	fmt.Println("pdeathsig at start:", v, err)
	_, err = intCall(pPID, 0, pdeathsigCtl, int(syscall.SIGUSR2))
	v, err2 := intCall(pPID, 0, pdeathsigStat, -1)
	fmt.Println("pdeathsig SIGUSR2:", err, v == int(syscall.SIGUSR2), err2)
	_, err = intCall(pPID, 0, pdeathsigCtl, 200)
	fmt.Println("pdeathsig 200:", err)
	_, err = intCall(pPID, os.Getppid(), pdeathsigCtl, 0)
	fmt.Println("pdeathsig of another process:", err)
	_, err = intCall(pPID, 0x7fffffff, pdeathsigStat, 0)
	fmt.Println("pdeathsig of no process:", err)
	intCall(pPID, 0, pdeathsigCtl, 0)

	// Tracing, no_new_privs, and what is refused.
	v, err = intCall(pPID, 0, traceStatus, -1)
	fmt.Println("trace status:", v, err)
	_, err = intCall(pPID, 0x7fffffff, traceStatus, 0)
	fmt.Println("trace status of no process:", err)
	v, err = intCall(pPID, 0, noNewPrivsStat, 0)
	fmt.Println("no_new_privs at start:", v, err)
	_, err = intCall(pPID, 0, noNewPrivsCtl, 5)
	fmt.Println("no_new_privs 5:", err)
	_, err = intCall(pPID, 0, noNewPrivsCtl, 1)
	v, err2 = intCall(pPID, 0, noNewPrivsStat, 0)
	fmt.Println("no_new_privs set:", err, v, err2)
	_, err = intCall(pPGID, 0, noNewPrivsStat, 0)
	fmt.Println("a process group:", err)
	_, err = intCall(pPID, 0, 999, 0)
	fmt.Println("command 999:", err)

	// A grandchild with a death signal, its parent killed.
	middle := exec.Command(os.Args[0])
	middle.Env = append(os.Environ(), "FBSD_ROLE=middle")
	in, _ := middle.StdinPipe()
	out, _ := middle.StdoutPipe()
	if err := middle.Start(); err != nil {
		fmt.Println("start middle:", err)
		os.Exit(1)
	}
	r := bufio.NewReader(out)
	line, _ := r.ReadString('\n')
	fmt.Print("grandchild: ", line)
	middle.Process.Signal(syscall.SIGTERM)
	line, _ = r.ReadString('\n')
	fmt.Print("grandchild: ", line)
	in.Close()
	middle.Wait()
	fmt.Println("EXIT-SUCCESS")
}
