// bounds: system calls with huge or hostile counts and lengths, each
// compared with what the DragonFly kernel answers (see docs/ROBUSTNESS.md).
// The program must get every answer and go on: a kernel (or godfly) that
// sized its work by these values would run out of memory or time first.
// Built for DragonFly only (raw DragonFly calls).
package main

import (
	"fmt"
	"os"
	"syscall"
	"unsafe"
)

const (
	sysGetrandom = 550
	pageSize     = 4096
	huge         = 0x7fffffff
)

var failures int

func check(name string, r uintptr, e syscall.Errno, wantR uintptr, wantE syscall.Errno) {
	if e != wantE || (wantE == 0 && r != wantR) {
		failures++
		fmt.Printf("FAIL %s: got (%d, %v) want (%d, %v)\n", name, r, e, wantR, wantE)
		return
	}
	fmt.Printf("ok %s\n", name)
}

func checkErr(name string, e syscall.Errno, want syscall.Errno) {
	check(name, 0, e, 0, want)
}

// guarded returns a page of memory followed by an unmapped page.
func guarded() []byte {
	m, err := syscall.Mmap(-1, 0, 2*pageSize, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		panic(err)
	}
	if _, _, e := syscall.Syscall(syscall.SYS_MUNMAP, uintptr(unsafe.Pointer(&m[pageSize])), pageSize, 0); e != 0 {
		panic(e)
	}
	return m[:pageSize]
}

func ptr(b []byte) uintptr { return uintptr(unsafe.Pointer(&b[0])) }

func sys6(nr, a1, a2, a3, a4, a5, a6 uintptr) (uintptr, syscall.Errno) {
	r, _, e := syscall.Syscall6(nr, a1, a2, a3, a4, a5, a6)
	return r, e
}

func kevents() {
	kq, err := syscall.Kqueue()
	if err != nil {
		panic(err)
	}
	page := guarded()
	// Two valid changes at the very end of a page, and a count that
	// claims 2^31-1 of them: the first chunk read faults, nothing applies.
	const kevSize = 32
	at := page[pageSize-2*kevSize:]
	for i := 0; i < 2; i++ {
		ev := (*syscall.Kevent_t)(unsafe.Pointer(&at[i*kevSize]))
		*ev = syscall.Kevent_t{Ident: uint64(100 + i), Filter: -9 /* EVFILT_USER */, Flags: syscall.EV_ADD}
	}
	_, e := sys6(syscall.SYS_KEVENT, uintptr(kq), ptr(at), huge, 0, 0, 0)
	checkErr("kevent huge nchanges past the buffer", e, syscall.EFAULT)
	var out [4]syscall.Kevent_t
	zero := syscall.Timespec{}
	r, e := sys6(syscall.SYS_KEVENT, uintptr(kq), 0, 0, uintptr(unsafe.Pointer(&out[0])), 4, uintptr(unsafe.Pointer(&zero)))
	check("kevent: none of that chunk was applied", r, e, 0, 0)
	_, e = sys6(syscall.SYS_KEVENT, uintptr(kq), 0, ^uintptr(0), 0, 0, 0)
	checkErr("kevent negative nchanges, NULL list", e, syscall.EFAULT)
	r, e = sys6(syscall.SYS_KEVENT, uintptr(kq), ptr(at), 2, 0, 0, 0)
	check("kevent two changes, nevents 0", r, e, 0, 0)
	// Trigger one and ask for 2^31-1 events into a 4-entry buffer.
	trig := syscall.Kevent_t{Ident: 100, Filter: -9, Fflags: 0x01000000 /* NOTE_TRIGGER */}
	sys6(syscall.SYS_KEVENT, uintptr(kq), uintptr(unsafe.Pointer(&trig)), 1, 0, 0, 0)
	r, e = sys6(syscall.SYS_KEVENT, uintptr(kq), 0, 0, uintptr(unsafe.Pointer(&out[0])), huge, uintptr(unsafe.Pointer(&zero)))
	check("kevent huge nevents, one ready", r, e, 1, 0)
	r, e = sys6(syscall.SYS_KEVENT, uintptr(kq), 0, 0, uintptr(unsafe.Pointer(&out[0])), ^uintptr(0), 0)
	check("kevent negative nevents returns at once", r, e, 0, 0)
	// A failed change is reported in the event list even with nevents 0.
	bad := syscall.Kevent_t{Ident: 1, Filter: 99, Flags: syscall.EV_ADD}
	r, e = sys6(syscall.SYS_KEVENT, uintptr(kq), uintptr(unsafe.Pointer(&bad)), 1, uintptr(unsafe.Pointer(&out[0])), 0, 0)
	check("kevent bad change with nevents 0 posts its error", r, e, 1, 0)
	if out[0].Flags&syscall.EV_ERROR == 0 || syscall.Errno(out[0].Data) != syscall.EINVAL {
		failures++
		fmt.Printf("FAIL kevent error event: flags %#x data %d\n", out[0].Flags, out[0].Data)
	}
	_, e = sys6(syscall.SYS_KEVENT, uintptr(kq), uintptr(unsafe.Pointer(&bad)), 1, 0, 0, 0)
	checkErr("kevent bad change, nowhere to post it", e, syscall.EINVAL)
	syscall.Close(kq)
	kq, _ = syscall.Kqueue()
	huge := syscall.Timespec{Sec: -5, Nsec: 3_000_000_000}
	r, e = sys6(syscall.SYS_KEVENT, uintptr(kq), 0, 0, uintptr(unsafe.Pointer(&out[0])), 4, uintptr(unsafe.Pointer(&huge)))
	check("kevent out-of-range timeout is no wait, not EINVAL", r, e, 0, 0)
	syscall.Close(kq)
}

func polls() {
	page := guarded()
	var p [2]int32
	syscall.Pipe((*[2]int)(unsafe.Pointer(&[2]int{}))[:])
	_ = p
	// One valid pollfd at the end of the page, a count of 2^31-1: it is cut
	// to twice the descriptor limit and the read runs off the page.
	fds := page[pageSize-8:]
	*(*int32)(unsafe.Pointer(&fds[0])) = 0
	_, e := sys6(syscall.SYS_POLL, ptr(fds), huge, 0, 0, 0, 0)
	checkErr("poll huge nfds past the buffer", e, syscall.EFAULT)
	_, e = sys6(syscall.SYS_POLL, ptr(fds), 0x80000000, 0, 0, 0, 0)
	checkErr("poll nfds negative as an int", e, syscall.EINVAL)
	_, e = sys6(syscall.SYS_POLL, ptr(fds), 1, uintptr(^uint32(1)), 0, 0, 0) // timeout -2
	checkErr("poll timeout -2", e, syscall.EINVAL)
	// A negative descriptor other than -1 is POLLNVAL.
	pf := [1]struct {
		fd              int32
		events, revents int16
	}{{fd: -7, events: 1}}
	r, e := sys6(syscall.SYS_POLL, uintptr(unsafe.Pointer(&pf[0])), 1, 1000, 0, 0, 0)
	check("poll fd -7 is POLLNVAL at once", r, e, 1, 0)
	if pf[0].revents != 0x20 {
		failures++
		fmt.Printf("FAIL poll fd -7 revents %#x\n", pf[0].revents)
	}
	// select with nd 2^31-1: cut to the descriptor table; the sets are
	// read only as far as that reaches.
	sets, err := syscall.Mmap(-1, 0, 1<<20, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		panic(err)
	}
	tv := syscall.Timeval{}
	r, e = sys6(syscall.SYS_SELECT, huge, ptr(sets), 0, 0, uintptr(unsafe.Pointer(&tv)), 0)
	check("select huge nd", r, e, 0, 0)
	_, e = sys6(syscall.SYS_SELECT, ^uintptr(0), 0, 0, 0, uintptr(unsafe.Pointer(&tv)), 0)
	checkErr("select negative nd", e, syscall.EINVAL)
}

func vectors() {
	var b [8]byte
	iov := make([]syscall.Iovec, 2000)
	for i := range iov {
		iov[i] = syscall.Iovec{Base: &b[0], Len: 1}
	}
	r, w, _ := os.Pipe()
	_, e := sys6(syscall.SYS_WRITEV, w.Fd(), uintptr(unsafe.Pointer(&iov[0])), 1025, 0, 0, 0)
	checkErr("writev 1025 iovecs", e, syscall.EMSGSIZE)
	_, e = sys6(syscall.SYS_READV, r.Fd(), uintptr(unsafe.Pointer(&iov[0])), ^uintptr(0), 0, 0, 0)
	checkErr("readv -1 iovecs", e, syscall.EMSGSIZE)
	n, e := sys6(syscall.SYS_WRITEV, w.Fd(), uintptr(unsafe.Pointer(&iov[0])), 1024, 0, 0, 0)
	check("writev 1024 iovecs", n, e, 1024, 0)
	buf := make([]byte, 4096)
	// A read from a file that runs from a writable page into a read-only
	// one: Linux returns the bytes before it, DragonFly EFAULT (with the
	// file offset moved past them all the same).
	two, err := syscall.Mmap(-1, 0, 2*pageSize, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		panic(err)
	}
	sys6(syscall.SYS_MPROTECT, uintptr(unsafe.Pointer(&two[pageSize])), pageSize, syscall.PROT_READ, 0, 0, 0)
	f, err := os.CreateTemp("", "bounds")
	if err != nil {
		panic(err)
	}
	os.Remove(f.Name())
	f.Write(make([]byte, 8192))
	f.Seek(0, 0)
	_, e = sys6(syscall.SYS_READ, f.Fd(), uintptr(unsafe.Pointer(&two[pageSize-100])), 200, 0, 0, 0)
	checkErr("read into a read-only page after 100 bytes", e, syscall.EFAULT)
	off, _ := f.Seek(0, 1)
	check("the file offset moved past the bytes before the fault", uintptr(off), 0, 100, 0)
	f.Close()
	// read with a count past the end of user space: only what is there.
	n, e = sys6(syscall.SYS_READ, r.Fd(), uintptr(unsafe.Pointer(&buf[0])), 1<<62, 0, 0, 0)
	check("read count 2^62 gets what the pipe has", n, e, 1024, 0)
	r.Close()
	w.Close()
}

func sockets() {
	s, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM, 0)
	if err != nil {
		panic(err)
	}
	var sa [16]byte
	sa[0], sa[1] = 16, syscall.AF_INET
	_, e := sys6(syscall.SYS_BIND, uintptr(s), uintptr(unsafe.Pointer(&sa[0])), huge, 0, 0, 0)
	checkErr("bind namelen 2^31-1", e, syscall.ENAMETOOLONG)
	_, e = sys6(syscall.SYS_BIND, uintptr(s), uintptr(unsafe.Pointer(&sa[0])), 1, 0, 0, 0)
	checkErr("bind namelen 1", e, syscall.EDOM)
	_, e = sys6(syscall.SYS_BIND, 9999, uintptr(unsafe.Pointer(&sa[0])), 300, 0, 0, 0)
	checkErr("bind on a bad fd checks the length first", e, syscall.ENAMETOOLONG)
	v := int32(4096)
	_, e = sys6(syscall.SYS_SETSOCKOPT, uintptr(s), syscall.SOL_SOCKET, syscall.SO_RCVBUF, uintptr(unsafe.Pointer(&v)), huge, 0)
	checkErr("setsockopt optlen 2^31-1", e, syscall.EINVAL)
	_, e = sys6(syscall.SYS_SETSOCKOPT, uintptr(s), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 0, 4, 0)
	checkErr("setsockopt NULL value", e, syscall.EFAULT)
	_, e = sys6(syscall.SYS_SETSOCKOPT, uintptr(s), syscall.SOL_SOCKET, syscall.SO_RCVBUF, uintptr(unsafe.Pointer(&v)), 0, 0)
	checkErr("setsockopt optlen 0", e, syscall.EINVAL)
	l := uint32(huge)
	_, e = sys6(syscall.SYS_GETSOCKOPT, uintptr(s), syscall.SOL_SOCKET, syscall.SO_RCVBUF, uintptr(unsafe.Pointer(&v)), uintptr(unsafe.Pointer(&l)), 0)
	checkErr("getsockopt *optlen 2^31-1", e, syscall.EINVAL)

	var b [4]byte
	iov := syscall.Iovec{Base: &b[0], Len: 4}
	to := [16]byte{16, syscall.AF_INET, 0, 9, 127, 0, 0, 1}
	ctl := make([]byte, 1024)
	msg := syscall.Msghdr{Name: &to[0], Namelen: 16, Iov: &iov, Iovlen: 1, Control: &ctl[0], Controllen: huge}
	_, e = sys6(syscall.SYS_SENDMSG, uintptr(s), uintptr(unsafe.Pointer(&msg)), 0, 0, 0, 0)
	checkErr("sendmsg controllen 2^31-1", e, syscall.EINVAL)
	msg.Controllen = 353
	_, e = sys6(syscall.SYS_SENDMSG, uintptr(s), uintptr(unsafe.Pointer(&msg)), 0, 0, 0, 0)
	checkErr("sendmsg controllen MLEN+1", e, syscall.EINVAL)
	msg.Controllen = 4
	_, e = sys6(syscall.SYS_SENDMSG, uintptr(s), uintptr(unsafe.Pointer(&msg)), 0, 0, 0, 0)
	checkErr("sendmsg controllen 4", e, syscall.EINVAL)
	msg.Control, msg.Controllen = nil, 0
	msg.Namelen = huge
	_, e = sys6(syscall.SYS_SENDMSG, uintptr(s), uintptr(unsafe.Pointer(&msg)), 0, 0, 0, 0)
	checkErr("sendmsg namelen 2^31-1", e, syscall.ENAMETOOLONG)
	msg.Namelen = 16
	msg.Iovlen = 5000
	_, e = sys6(syscall.SYS_SENDMSG, uintptr(s), uintptr(unsafe.Pointer(&msg)), 0, 0, 0, 0)
	checkErr("sendmsg 5000 iovecs", e, syscall.EMSGSIZE)
	msg.Iovlen = 1
	n, e := sys6(syscall.SYS_SENDMSG, uintptr(s), uintptr(unsafe.Pointer(&msg)), 0, 0, 0, 0)
	check("sendmsg sane", n, e, 4, 0)
	syscall.Close(s)
}

func groups() {
	page := guarded()
	n, e := sys6(syscall.SYS_GETGROUPS, 0, 0, 0, 0, 0, 0)
	if e != 0 || n < 1 {
		failures++
		fmt.Printf("FAIL getgroups count: %d %v\n", n, e)
	}
	list := make([]uint32, 65536)
	m, e := sys6(syscall.SYS_GETGROUPS, huge, uintptr(unsafe.Pointer(&list[0])), 0, 0, 0, 0)
	check("getgroups room 2^31-1", m, e, n, 0)
	egid := uint32(syscall.Getegid())
	if list[0] != egid {
		failures++
		fmt.Printf("FAIL getgroups lists %d first, not the egid %d\n", list[0], egid)
	} else {
		fmt.Println("ok getgroups lists the egid first")
	}
	_, e = sys6(syscall.SYS_GETGROUPS, n-1, uintptr(unsafe.Pointer(&list[0])), 0, 0, 0, 0)
	if n > 1 {
		checkErr("getgroups room too small", e, syscall.EINVAL)
	}
	want := syscall.EPERM
	if syscall.Geteuid() == 0 {
		want = syscall.EINVAL
	}
	_, e = sys6(syscall.SYS_SETGROUPS, huge, ptr(page), 0, 0, 0, 0)
	checkErr("setgroups 2^31-1 groups", e, want)
	_, e = sys6(syscall.SYS_SETGROUPS, 17, ptr(page), 0, 0, 0, 0)
	checkErr("setgroups NGROUPS+1 groups", e, want)
}

func misc() {
	page := guarded()
	mib := [2]int32{1, 1}
	_, e := sys6(syscall.SYS___SYSCTL, uintptr(unsafe.Pointer(&mib[0])), huge, 0, 0, 0, 0)
	checkErr("sysctl namelen 2^31-1", e, syscall.EINVAL)
	n2o := [2]int32{0, 3}
	out := make([]byte, 64)
	olen := uintptr(len(out))
	_, e = sys6(syscall.SYS___SYSCTL, uintptr(unsafe.Pointer(&n2o[0])), 2, uintptr(unsafe.Pointer(&out[0])), uintptr(unsafe.Pointer(&olen)), ptr(page), huge)
	checkErr("sysctl name2oid newlen 2^31-1", e, syscall.ENAMETOOLONG)
	_, e = sys6(sysGetrandom, ptr(page), 1<<40, 0, 0, 0, 0)
	checkErr("getrandom 2^40 bytes into a page", e, syscall.EFAULT)
	_, e = sys6(sysGetrandom, ptr(page), ^uintptr(0), 0, 0, 0, 0)
	checkErr("getrandom length -1", e, syscall.EINVAL)
	vec := guarded()
	// Up to the top of user space: 2^46 bytes or so, one vector byte per page.
	const vmMaxUser = 0x7FFF_FFE0_0000
	span := (vmMaxUser - ptr(page)) &^ (pageSize - 1)
	_, e = sys6(syscall.SYS_MINCORE, ptr(page), span, ptr(vec), 0, 0, 0)
	checkErr("mincore to the top of user space into a one-page vector", e, syscall.EFAULT)
	_, e = sys6(syscall.SYS_MINCORE, ptr(page), span+2*pageSize, ptr(vec), 0, 0, 0)
	checkErr("mincore past the top of user space", e, syscall.EINVAL)
	cwd := make([]byte, 4096)
	r, e := sys6(syscall.SYS___GETCWD, uintptr(unsafe.Pointer(&cwd[0])), huge, 0, 0, 0, 0)
	check("getcwd buflen 2^31-1", r, e, 0, 0)
	d, err := syscall.Open("/", syscall.O_RDONLY, 0)
	if err != nil {
		panic(err)
	}
	var base uintptr
	r, e = sys6(syscall.SYS_GETDIRENTRIES, uintptr(d), ptr(page), huge, uintptr(unsafe.Pointer(&base)), 0, 0)
	if e != 0 && e != syscall.EFAULT {
		failures++
		fmt.Printf("FAIL getdirentries count 2^31-1: %v\n", e)
	} else {
		fmt.Println("ok getdirentries count 2^31-1")
	}
	syscall.Close(d)
	// execve: argv and envp strings share ARG_MAX (256 KiB).
	big := make([]byte, 300*1024)
	for i := range big {
		big[i] = 'x'
	}
	path, _ := syscall.BytePtrFromString("/bin/true")
	arg := &append(big, 0)[0]
	argv := []*byte{path, arg, nil}
	_, e = sys6(syscall.SYS_EXECVE, uintptr(unsafe.Pointer(path)), uintptr(unsafe.Pointer(&argv[0])), 0, 0, 0, 0)
	checkErr("execve with a 300 KiB argument", e, syscall.E2BIG)
	many := make([]*byte, 300_000)
	empty := &[]byte{0}[0]
	for i := range many {
		many[i] = empty
	}
	many[0], many[len(many)-1] = path, nil
	_, e = sys6(syscall.SYS_EXECVE, uintptr(unsafe.Pointer(path)), uintptr(unsafe.Pointer(&many[0])), 0, 0, 0, 0)
	checkErr("execve with 300000 arguments", e, syscall.E2BIG)
}

func main() {
	kevents()
	polls()
	vectors()
	sockets()
	groups()
	misc()
	fmt.Println("failures:", failures)
	fmt.Println("EXIT-SUCCESS")
}
