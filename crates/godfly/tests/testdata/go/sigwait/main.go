// sigsuspend and sigtimedwait on one thread, through raw system calls:
// a signal sent to this thread while it blocks it waits, then sigsuspend
// lets Go's handler run (EINTR), and sigtimedwait takes one without a
// handler. Built for dragonfly only (the numbers are DragonFly's).
package main

import (
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"unsafe"
)

const (
	sysSigprocmask  = 340
	sysSigsuspend   = 341
	sysSigtimedwait = 345
	sysLwpGettid    = 496
	sysLwpKill      = 497
	sigBlock        = 1
)

func bit(sig syscall.Signal) [4]uint32 {
	var s [4]uint32
	s[(sig-1)/32] = 1 << ((sig - 1) % 32)
	return s
}

func main() {
	runtime.LockOSThread()
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGUSR1)
	tid, _, _ := syscall.RawSyscall(sysLwpGettid, 0, 0, 0)

	set := bit(syscall.SIGUSR1)
	var old [4]uint32
	syscall.RawSyscall(sysSigprocmask, sigBlock, uintptr(unsafe.Pointer(&set)), uintptr(unsafe.Pointer(&old)))
	syscall.RawSyscall(sysLwpKill, ^uintptr(0), tid, uintptr(syscall.SIGUSR1))
	empty := old
	_, _, e := syscall.RawSyscall(sysSigsuspend, uintptr(unsafe.Pointer(&empty)), 0, 0)
	fmt.Println("sigsuspend returned:", e == syscall.EINTR)
	fmt.Println("handler got:", <-c == syscall.SIGUSR1)

	set2 := bit(syscall.SIGUSR2)
	syscall.RawSyscall(sysSigprocmask, sigBlock, uintptr(unsafe.Pointer(&set2)), 0)
	syscall.RawSyscall(sysLwpKill, ^uintptr(0), tid, uintptr(syscall.SIGUSR2))
	var info [80]byte
	r, _, e := syscall.RawSyscall(sysSigtimedwait, uintptr(unsafe.Pointer(&set2)), uintptr(unsafe.Pointer(&info)), 0)
	fmt.Println("sigtimedwait:", syscall.Signal(r) == syscall.SIGUSR2, e == 0, *(*int32)(unsafe.Pointer(&info[0])) == int32(syscall.SIGUSR2))
	ts := syscall.Timespec{Nsec: 20_000_000}
	_, _, e = syscall.RawSyscall(sysSigtimedwait, uintptr(unsafe.Pointer(&set2)), 0, uintptr(unsafe.Pointer(&ts)))
	fmt.Println("timeout:", e == syscall.EAGAIN)
}
