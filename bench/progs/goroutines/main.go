// Goroutines, channels and timers.
package main

import (
	"fmt"
	"sync"
	"time"
)

func main() {
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, b := make(chan int), make(chan int)
			go func() {
				for v := range a {
					b <- v + 1
				}
				close(b)
			}()
			for i := 0; i < 50000; i++ {
				a <- i
				<-b
			}
			close(a)
		}()
	}
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			t := time.NewTimer(time.Duration(i%20) * time.Millisecond)
			<-t.C
		}(i)
	}
	wg.Wait()
	fmt.Println("done")
}
