// Unrecovered failures: "panic" panics, "nil" dereferences nil. Both end
// with Go's message, a goroutine traceback and exit status 2.
package main

import (
	"fmt"
	"os"
)

type T struct{ x int }

//go:noinline
func deref(p *T) int { return p.x }

func main() {
	fmt.Println("starting", os.Args[1])
	switch os.Args[1] {
	case "panic":
		panic("boom")
	case "nil":
		fmt.Println(deref(nil))
	}
}
