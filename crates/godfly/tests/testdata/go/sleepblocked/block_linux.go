package main

import (
	"syscall"
	"unsafe"
)

// blockUSR1 adds SIGUSR1 to this thread's mask (Linux's rt_sigprocmask).
func blockUSR1() {
	set := uint64(1) << (uint(syscall.SIGUSR1) - 1)
	if _, _, e := syscall.RawSyscall6(syscall.SYS_RT_SIGPROCMASK, 0, uintptr(unsafe.Pointer(&set)), 0, 8, 0, 0); e != 0 {
		panic(e)
	}
}
