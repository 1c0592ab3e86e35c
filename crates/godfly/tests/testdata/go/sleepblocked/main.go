// A sleep is ended only by a signal delivered to the sleeping thread: a
// thread that blocks SIGUSR1 sleeps its whole time while other threads
// raise SIGUSR1 at the process (and block it themselves), and another
// thread of the process takes each one.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"
)

func main() {
	c := make(chan os.Signal, 8)
	signal.Notify(c, syscall.SIGUSR1)
	res := make(chan string)
	ready := make(chan bool)
	go func() {
		runtime.LockOSThread()
		blockUSR1()
		ready <- true
		ts := syscall.Timespec{Nsec: 400e6}
		var rem syscall.Timespec
		t0 := time.Now()
		err := syscall.Nanosleep(&ts, &rem)
		d := time.Since(t0)
		res <- fmt.Sprintf("sleep with SIGUSR1 blocked: error %v, slept the whole time: %v", err, d >= 390*time.Millisecond)
	}()
	<-ready
	const raises = 3
	go func() {
		runtime.LockOSThread()
		blockUSR1()
		for i := 0; i < raises; i++ {
			time.Sleep(60 * time.Millisecond)
			syscall.Kill(os.Getpid(), syscall.SIGUSR1)
		}
	}()
	fmt.Println(<-res)
	taken := 0
	for taken < raises {
		select {
		case <-c:
			taken++
			continue
		case <-time.After(5 * time.Second):
		}
		break
	}
	// Signals of one kind coalesce while pending: at least one is taken.
	fmt.Println("SIGUSR1 taken by another thread:", taken > 0)
	fmt.Println("EXIT-SUCCESS")
}
