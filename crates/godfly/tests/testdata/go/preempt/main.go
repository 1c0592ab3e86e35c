// A goroutine that spins without function calls under GOMAXPROCS=1 must be
// preempted asynchronously (SIGURG to its thread) so that main can finish.
package main

import (
	"fmt"
	"runtime"
	"time"
)

var sink int64

func main() {
	runtime.GOMAXPROCS(1)
	started := make(chan bool)
	go func() {
		started <- true
		for {
			sink++
		}
	}()
	<-started
	time.Sleep(20 * time.Millisecond)
	fmt.Println("main ran again after the spinning goroutine")
	runtime.GC() // needs to stop the spinning goroutine too
	fmt.Println("garbage collection finished")
	fmt.Println("EXIT-SUCCESS")
}
