// Allocates well over 1 GiB in total while keeping a live working set, so
// the garbage collector runs many cycles on several threads.
package main

import (
	"fmt"
	"runtime"
)

type node struct {
	left, right *node
	payload     []byte
}

func build(depth int) *node {
	if depth == 0 {
		return &node{payload: make([]byte, 64)}
	}
	return &node{left: build(depth - 1), right: build(depth - 1), payload: make([]byte, 32)}
}

func count(n *node) int {
	if n == nil {
		return 0
	}
	return 1 + count(n.left) + count(n.right)
}

func main() {
	var total uint64
	keep := make([][]byte, 0, 64)
	for i := 0; i < 2200; i++ {
		b := make([]byte, 1<<19) // 512 KiB
		b[i%len(b)] = byte(i)
		total += uint64(len(b))
		if i%50 == 0 {
			keep = append(keep, b)
		}
	}
	trees := 0
	for i := 0; i < 40; i++ {
		t := build(14)
		trees += count(t)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Println("allocated at least 1 GiB:", total >= 1<<30)
	fmt.Println("kept buffers:", len(keep))
	fmt.Println("tree nodes:", trees)
	fmt.Println("gc ran:", ms.NumGC > 5)
	fmt.Println("EXIT-SUCCESS")
}
