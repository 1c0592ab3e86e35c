// 10,000 goroutines over channels, a mutex, sync.Cond and a WaitGroup.
package main

import (
	"fmt"
	"sync"
)

func main() {
	const n = 10000
	var wg sync.WaitGroup
	results := make(chan int, 100)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			results <- i % 7
		}(i)
	}
	go func() { wg.Wait(); close(results) }()
	sum := 0
	for r := range results {
		sum += r
	}
	fmt.Println("channel sum:", sum)

	var mu sync.Mutex
	counter := 0
	var wg2 sync.WaitGroup
	for i := 0; i < n; i++ {
		wg2.Add(1)
		go func() {
			defer wg2.Done()
			mu.Lock()
			counter++
			mu.Unlock()
		}()
	}
	wg2.Wait()
	fmt.Println("mutex counter:", counter)

	cond := sync.NewCond(&mu)
	ready := 0
	released := false
	var wg3 sync.WaitGroup
	for i := 0; i < 1000; i++ {
		wg3.Add(1)
		go func() {
			defer wg3.Done()
			mu.Lock()
			ready++
			cond.Broadcast()
			for !released {
				cond.Wait()
			}
			mu.Unlock()
		}()
	}
	mu.Lock()
	for ready < 1000 {
		cond.Wait()
	}
	released = true
	cond.Broadcast()
	mu.Unlock()
	wg3.Wait()
	fmt.Println("cond waiters released:", ready)

	// A pipeline of unbuffered channels.
	in := make(chan int)
	out := in
	for i := 0; i < 100; i++ {
		next := make(chan int)
		go func(src <-chan int, dst chan<- int) {
			for v := range src {
				dst <- v + 1
			}
			close(dst)
		}(out, next)
		out = next
	}
	go func() {
		for i := 0; i < 100; i++ {
			in <- i
		}
		close(in)
	}()
	total := 0
	for v := range out {
		total += v
	}
	fmt.Println("pipeline total:", total)
	fmt.Println("EXIT-SUCCESS")
}
