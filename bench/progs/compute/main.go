// Compute-bound: SHA-256 over a buffer and a prime sieve.
package main

import (
	"crypto/sha256"
	"fmt"
)

func sieve(n int) int {
	composite := make([]bool, n+1)
	count := 0
	for i := 2; i <= n; i++ {
		if !composite[i] {
			count++
			for j := i * i; j <= n; j += i {
				composite[j] = true
			}
		}
	}
	return count
}

func main() {
	buf := make([]byte, 1<<20)
	for i := range buf {
		buf[i] = byte(i)
	}
	var sum [32]byte
	for i := 0; i < 300; i++ {
		sum = sha256.Sum256(buf)
		buf[0] = sum[0]
	}
	fmt.Printf("%x %d\n", sum[:4], sieve(30_000_000))
}
