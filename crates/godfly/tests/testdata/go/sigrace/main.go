// sigrace: a thread blocked in read(2) on a pipe that never gets data is
// sent a signal, again and again, each one right after the last was
// handled, so that many land while the thread is on its way back into
// the read (after the kernel would have looked for signals, before it
// blocks). Each must be taken within a second, as on DragonFly, not
// when some later event wakes the thread. Built for DragonFly only.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"
)

var sink int

func main() {
	rounds := 2000
	if len(os.Args) > 1 {
		fmt.Sscan(os.Args[1], &rounds)
	}
	var p [2]int
	if err := syscall.Pipe(p[:]); err != nil {
		panic(err)
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGUSR1)
	tidc := make(chan int)
	go func() {
		runtime.LockOSThread()
		tid, _, _ := syscall.RawSyscall(syscall.SYS_LWP_GETTID, 0, 0, 0)
		tidc <- int(tid)
		var b [1]byte
		for {
			// A blocking read: the pipe is not in non-blocking mode.
			syscall.Read(p[0], b[:])
		}
	}()
	tid := <-tidc
	time.Sleep(10 * time.Millisecond)
	late := 0
	spin := func(n int) {
		for j := 0; j < n; j++ {
			sink += j
		}
	}
	for i := 0; i < rounds; i++ {
		// A delay that sweeps across the target's way back into read.
		spin((i * 37) % 20000)
		syscall.RawSyscall(syscall.SYS_LWP_KILL, uintptr(os.Getpid()), uintptr(tid), uintptr(syscall.SIGUSR1))
		select {
		case <-sigs:
		case <-time.After(5 * time.Second): // a lost signal never comes; a slow machine may take a second
			late++
			// Wait for it anyway (the next signal frees it), then go on.
			syscall.RawSyscall(syscall.SYS_LWP_KILL, uintptr(os.Getpid()), uintptr(tid), uintptr(syscall.SIGUSR1))
			<-sigs
		}
	}
	fmt.Printf("rounds %d late %d\n", rounds, late)
	fmt.Println("EXIT-SUCCESS")
}
