package main

import (
	"syscall"
	"unsafe"
)

// blockUSR1 adds SIGUSR1 to this thread's mask (DragonFly's sigprocmask,
// a 128-bit set).
func blockUSR1() {
	var set [4]uint32
	set[0] = 1 << (uint(syscall.SIGUSR1) - 1)
	if _, _, e := syscall.RawSyscall(syscall.SYS_SIGPROCMASK, 1, uintptr(unsafe.Pointer(&set)), 0); e != 0 {
		panic(e)
	}
}
