// os/signal: a signal the program sends itself, signal.Ignore, and
// (with the argument "wait") a SIGINT from outside.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "wait" {
		c := make(chan os.Signal, 1)
		signal.Notify(c, os.Interrupt)
		fmt.Println("ready")
		select {
		case s := <-c:
			fmt.Println("received", s)
		case <-time.After(20 * time.Second):
			fmt.Println("timed out")
			os.Exit(1)
		}
		fmt.Println("EXIT-SUCCESS")
		return
	}

	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGUSR1)
	syscall.Kill(os.Getpid(), syscall.SIGUSR1)
	select {
	case s := <-c:
		fmt.Println("received", s)
	case <-time.After(5 * time.Second):
		fmt.Println("SIGUSR1 not received")
	}
	signal.Stop(c)

	signal.Ignore(syscall.SIGUSR2)
	syscall.Kill(os.Getpid(), syscall.SIGUSR2)
	time.Sleep(20 * time.Millisecond)
	fmt.Println("alive after ignored SIGUSR2:", signal.Ignored(syscall.SIGUSR2))

	h := make(chan os.Signal, 4)
	signal.Notify(h, syscall.SIGHUP, syscall.SIGWINCH)
	syscall.Kill(os.Getpid(), syscall.SIGWINCH)
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	got := map[os.Signal]bool{}
	for len(got) < 2 {
		select {
		case s := <-h:
			got[s] = true
		case <-time.After(5 * time.Second):
			fmt.Println("missing signals, got", got)
			os.Exit(1)
		}
	}
	fmt.Println("received hangup and window change:", got[syscall.SIGHUP], got[syscall.SIGWINCH])
	fmt.Println("EXIT-SUCCESS")
}
