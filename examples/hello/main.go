// A DragonFly Go program for godfly's README: it asks the kernel what
// system it runs on and does a little concurrent work.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"syscall"
)

func main() {
	ostype, _ := syscall.Sysctl("kern.ostype")
	release, _ := syscall.Sysctl("kern.osrelease")
	fmt.Printf("Hello from %s/%s: kernel says %s %s\n", runtime.GOOS, runtime.GOARCH, ostype, release)
	var wg sync.WaitGroup
	squares := make([]int, 8)
	for i := range squares {
		wg.Add(1)
		go func() { defer wg.Done(); squares[i] = i * i }()
	}
	wg.Wait()
	fmt.Println("squares computed by goroutines:", squares)
	if len(os.Args) > 1 {
		fmt.Println("arguments:", os.Args[1:])
	}
}
