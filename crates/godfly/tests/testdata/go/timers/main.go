// Timers, tickers, sleeps and the monotonic clock.
package main

import (
	"context"
	"fmt"
	"time"
)

func main() {
	start := time.Now()
	time.Sleep(30 * time.Millisecond)
	el := time.Since(start)
	fmt.Println("sleep at least 30ms:", el >= 30*time.Millisecond)
	fmt.Println("sleep under 2s:", el < 2*time.Second)

	t := time.NewTicker(10 * time.Millisecond)
	n := 0
	for range t.C {
		n++
		if n == 5 {
			break
		}
	}
	t.Stop()
	fmt.Println("ticks:", n)

	// Each timer fires, none before its time. (Not their order: a stall
	// of 20 ms on a loaded machine lets two expire in one pass, and the
	// runtime then starts the newer callback's goroutine first.)
	fired := make(chan bool, 3)
	armed := time.Now()
	for _, d := range []time.Duration{60, 20, 40} {
		d := d * time.Millisecond
		time.AfterFunc(d, func() { fired <- time.Since(armed) >= d })
	}
	fmt.Println("timers fired, none early:", <-fired && <-fired && <-fired)

	tm := time.NewTimer(time.Hour)
	fmt.Println("stopped long timer:", tm.Stop())

	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Millisecond)
	defer cancel()
	<-ctx.Done()
	fmt.Println("context:", ctx.Err())

	select {
	case <-time.After(15 * time.Millisecond):
		fmt.Println("time.After fired")
	case <-time.After(time.Hour):
		fmt.Println("wrong timer")
	}

	a := time.Now()
	b := time.Now()
	fmt.Println("monotonic non-decreasing:", !b.Before(a))
	wall := time.Now().Unix()
	fmt.Println("wall clock after 2020:", wall > 1577836800)
	fmt.Println("EXIT-SUCCESS")
}
