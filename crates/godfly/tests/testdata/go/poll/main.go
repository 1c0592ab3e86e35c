// poll and select through raw system calls on a pipe. Built for dragonfly.
package main

import (
	"fmt"
	"syscall"
	"unsafe"
)

type pollfd struct {
	fd      int32
	events  int16
	revents int16
}

func main() {
	var p [2]int
	syscall.Pipe(p[:])
	fds := []pollfd{{fd: int32(p[0]), events: 1}, {fd: int32(p[1]), events: 4}}
	n, _, e := syscall.Syscall(syscall.SYS_POLL, uintptr(unsafe.Pointer(&fds[0])), 2, 0)
	fmt.Println("poll before write:", n, e == 0, fds[0].revents, fds[1].revents)
	syscall.Write(p[1], []byte("x"))
	n, _, e = syscall.Syscall(syscall.SYS_POLL, uintptr(unsafe.Pointer(&fds[0])), 2, 100)
	fmt.Println("poll after write:", n, e == 0, fds[0].revents, fds[1].revents)

	var set syscall.FdSet
	set.Bits[p[0]/64] |= 1 << (uint(p[0]) % 64)
	tv := syscall.Timeval{Usec: 1000}
	n, _, e = syscall.Syscall6(syscall.SYS_SELECT, uintptr(p[0]+1), uintptr(unsafe.Pointer(&set)), 0, 0, uintptr(unsafe.Pointer(&tv)), 0)
	fmt.Println("select readable:", n, e == 0, set.Bits[p[0]/64]&(1<<(uint(p[0])%64)) != 0)
}
