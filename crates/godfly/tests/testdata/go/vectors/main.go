// vectors: values kept in YMM (AVX2) and ZMM and opmask (AVX-512)
// registers across busy loops where signals land (Go's own preemption
// signals and a handled SIGUSR1 storm from another thread) and across a
// system call, on many threads at once. Every register must come back as
// it was: the host's whole extended state survives system calls, signal
// delivery and sigreturn. Prints which register sets were checked.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func cpuid(leaf, sub uint32) (a, b, c, d uint32)
func xgetbv() uint64
func ymmRun(seed uint64, spins int, out *[16][4]uint64)
func zmmRun(seed uint64, spins int, out *[32][8]uint64, k *[7]uint64)

func features() (avx2, avx512 bool) {
	_, _, c1, _ := cpuid(1, 0)
	if c1&(1<<27) == 0 { // OSXSAVE
		return false, false
	}
	xcr0 := xgetbv()
	_, b7, _, _ := cpuid(7, 0)
	avx2 = b7&(1<<5) != 0 && xcr0&6 == 6
	avx512 = avx2 && b7&(1<<16) != 0 && xcr0&0xe0 == 0xe0
	return
}

var bad atomic.Int64

func check(what string, seed uint64, got, want uint64, lane int, reg int) {
	if got != want {
		if bad.Add(1) <= 5 {
			fmt.Printf("FAIL %s reg %d lane %d: %#x, want %#x (seed %#x)\n", what, reg, lane, got, want, seed)
		}
	}
}

func main() {
	rounds := 300
	if len(os.Args) > 1 {
		fmt.Sscan(os.Args[1], &rounds)
	}
	avx2, avx512 := features()
	// Signals from another thread all the time: each lands in a busy loop
	// or in the system call and runs Go's handler on the looping thread.
	sigs := make(chan os.Signal, 128)
	signal.Notify(sigs, syscall.SIGUSR1)
	stop := make(chan struct{})
	var storm sync.WaitGroup
	storm.Add(2)
	go func() {
		defer storm.Done()
		for {
			select {
			case <-stop:
				return
			case <-sigs:
			}
		}
	}()
	go func() {
		defer storm.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			syscall.Kill(os.Getpid(), syscall.SIGUSR1)
			time.Sleep(50 * time.Microsecond)
		}
	}()
	var wg sync.WaitGroup
	workers := 4
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			runtime.LockOSThread()
			for r := 0; r < rounds; r++ {
				seed := uint64(w)<<56 | uint64(r)<<32 | 0x1234
				if avx2 {
					var out [16][4]uint64
					ymmRun(seed, 2000000, &out)
					for i := range out {
						for l := range out[i] {
							check("ymm", seed, out[i][l], seed+uint64(i), l, i)
						}
					}
				}
				if avx512 {
					var out [32][8]uint64
					var k [7]uint64
					zmmRun(seed, 2000000, &out, &k)
					for i := range out {
						for l := range out[i] {
							check("zmm", seed, out[i][l], seed+uint64(i), l, i)
						}
					}
					for i := range k {
						check("k", seed, k[i], (seed+32+uint64(i))&0xffff, 0, i+1)
					}
				}
				// Some allocation, so the collector (and its preemption
				// requests) runs meanwhile.
				_ = make([]byte, 64<<10)
			}
		}(w)
	}
	wg.Wait()
	close(stop)
	storm.Wait()
	fmt.Printf("avx2 %v avx512 %v\n", avx2, avx512)
	fmt.Printf("mismatches: %d\n", bad.Load())
	fmt.Println("EXIT-SUCCESS")
}
