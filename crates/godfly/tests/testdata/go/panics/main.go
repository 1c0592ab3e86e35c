// Runtime errors that Go turns into panics, several through signals:
// a nil dereference (SIGSEGV), integer division by zero (SIGFPE), an index
// out of range and a write to a nil map.
package main

import (
	"fmt"
	"os"
)

type T struct{ a, b int }

//go:noinline
func deref(p *T) int { return p.b }

//go:noinline
func div(a, b int) int { return a / b }

//go:noinline
func index(s []int, i int) int { return s[i] }

//go:noinline
func mapWrite(m map[string]int) { m["x"] = 1 }

func try(name string, f func()) {
	defer func() {
		r := recover()
		fmt.Printf("%s: recovered %v\n", name, r)
	}()
	f()
}

func main() {
	for i := 0; i < 3; i++ {
		try("nil dereference", func() { deref(nil) })
		try("division by zero", func() { div(1, 0) })
		try("index out of range", func() { index([]int{1, 2}, 5) })
		try("nil map write", func() { mapWrite(nil) })
	}
	var big *[1 << 20]byte
	try("large offset", func() { _ = big[1<<19] })
	fmt.Println("EXIT-SUCCESS")
	os.Exit(0)
}
