// Prints the sizes and offsets of the DragonFly structures Go's syscall
// package declares (generated from real DragonFly headers), for comparison
// with godfly's own layouts. Built for dragonfly only.
package main

import (
	"fmt"
	"syscall"
	"unsafe"
)

func main() {
	var st syscall.Stat_t
	fmt.Println("stat", unsafe.Sizeof(st), unsafe.Offsetof(st.Mode), unsafe.Offsetof(st.Uid), unsafe.Offsetof(st.Rdev),
		unsafe.Offsetof(st.Atim), unsafe.Offsetof(st.Ctim), unsafe.Offsetof(st.Size), unsafe.Offsetof(st.Blksize), unsafe.Offsetof(st.Flags))
	var k syscall.Kevent_t
	fmt.Println("kevent", unsafe.Sizeof(k), unsafe.Offsetof(k.Filter), unsafe.Offsetof(k.Flags), unsafe.Offsetof(k.Fflags), unsafe.Offsetof(k.Data), unsafe.Offsetof(k.Udata))
	var d syscall.Dirent
	fmt.Println("dirent", unsafe.Offsetof(d.Namlen), unsafe.Offsetof(d.Type), unsafe.Offsetof(d.Name))
	var f syscall.Flock_t
	fmt.Println("flock", unsafe.Sizeof(f), unsafe.Offsetof(f.Len), unsafe.Offsetof(f.Pid), unsafe.Offsetof(f.Type), unsafe.Offsetof(f.Whence))
	var ts syscall.Timespec
	fmt.Println("timespec", unsafe.Sizeof(ts))
	var ru syscall.Rusage
	fmt.Println("rusage", unsafe.Sizeof(ru))
	var rl syscall.Rlimit
	fmt.Println("rlimit", unsafe.Sizeof(rl))
}
