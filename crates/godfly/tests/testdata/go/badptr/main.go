// Bad pointers to every supported DragonFly call that takes one: NULL,
// unmapped, kernel-half, non-canonical, read-only (for outputs), a buffer
// that runs off the end of a mapping, and a misaligned valid pointer. Each
// call must return what DragonFly returns (EFAULT unless the kernel's
// source says otherwise, see docs/ROBUSTNESS.md) and the program must go
// on. Call numbers and the list of supported calls come from godfly
// (`badptr CALLS-FILE`, lines "number name"); every supported call with a
// pointer argument must be covered here or skipped with a reason.
package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"unsafe"
)

var nums = map[string]uintptr{}

type arg struct {
	v      uintptr // the valid value
	tested bool
	nullOK bool // NULL is accepted: any result but a crash
	out    bool // written by the call: a read-only page is bad too
	align  bool // a misaligned valid pointer must work as the aligned one
	noNull bool // NULL not tried (it would block: "wait forever")
	also   []syscall.Errno
}

// T: a tested input pointer (NULL gives EFAULT).
func T(v uintptr, also ...syscall.Errno) arg { return arg{v: v, tested: true, also: also} }

// O: a tested output pointer.
func O(v uintptr, also ...syscall.Errno) arg { return arg{v: v, tested: true, out: true, also: also} }

// ON: a tested output pointer for which NULL is allowed.
func ON(v uintptr, also ...syscall.Errno) arg {
	return arg{v: v, tested: true, out: true, nullOK: true, also: also}
}

// N: a tested pointer for which NULL is allowed.
func N(v uintptr, also ...syscall.Errno) arg {
	return arg{v: v, tested: true, nullOK: true, also: also}
}

// U: a pointer DragonFly never dereferences here: every value succeeds.
func U(v uintptr) arg { return arg{v: v, tested: true, nullOK: true, also: []syscall.Errno{0}} }

// W: a tested output pointer written only when the call fails, or only
// when there is something to report: success is right too.
func W(v uintptr, also ...syscall.Errno) arg {
	return arg{v: v, tested: true, nullOK: true, also: append(also, 0)}
}

// V: a plain value.
func V(v uintptr) arg { return arg{v: v} }

type bad struct {
	name string
	p    func(a arg) (uintptr, bool) // value, applies
}

var (
	failures []string
	checks   int
	covered  = map[string]bool{}
	skipped  = map[string]string{}
)

func fail(format string, a ...any) {
	failures = append(failures, fmt.Sprintf(format, a...))
}

func must(err error, what string) {
	if err != nil {
		fmt.Printf("FAIL: setup %s: %v\n", what, err)
		os.Exit(1)
	}
}

func mmap(n int, prot int) uintptr {
	b, err := syscall.Mmap(-1, 0, n, prot, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	must(err, "mmap")
	return uintptr(unsafe.Pointer(&b[0]))
}

func raw(nr uintptr, a []uintptr) (uintptr, uintptr, syscall.Errno) {
	var x [9]uintptr
	copy(x[:], a)
	return syscall.Syscall9(nr, x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7], x[8])
}

// Memory for the bad values.
var (
	hole     uintptr // an unmapped page between two mapped ones
	runoff   uintptr // 2 bytes before a PROT_NONE page
	readonly uintptr // a read-only page
	scratch  uintptr // 64 KiB of zeros, valid for any input
)

func cstr(s string) uintptr {
	b := append([]byte(s), 0)
	keep = append(keep, b)
	return uintptr(unsafe.Pointer(&b[0]))
}

var keep [][]byte

func buf(n int) uintptr {
	b := make([]byte, n)
	keep = append(keep, b)
	return uintptr(unsafe.Pointer(&b[0]))
}

func bads() []bad {
	return []bad{
		{"NULL", func(a arg) (uintptr, bool) { return 0, !a.noNull }},
		{"low", func(a arg) (uintptr, bool) { return 0x1000, true }},
		{"unmapped", func(a arg) (uintptr, bool) { return hole + 8, true }},
		{"kernel", func(a arg) (uintptr, bool) { return 0xffff800000000000, true }},
		{"noncanonical", func(a arg) (uintptr, bool) { return 0x0000800000000000, true }},
		{"top", func(a arg) (uintptr, bool) { return 0xfffffffffffffff0, true }},
		{"runoff", func(a arg) (uintptr, bool) { return runoff, true }},
		{"readonly", func(a arg) (uintptr, bool) { return readonly, a.out }},
		{"misaligned", func(a arg) (uintptr, bool) { return a.v + 1, a.align }},
	}
}

// check runs call `name` once per tested position and bad value, with the
// other arguments valid; prep runs before each call, post after it with
// the result (to close descriptors a call made).
func check(name string, prep func(), post func(r1, r2 uintptr, e syscall.Errno), args ...arg) {
	nr, ok := nums[name]
	if !ok {
		fail("%s: not in godfly's supported list", name)
		return
	}
	covered[name] = true
	for pos, a := range args {
		if !a.tested {
			continue
		}
		for _, b := range bads() {
			v, applies := b.p(a)
			if !applies {
				continue
			}
			vals := make([]uintptr, len(args))
			for i, x := range args {
				vals[i] = x.v
			}
			vals[pos] = v
			if prep != nil {
				prep()
			}
			// Output checks may have written over the last bytes before
			// the guard: a string there must run into it.
			*(*[2]byte)(unsafe.Pointer(runoff)) = [2]byte{'a', 'a'}
			r1, r2, e := raw(nr, vals)
			if post != nil {
				post(r1, r2, e)
			}
			checks++
			switch {
			case b.name == "misaligned":
				if e != 0 {
					fail("%s arg %d misaligned: %v, want success", name, pos, e)
				}
			case b.name == "NULL" && a.nullOK:
				if e == syscall.EFAULT {
					fail("%s arg %d NULL: EFAULT, but NULL is allowed", name, pos)
				}
			default:
				okErr := e == syscall.EFAULT
				for _, x := range a.also {
					okErr = okErr || e == x
				}
				if !okErr {
					fail("%s arg %d %s: %v (r=%d), want EFAULT%s", name, pos, b.name, errName(e), r1, alsoNames(a.also))
				}
			}
		}
	}
}

func errName(e syscall.Errno) string {
	if e == 0 {
		return "success"
	}
	return fmt.Sprintf("errno %d (%v)", int(e), e)
}

func alsoNames(also []syscall.Errno) string {
	s := ""
	for _, e := range also {
		s += " or " + e.Error()
	}
	return s
}

func skip(name, why string) { skipped[name] = why }

func closeFds(r1, r2 uintptr, e syscall.Errno) {
	if e == 0 {
		syscall.Close(int(r1))
		syscall.Close(int(r2))
	}
}

func closeR1(r1, r2 uintptr, e syscall.Errno) {
	if e == 0 {
		syscall.Close(int(r1))
	}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Println("usage: badptr CALLS-FILE")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	must(err, "calls file")
	sc := bufio.NewScanner(f)
	var withPtr []string
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		n, _ := strconv.Atoi(fields[0])
		nums[fields[1]] = uintptr(n)
		if len(fields) > 2 && fields[2] == "ptr" {
			withPtr = append(withPtr, fields[1])
		}
	}
	f.Close()

	// Bad memory.
	// A page nothing maps (a hole left by munmap would soon be reused by
	// the runtime's own mappings).
	hole = 0x5fff_0000_0000
	if _, _, e := syscall.Syscall(syscall.SYS_MINCORE, hole, 4096, scratchByte()); e != syscall.ENOMEM && e != syscall.EINVAL && e != 0 {
		must(e, "hole")
	}
	two := mmap(2*4096, syscall.PROT_READ|syscall.PROT_WRITE)
	for i := uintptr(0); i < 4096; i++ {
		*(*byte)(unsafe.Pointer(two + i)) = 'a'
	}
	_, _, e := syscall.Syscall(syscall.SYS_MPROTECT, two+4096, 4096, syscall.PROT_NONE)
	if e != 0 {
		must(e, "mprotect guard")
	}
	runoff = two + 4096 - 2
	readonly = mmap(4096, syscall.PROT_READ)
	scratch = mmap(65536, syscall.PROT_READ|syscall.PROT_WRITE)

	// Files, sockets and descriptors the calls work on.
	dir, err := os.MkdirTemp("", "badptr")
	must(err, "temp dir")
	defer os.RemoveAll(dir)
	must(os.Chdir(dir), "chdir")
	must(os.WriteFile("file", make([]byte, 8192), 0o644), "file")
	must(os.Mkdir("dir", 0o755), "dir")
	must(os.Symlink("file", "link"), "symlink")
	fd, err := syscall.Open("file", syscall.O_RDWR, 0)
	must(err, "open file")
	dfd, err := syscall.Open("dir", syscall.O_RDONLY, 0)
	must(err, "open dir")
	must(os.WriteFile("dir/entry", nil, 0o644), "dir entry")
	sp, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	must(err, "socketpair")
	udp, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM, 0)
	must(err, "udp socket")
	// A bound UDP socket with a sender, for recvfrom's source address.
	udp2, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM, 0)
	must(err, "udp socket 2")
	must(syscall.Bind(udp2, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}), "bind udp 2")
	udp2addr, err := syscall.Getsockname(udp2)
	must(err, "getsockname udp 2")
	feedUDP := func() { syscall.Sendto(udp, make([]byte, 64), 0, udp2addr) }
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(err, "listen")
	lf, err := ln.(*net.TCPListener).File()
	must(err, "listener file")
	lfd := int(lf.Fd())
	must(syscall.SetNonblock(lfd, true), "nonblock listener")
	var pfd [2]int
	must(syscall.Pipe(pfd[:]), "pipe")
	syscall.Write(pfd[1], []byte("x"))
	kq, err := syscall.Kqueue()
	must(err, "kqueue")
	ev := []syscall.Kevent_t{{Ident: uint64(pfd[0]), Filter: syscall.EVFILT_READ, Flags: syscall.EV_ADD}}
	_, err = syscall.Kevent(kq, ev, nil, nil)
	must(err, "kevent add")

	atfd := uintptr(0xfffafdcd) // DragonFly's AT_FDCWD, -328243
	path := cstr("file")
	dpath := cstr("dir")
	lpath := cstr("link")
	fresh := func() uintptr { return cstr(filepath.Join(dir, "new")) }
	np := fresh()
	zero := mmap(4096, syscall.PROT_READ) // zeros that stay zero: timespecs, empty sets
	sin := buf(16)
	*(*[16]byte)(unsafe.Pointer(sin)) = [16]byte{16, 2, 0, 9, 127, 0, 0, 1}
	lenp := func(n uint32) uintptr { p := buf(8); *(*uint32)(unsafe.Pointer(p)) = n; return p }
	lenp64 := func(n uint64) uintptr { p := buf(8); *(*uint64)(unsafe.Pointer(p)) = n; return p }
	iov := func(base uintptr, n int) uintptr {
		p := buf(16)
		*(*[2]uintptr)(unsafe.Pointer(p)) = [2]uintptr{base, uintptr(n)}
		return p
	}
	rewind := func() { syscall.Seek(fd, 0, 0); syscall.Seek(dfd, 0, 0) }
	feed := func() { syscall.Write(sp[1], make([]byte, 64)) }
	drain := func(r1, r2 uintptr, e syscall.Errno) {
		b := make([]byte, 4096)
		syscall.SetNonblock(sp[0], true)
		for {
			if n, _ := syscall.Read(sp[0], b); n <= 0 {
				break
			}
		}
		syscall.SetNonblock(sp[0], false)
	}
	dial := func() {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err == nil {
			keepConns = append(keepConns, c)
		}
	}
	var child int
	fork := func() {
		r1, r2, e := syscall.RawSyscall(syscall.SYS_FORK, 0, 0, 0)
		if e != 0 {
			must(e, "fork")
		}
		if r2 == 1 {
			syscall.RawSyscall(syscall.SYS_EXIT, 0, 0, 0)
		}
		child = int(r1)
		// Until it is a zombie: wait6 with WNOWAIT leaves it there.
		var si [128]byte
		syscall.Syscall6(nums["wait6"], 0, uintptr(child), 0, 0x10|0x8, 0, uintptr(unsafe.Pointer(&si[0]))) // P_PID, WEXITED|WNOWAIT
	}
	reap := func(r1, r2 uintptr, e syscall.Errno) {
		var ws syscall.WaitStatus
		syscall.Wait4(child, &ws, 0, nil)
	}
	A := func(a arg) arg { a.align = true; return a }

	// Files and paths.
	check("read", rewind, nil, V(uintptr(fd)), A(O(scratch)), V(64))
	check("write", rewind, nil, V(uintptr(fd)), A(T(scratch)), V(64))
	check("open", nil, closeR1, T(path), V(0), V(0))
	check("openat", nil, closeR1, V(atfd), T(path), V(0), V(0))
	check("link", nil, nil, T(path), T(np))
	check("linkat", nil, nil, V(atfd), T(path), V(atfd), T(np), V(0))
	check("unlink", nil, nil, T(np))
	check("unlinkat", nil, nil, V(atfd), T(np), V(0))
	check("chdir", nil, nil, T(dpath))
	check("chroot", nil, nil, T(dpath))
	check("mknod", nil, nil, T(np), V(0o10644), V(0))
	check("mknodat", nil, nil, V(atfd), T(np), V(0o10644), V(0))
	check("mkfifo", nil, nil, T(np), V(0o644))
	check("mkfifoat", nil, nil, V(atfd), T(np), V(0o644))
	check("chmod", nil, nil, T(path), V(0o644))
	check("fchmodat", nil, nil, V(atfd), T(path), V(0o644), V(0))
	check("lchmod", nil, nil, T(path), V(0o644))
	check("chown", nil, nil, T(path), V(^uintptr(0)), V(^uintptr(0)))
	check("lchown", nil, nil, T(path), V(^uintptr(0)), V(^uintptr(0)))
	check("netbsd_lchown", nil, nil, T(path), V(^uintptr(0)), V(^uintptr(0)))
	check("fchownat", nil, nil, V(atfd), T(path), V(^uintptr(0)), V(^uintptr(0)), V(0))
	check("access", nil, nil, T(path), V(0))
	check("eaccess", nil, nil, T(path), V(0))
	check("faccessat", nil, nil, V(atfd), T(path), V(0), V(0))
	check("symlink", nil, nil, T(path), T(np))
	check("symlinkat", nil, nil, T(path), V(atfd), T(np))
	check("readlink", nil, nil, T(lpath), A(O(scratch)), V(64))
	check("readlinkat", nil, nil, V(atfd), T(lpath), A(O(scratch)), V(64))
	check("rename", nil, nil, T(np), T(np))
	check("renameat", nil, nil, V(atfd), T(np), V(atfd), T(np))
	check("mkdir", nil, nil, T(np), V(0o755))
	check("mkdirat", nil, nil, V(atfd), T(np), V(0o755))
	check("rmdir", nil, nil, T(np))
	check("truncate", nil, nil, T(path), V(8192))
	check("utimes", nil, nil, T(path), N(zero))
	check("lutimes", nil, nil, T(path), N(zero))
	check("futimes", nil, nil, V(uintptr(fd)), N(zero))
	check("utimensat", nil, nil, V(atfd), T(path), N(zero), V(0))
	check("futimens", nil, nil, V(uintptr(fd)), N(zero))
	check("stat", nil, nil, T(path), A(O(scratch)))
	check("lstat", nil, nil, T(path), A(O(scratch)))
	check("fstat", nil, nil, V(uintptr(fd)), A(O(scratch)))
	check("fstatat", nil, nil, V(atfd), T(path), A(O(scratch)), V(0))
	check("statfs", nil, nil, T(path), A(O(scratch)))
	check("fstatfs", nil, nil, V(uintptr(fd)), A(O(scratch)))
	check("getfsstat", nil, nil, N(scratch), V(65536), V(2))
	check("__getcwd", nil, nil, A(O(scratch)), V(1024))
	check("readv", rewind, nil, V(uintptr(fd)), T(iov(scratch, 64)), V(1))
	check("writev", rewind, nil, V(uintptr(fd)), T(iov(scratch, 64)), V(1))
	check("extpread", nil, nil, V(uintptr(fd)), A(O(scratch)), V(64), V(0), V(0))
	check("extpwrite", nil, nil, V(uintptr(fd)), A(T(scratch)), V(64), V(0), V(0))
	check("extpreadv", nil, nil, V(uintptr(fd)), T(iov(scratch, 64)), V(1), V(0), V(0))
	check("extpwritev", nil, nil, V(uintptr(fd)), T(iov(scratch, 64)), V(1), V(0), V(0))
	check("getdirentries", rewind, nil, V(uintptr(dfd)), O(scratch), V(4096), N(lenp64(0)))
	check("getdents", rewind, nil, V(uintptr(dfd)), O(scratch), V(4096))
	check("sendfile", rewind, drain, V(uintptr(fd)), V(uintptr(sp[1])), V(0), V(64), N(zero), N(lenp64(0)), V(0))
	check("execve", nil, nil, T(path), T(lenp64(0)), N(lenp64(0)))

	// Processes, identity, limits, time.
	check("wait4", fork, reap, V(uintptr(^uint(0))), N(lenp(0)), V(0), N(scratch))
	check("wait6", fork, reap, V(7), V(0), N(lenp(0)), V(0x10), N(scratch), N(scratch+1024)) // P_ALL, WEXITED
	// Linux lists only supplementary groups (DragonFly also the effective
	// one): give the process one so that there is something to copy.
	if n, _, _ := syscall.RawSyscall(nums["getgroups"], 0, 0, 0); n > 0 || syscall.Setgroups([]int{os.Getegid()}) == nil {
		check("getgroups", nil, nil, V(64), A(O(scratch)))
	} else {
		skip("getgroups", "no supplementary group to copy, and setgroups needs root")
	}
	check("setgroups", nil, nil, V(1), T(scratch, syscall.EPERM))
	check("getresuid", nil, nil, N(scratch), N(scratch+8), N(scratch+16))
	check("getresgid", nil, nil, N(scratch), N(scratch+8), N(scratch+16))
	check("getrlimit", nil, nil, V(8), A(O(scratch)))
	check("setrlimit", nil, nil, V(8), T(scratch))
	check("getrusage", nil, nil, V(0), A(O(scratch)))
	check("gettimeofday", nil, nil, N(scratch), N(scratch+64))
	check("clock_gettime", nil, nil, V(0), A(O(scratch)))
	check("clock_gettime", nil, nil, V(4), A(O(scratch)))
	check("clock_getres", nil, nil, V(0), A(O(scratch)))
	check("nanosleep", nil, nil, T(zero), W(scratch))
	check("setitimer", nil, nil, V(0), N(zero), N(scratch+64))
	check("getitimer", nil, nil, V(0), A(O(scratch)))
	check("__sysctl", nil, nil, T(mib(6, 3)), V(2), N(scratch), N(lenp64(64), syscall.ENOMEM), V(0), V(0))
	check("__sysctl", nil, nil, T(mib(0, 3)), V(2), N(scratch), N(lenp64(64), syscall.ENOMEM), N(cstr("hw.ncpu"), syscall.ENOENT), V(7))
	check("getrandom", nil, nil, A(O(scratch)), V(16), V(0))
	check("lwp_create", nil, nil, T(0))
	check("lwp_create2", nil, nil, T(0), V(0))
	check("set_tls_area", nil, nil, V(0), T(0), V(16))
	check("get_tls_area", nil, nil, V(0), O(0), V(16))
	check("umtx_sleep", nil, nil, T(scratch, syscall.EINVAL, syscall.EAGAIN), V(1), V(1))
	check("umtx_wakeup", nil, nil, T(scratch, syscall.EINVAL), V(0))
	check("extexit", nil, nil, V(1), V(0), O(0))

	// Signals.
	check("sigaction", nil, nil, V(uintptr(syscall.SIGUSR2)), N(0), N(0))
	check("sigprocmask", nil, nil, V(1), N(0), N(0))
	check("sigpending", nil, nil, A(O(scratch)))
	check("sigsuspend", nil, nil, T(0))
	check("sigaltstack", nil, nil, N(0), N(0))
	check("sigreturn", nil, nil, T(0))
	check("sigtimedwait", nil, nil, T(zero), N(scratch, syscall.EAGAIN), arg{v: zero, tested: true, noNull: true})
	check("sigwaitinfo", nil, nil, T(0), V(0))

	// Descriptors, polling, events.
	check("ioctl", nil, nil, V(uintptr(fd)), V(0x4004667f), A(O(scratch))) // FIONREAD
	check("poll", nil, nil, T(pollfd(pfd[0])), V(1), V(0))
	check("ppoll", nil, nil, T(pollfd(pfd[0])), V(1), N(zero), N(0))
	// The read end has data: a NULL timeout ("wait forever") returns at once.
	check("select", nil, nil, V(uintptr(pfd[0]+1)), N(fdset(pfd[0])), N(fdset(pfd[0])), N(fdset(pfd[0])), N(zero))
	check("pselect", nil, nil, V(uintptr(pfd[0]+1)), N(fdset(pfd[0])), N(fdset(pfd[0])), N(fdset(pfd[0])), N(zero), N(zero))
	check("kevent", nil, nil, V(uintptr(kq)), T(kevents(pfd[0])), V(1), O(scratch), V(1), N(zero))
	check("pipe2", nil, closeFds, U(0))
	check("mincore", nil, nil, V(scratch), V(16*4096), A(O(buf(16))))

	// Sockets.
	check("socketpair", nil, closeFds, V(1), V(1), V(0), O(buf(8)))
	check("bind", nil, nil, V(uintptr(udp)), T(sin), V(16))
	check("connect", nil, nil, V(uintptr(udp)), T(sin), V(16))
	check("sendto", nil, nil, V(uintptr(udp)), A(T(scratch)), V(8), V(0), N(sin, syscall.EDESTADDRREQ, syscall.ENOTCONN), V(16))
	check("recvfrom", feed, drain, V(uintptr(sp[0])), O(scratch), V(64), V(0), V(0), V(0))
	check("recvfrom", feedUDP, nil, V(uintptr(udp2)), V(scratch), V(64), V(0), N(scratch+128), T(lenp(16)))
	check("sendmsg", nil, nil, V(uintptr(sp[1])), T(msghdr(iov(scratch, 8))), V(0))
	check("recvmsg", feed, drain, V(uintptr(sp[0])), T(msghdr(iov(scratch, 64))), V(0))
	check("getsockname", nil, nil, V(uintptr(udp)), O(scratch), T(lenp(16)))
	check("getpeername", nil, nil, V(uintptr(sp[0])), O(scratch), T(lenp(16)))
	check("setsockopt", nil, nil, V(uintptr(udp)), V(0xffff), V(0x1002), T(lenp(65536)), V(4))
	// A NULL value buffer is allowed: DragonFly then copies nothing and
	// reports length 0 (so the length is reset before each call).
	gsl := lenp(4)
	resetGsl := func() { *(*uint32)(unsafe.Pointer(gsl)) = 4 }
	check("getsockopt", resetGsl, nil, V(uintptr(udp)), V(0xffff), V(0x1002), ON(scratch), T(gsl))
	check("accept", dial, closeR1, V(uintptr(lfd)), N(scratch), T(lenp(16), syscall.EAGAIN))
	check("accept4", dial, closeR1, V(uintptr(lfd)), N(scratch), T(lenp(16), syscall.EAGAIN), V(0))

	// The smaller calls x/sys wraps.
	check("pathconf", nil, nil, T(path), V(4))
	check("lpathconf", nil, nil, T(lpath), V(4))
	check("statvfs", nil, nil, T(path), A(O(scratch)))
	check("fstatvfs", nil, nil, V(uintptr(fd)), A(O(scratch)))
	check("getvfsstat", nil, nil, O(scratch), ON(scratch+32768), V(640), V(1))
	check("chflags", nil, nil, T(path), V(0))
	check("lchflags", nil, nil, T(lpath), V(0))
	check("chflagsat", nil, nil, V(atfd), T(path), V(0), V(0))
	attr := buf(256)
	copy(unsafe.Slice((*byte)(unsafe.Pointer(attr)), 256), "test")
	// The data buffer is the filesystem's to read, and none has
	// extended attributes: EOPNOTSUPP whatever it is.
	data := arg{v: scratch, tested: true, nullOK: true, also: []syscall.Errno{syscall.EOPNOTSUPP}}
	check("extattr_set_file", nil, nil, T(path), V(1), T(attr), data, V(4))
	check("extattr_get_file", nil, nil, T(path), V(1), T(attr), data, V(4))
	check("extattr_delete_file", nil, nil, T(path), V(1), T(attr))
	check("extattrctl", nil, nil, T(path), V(0), N(path, syscall.EOPNOTSUPP), V(1), N(attr, syscall.EOPNOTSUPP))
	check("getlogin", nil, nil, A(O(buf(64))), V(33))
	if os.Geteuid() == 0 {
		check("setlogin", nil, nil, T(cstr("root")))
	} else {
		check("setlogin", nil, nil, T(cstr("x"), syscall.EPERM))
	}
	tid, _, _ := syscall.RawSyscall(nums["lwp_gettid"], 0, 0, 0)
	// A title longer than the room before the guard page.
	syscall.RawSyscall(nums["lwp_setname"], tid, cstr("badptr"), 0)
	check("lwp_getname", nil, nil, V(tid), O(scratch), V(64))
	check("lwp_setname", nil, nil, V(tid), N(cstr("badptr")))
	param := buf(8)
	check("sched_getparam", nil, nil, V(0), O(param, syscall.EPERM))
	check("sched_setparam", nil, nil, V(0), T(param, syscall.EPERM))
	check("sched_setscheduler", nil, nil, V(0), V(2), T(param, syscall.EPERM))
	check("sched_rr_get_interval", nil, nil, V(0), O(scratch, syscall.EPERM))
	check("utrace", nil, nil, U(scratch), V(16))
	// DragonFly's AIO calls are stubs: nothing is read, ENOSYS always.
	enosys := arg{v: scratch, tested: true, nullOK: true, also: []syscall.Errno{syscall.ENOSYS}}
	check("aio_read", nil, nil, enosys)
	check("aio_write", nil, nil, enosys)
	check("aio_return", nil, nil, enosys)
	check("aio_error", nil, nil, enosys)
	check("aio_cancel", nil, nil, V(0), enosys)
	check("aio_suspend", nil, nil, enosys, V(1), enosys)
	check("aio_waitcomplete", nil, nil, enosys, enosys)
	check("lio_listio", nil, nil, V(0), enosys, V(1), enosys)
	aclBuf := buf(388)
	// A get's buffer is the filesystem's to fill, and none keeps ACLs.
	aclOut := arg{v: aclBuf, tested: true, nullOK: true, also: []syscall.Errno{syscall.EOPNOTSUPP}}
	check("__acl_get_file", nil, nil, T(path), V(1), aclOut)
	check("__acl_set_file", nil, nil, T(path), V(1), T(aclBuf))
	check("__acl_get_fd", nil, nil, V(uintptr(fd)), V(1), aclOut)
	check("__acl_set_fd", nil, nil, V(uintptr(fd)), V(1), T(aclBuf))
	check("__acl_delete_file", nil, nil, T(path))
	check("__acl_aclcheck_file", nil, nil, T(path), V(1), T(aclBuf))
	check("__acl_aclcheck_fd", nil, nil, V(uintptr(fd)), V(1), T(aclBuf))
	check("procctl", nil, nil, V(0), V(uintptr(os.Getpid())), V(3), ON(buf(192)))
	check("uuidgen", nil, nil, O(buf(32)), V(2))
	check("__realpath", nil, nil, T(path), O(buf(1024)), V(1024))
	mask := buf(32)
	syscall.RawSyscall(nums["lwp_getaffinity"], 0, ^uintptr(0), mask)
	check("lwp_getaffinity", nil, nil, V(0), V(^uintptr(0)), O(buf(32)))
	check("lwp_setaffinity", nil, nil, V(0), V(^uintptr(0)), T(mask))

	// System V IPC, on objects of its own.
	semid, _, e := syscall.RawSyscall(nums["semget"], 0, 1, 01000|0600)
	must(errOrNil(e), "semget")
	sop := buf(6)
	*(*[3]int16)(unsafe.Pointer(sop)) = [3]int16{0, 1, 0}
	check("semop", nil, nil, V(semid), T(sop), V(1))
	semun := buf(8)
	check("__semctl", nil, nil, V(semid), V(0), V(8), T(semun)) // SETVAL
	qid, _, e := syscall.RawSyscall(nums["msgget"], 0, 01000|0600, 0)
	must(errOrNil(e), "msgget")
	msg := buf(16)
	*(*int64)(unsafe.Pointer(msg)) = 1
	check("msgsnd", nil, nil, V(qid), T(msg), V(4), V(04000))
	send := func() { syscall.RawSyscall6(nums["msgsnd"], qid, msg, 4, 04000, 0, 0) }
	drainQ := func(r1, r2 uintptr, e syscall.Errno) {
		for {
			if _, _, e := syscall.RawSyscall6(nums["msgrcv"], qid, scratch, 16, 0, 04000, 0); e != 0 {
				return
			}
		}
	}
	drainQ(0, 0, 0)
	check("msgrcv", send, drainQ, V(qid), O(buf(16)), V(16), V(0), V(04000))
	check("msgctl", nil, nil, V(qid), V(2), O(scratch))
	shmid, _, e := syscall.RawSyscall(nums["shmget"], 0, 4096, 01000|0600)
	must(errOrNil(e), "shmget")
	check("shmctl", nil, nil, V(shmid), V(2), O(scratch))
	skip("shmat", "its address argument is a value (where to attach): see the memCheck cases")
	skip("shmdt", "its address argument is a value: see the memCheck cases")
	defer func() {
		syscall.RawSyscall(nums["shmctl"], shmid, 0, 0)
		syscall.RawSyscall(nums["msgctl"], qid, 0, 0)
		syscall.RawSyscall6(nums["__semctl"], semid, 0, 0, 0, 0, 0)
	}()

	skip("ptrace", "its address argument is a value for the supported requests (PT_TRACE_ME, PT_CONTINUE, PT_KILL, PT_ATTACH, PT_DETACH)")
	skip("sysarch", "always EOPNOTSUPP, as on DragonFly; the argument is never read")
	// Address arguments are values, not pointers: what DragonFly answers
	// for memory that is not mapped (godfly's own memory counts as that).
	const kernel = 0xffff800000000000
	memCheck := func(what, name string, want syscall.Errno, a ...uintptr) {
		covered[name] = true
		checks++
		_, _, e := raw(nums[name], a)
		if e != want {
			fail("%s: %s, want %s", what, errName(e), errName(want))
		}
	}
	vec := buf(16)
	*(*byte)(unsafe.Pointer(vec)) = 0xff
	memCheck("munmap unmapped", "munmap", syscall.EINVAL, hole, 4096)
	memCheck("munmap kernel", "munmap", syscall.EINVAL, kernel, 4096)
	memCheck("mprotect unmapped", "mprotect", 0, hole, 4096, syscall.PROT_READ)
	memCheck("mprotect kernel", "mprotect", 0, kernel, 4096, syscall.PROT_READ)
	memCheck("madvise unmapped", "madvise", 0, hole, 4096, 4)
	memCheck("madvise kernel", "madvise", syscall.EINVAL, kernel, 4096, 4)
	memCheck("msync unmapped", "msync", syscall.EINVAL, hole, 4096, 0)
	memCheck("netbsd_msync unmapped", "netbsd_msync", syscall.EINVAL, hole, 4096, 0)
	memCheck("mlock unmapped", "mlock", syscall.ENOMEM, hole, 4096)
	memCheck("munlock unmapped", "munlock", syscall.ENOMEM, hole, 4096)
	memCheck("mincore unmapped", "mincore", 0, hole, 4096, vec)
	if *(*byte)(unsafe.Pointer(vec)) != 0 {
		fail("mincore unmapped: page reported resident")
	}
	memCheck("mincore kernel", "mincore", syscall.EINVAL, kernel, 4096, vec)
	memCheck("mmap fixed kernel", "mmap", syscall.EINVAL, kernel, 4096, 3, 0x1010, ^uintptr(0), 0, 0)
	// A fixed mapping on free memory works, and can be unmapped twice only once.
	memCheck("mmap fixed free", "mmap", 0, hole, 4096, 3, 0x1010, ^uintptr(0), 0, 0)
	memCheck("munmap mapped", "munmap", 0, hole, 4096)
	memCheck("munmap twice", "munmap", syscall.EINVAL, hole, 4096)
	// The whole user address space holds godfly too: neither may touch it.
	const top = 0x7fffffe00000
	memCheck("munmap everything", "munmap", syscall.EINVAL, 0x10000, top-0x10000)
	memCheck("mmap fixed over everything", "mmap", syscall.ENOMEM, 0x10000, top-0x10000, 0, 0x1010, ^uintptr(0), 0, 0)

	// shmat and shmdt take addresses as values too.
	memCheck("shmat kernel", "shmat", syscall.ENOMEM, shmid, kernel, 0)
	memCheck("shmat over mapped memory", "shmat", syscall.ENOMEM, shmid, scratch, 0)
	memCheck("shmat misaligned", "shmat", syscall.EINVAL, shmid, scratch+8, 0)
	memCheck("shmdt unmapped", "shmdt", syscall.EINVAL, hole)
	memCheck("shmdt kernel", "shmdt", syscall.EINVAL, kernel)
	memCheck("shmdt not a segment", "shmdt", syscall.EINVAL, scratch)

	// Nested pointers: an iovec or msghdr that points at bad memory.
	for _, b := range bads() {
		v, applies := b.p(arg{})
		if !applies || v == 0 {
			continue
		}
		rewind()
		_, _, e := syscall.Syscall(nums["readv"], uintptr(fd), iov(v, 64), 1)
		nested("readv iov_base", b.name, e)
		_, _, e = syscall.Syscall(nums["writev"], uintptr(fd), iov(v, 64), 1)
		nested("writev iov_base", b.name, e)
		_, _, e = syscall.Syscall(nums["sendmsg"], uintptr(sp[1]), msghdr(v), 0)
		nested("sendmsg msg_iov", b.name, e)
		m := msghdr(iov(scratch, 8))
		(*[7]uintptr)(unsafe.Pointer(m))[4] = v // msg_control
		(*[7]uintptr)(unsafe.Pointer(m))[5] = 16
		_, _, e = syscall.Syscall(nums["sendmsg"], uintptr(sp[1]), m, 0)
		nested("sendmsg msg_control", b.name, e)
		drain(0, 0, 0)
	}

	// Coverage: every supported call with a pointer argument.
	var missing []string
	for _, n := range withPtr {
		if !covered[n] && skipped[n] == "" {
			missing = append(missing, n)
		}
	}
	sort.Strings(missing)
	for _, n := range missing {
		fail("%s: supported, takes a pointer, and is not covered", n)
	}
	for _, c := range keepConns {
		c.Close()
	}
	fmt.Printf("badptr: %d calls, %d checks, %d skipped with a reason\n", len(covered), checks, len(skipped))
	if len(failures) > 0 {
		for _, f := range failures {
			fmt.Println("FAIL:", f)
		}
		os.Exit(1)
	}
	fmt.Println("EXIT-SUCCESS")
}

var keepConns []net.Conn

func nested(what, bad string, e syscall.Errno) {
	checks++
	if e != syscall.EFAULT {
		fail("%s %s: %s, want EFAULT", what, bad, errName(e))
	}
}

func scratchByte() uintptr { return buf(8) }

func mib(a, b int32) uintptr {
	p := buf(8)
	*(*[2]int32)(unsafe.Pointer(p)) = [2]int32{a, b}
	return p
}

func pollfd(fd int) uintptr {
	p := buf(8)
	*(*int32)(unsafe.Pointer(p)) = int32(fd)
	*(*int16)(unsafe.Pointer(p + 4)) = 1 // POLLIN
	return p
}

func fdset(fd int) uintptr {
	p := buf(128)
	(*[16]uint64)(unsafe.Pointer(p))[fd/64] |= 1 << (uint(fd) % 64)
	return p
}

func kevents(fd int) uintptr {
	p := buf(32)
	k := (*syscall.Kevent_t)(unsafe.Pointer(p))
	k.Ident = uint64(fd)
	k.Filter = syscall.EVFILT_READ
	k.Flags = syscall.EV_ADD
	return p
}

func msghdr(iovp uintptr) uintptr {
	p := buf(56)
	m := (*[7]uintptr)(unsafe.Pointer(p))
	m[2] = iovp // msg_iov
	m[3] = 1    // msg_iovlen
	return p
}

func errOrNil(e syscall.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}
