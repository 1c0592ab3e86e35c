// The fast path's clock: clock_gettime sites shaped as the Go runtime's
// (a constant clock id, the timespec on the stack) answered from the
// host's vDSO. Checks the values, the registers the kernel keeps, EFAULT
// for a timespec on a page that cannot be written, and that MXCSR (the
// one vector-unit register Go code relies on) survives Go's own system
// calls and clocks.
package main

import (
	"fmt"
	"os"
	"runtime"
	"syscall"
	"time"
	"unsafe"
)

func clockAt(which int, sp uintptr) (errno uintptr, kept uint64, ts [2]int64)
func getMXCSR() uint32
func setMXCSR(v uint32)

const allKept = 0x7f

func main() {
	// Values: the monotonic clock moves forward, the real-time clock is
	// the time of day.
	var last int64
	forward, regs := true, true
	for i := 0; i < 100000; i++ {
		e, kept, ts := clockAt(0, 0)
		ns := ts[0]*1e9 + ts[1]
		if e != 0 || ns < last || ts[1] < 0 || ts[1] >= 1e9 {
			forward = false
		}
		if kept != allKept {
			regs = false
		}
		last = ns
	}
	fmt.Println("monotonic moves forward:", forward)
	fmt.Println("registers kept:", regs)
	e, kept, ts := clockAt(1, 0)
	d := time.Since(time.Unix(ts[0], ts[1]))
	fmt.Println("real time:", e, kept == allKept, d > -time.Second && d < time.Second)

	// A timespec on a page that faults, and on a read-only one: EFAULT,
	// with the registers kept. Pages: writable, none, writable, read-only;
	// the stack pointer is 8 below a bad page, with writable memory under
	// it (where a call would push).
	page := os.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, 4*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		fmt.Println("mmap:", err)
		os.Exit(1)
	}
	base := uintptr(unsafe.Pointer(&mem[0]))
	protect := func(at uintptr, prot int) {
		_, _, e := syscall.Syscall(syscall.SYS_MPROTECT, at, uintptr(page), uintptr(prot))
		if e != 0 {
			fmt.Println("mprotect:", e)
			os.Exit(1)
		}
	}
	protect(base+uintptr(page), syscall.PROT_NONE)
	protect(base+3*uintptr(page), syscall.PROT_READ)
	for _, c := range []struct {
		what string
		at   uintptr
	}{{"unmapped", base + uintptr(page)}, {"read-only", base + 3*uintptr(page)}} {
		for which := 0; which < 2; which++ {
			e, kept, _ := clockAt(which, c.at-8)
			fmt.Printf("timespec on a %s page, clock %d: %v, registers kept: %v\n", c.what, which, syscall.Errno(e), kept == allKept)
		}
	}

	// MXCSR with round-toward-zero and all exceptions masked survives
	// Go's system calls and time.Now. MXCSR belongs to the OS thread: the
	// goroutine stays on its thread, or a preemption on a loaded machine
	// could resume it on another whose MXCSR was never set.
	runtime.LockOSThread()
	old := getMXCSR()
	setMXCSR(0x7f80)
	for i := 0; i < 1000; i++ {
		syscall.Getpid()
		time.Now()
		syscall.Getppid()
	}
	got := getMXCSR()
	setMXCSR(old)
	runtime.UnlockOSThread()
	fmt.Printf("mxcsr kept: %#x\n", got&^0x3f)
	fmt.Println("EXIT-SUCCESS")
}
