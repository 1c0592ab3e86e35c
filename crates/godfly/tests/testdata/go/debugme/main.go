// A program to debug: a global that changes, a function to break in,
// threads that are busy while gdb looks, and an exit status to check.
// "usr1" sends itself SIGUSR1 (30 on DragonFly, 10 on Linux) and waits
// for it; "forever" spins until it is stopped.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"syscall"
)

var counter int

//go:noinline
func bump(n int) int {
	counter += n
	return counter
}

func spin(n int) int {
	s := 0
	for i := 0; i < n; i++ {
		s += i % 7
	}
	return s
}

func main() {
	runtime.GOMAXPROCS(4)
	if len(os.Args) > 1 && os.Args[1] == "usr1" {
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGUSR1)
		syscall.Kill(os.Getpid(), syscall.SIGUSR1)
		fmt.Println("got", <-c)
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "forever" {
		for {
			bump(spin(1000))
		}
	}
	var wg sync.WaitGroup
	results := make([]int, 3)
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			results[i] = spin(20000000 + i)
		}(i)
	}
	wg.Wait()
	for i := 1; i <= 3; i++ {
		bump(i)
	}
	fmt.Println("counter", counter, results[0] > 0)
	os.Exit(3)
}
