// sysmisc: the smaller calls golang.org/x/sys/unix wraps for DragonFly
// (and a few it does not), each against what DragonFly's kernel source
// says: sync, get/setpriority, the pathconf family, mlockall, statvfs,
// lwp_setname/getname, sched_*, getlogin/setlogin, utrace, extattr_*,
// the chflags family. Lines print facts as true/false so that the output
// is the same as root or not. Built for DragonFly only.
package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"unsafe"
)

const (
	sysChflags       = 34
	sysFchflags      = 35
	sysSync          = 36
	sysGetlogin      = 49
	sysSetlogin      = 50
	sysSetpriority   = 96
	sysGetpriority   = 100
	sysPathconf      = 191
	sysFpathconf     = 192
	sysYield         = 321
	sysMlockall      = 324
	sysMunlockall    = 325
	sysSchedSetparam = 327
	sysSchedGetparam = 328
	sysSchedSetsched = 329
	sysSchedGetsched = 330
	sysSchedPrioMax  = 332
	sysSchedPrioMin  = 333
	sysSchedRR       = 334
	sysUtrace        = 335
	sysExtattrSet    = 356
	sysExtattrGet    = 357
	sysLchflags      = 391
	sysLwpGettid     = 496
	sysStatvfs       = 500
	sysFstatvfs      = 501
	sysGetvfsstat    = 503
	sysLpathconf     = 533
	sysLwpSetname    = 542
	sysLwpGetname    = 549

	pcLinkMax   = 1
	pcNameMax   = 4
	pcPathMax   = 5
	pcPipeBuf   = 6
	pcVdisable  = 9
	pcFilesize  = 12
	pc2Symlinks = 22

	ufNodump   = 0x1
	ufNounlink = 0x10

	schedFIFO  = 1
	schedOTHER = 2
	schedRR    = 3
)

func ptr(s string) uintptr {
	b := append([]byte(s), 0)
	return uintptr(unsafe.Pointer(&b[0]))
}

func errs(e syscall.Errno) string {
	if e == 0 {
		return "ok"
	}
	return e.Error()
}

func main() {
	root := os.Geteuid() == 0
	dir, err := os.MkdirTemp("", "sysmisc")
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "f")
	os.WriteFile(file, []byte("x"), 0o644)
	link := filepath.Join(dir, "l")
	os.Symlink("f", link)

	// sync: always 0.
	r, _, e := syscall.Syscall(sysSync, 0, 0, 0)
	fmt.Println("sync:", r, errs(e))

	// Nice values: per process, in rax. The test may itself run niced,
	// so the value set is one above the one found.
	r, _, e = syscall.Syscall(sysGetpriority, 0, 0, 0)
	p0 := int(r)
	fmt.Println("getpriority self:", errs(e), "in the nice range:", p0 >= -20 && p0 <= 20)
	t := p0 + 1
	if t > 19 {
		t = 19
	}
	_, _, e = syscall.Syscall(sysSetpriority, 0, 0, uintptr(t))
	fmt.Println("setpriority one up:", errs(e))
	r, _, _ = syscall.Syscall(sysGetpriority, 0, 0, 0)
	fmt.Println("  reads back:", int(r) == t)
	done := make(chan int)
	go func() {
		runtime.LockOSThread()
		r, _, _ := syscall.Syscall(sysGetpriority, 0, 0, 0)
		done <- int(r)
	}()
	fmt.Println("  another thread of the process has it:", <-done == t)
	_, _, e = syscall.Syscall(sysSetpriority, 0, 0, uintptr(t-1))
	fmt.Println("lower it again: EACCES unless root:", (e == syscall.EACCES) == !root)
	_, _, e = syscall.Syscall(sysGetpriority, 9, 0, 0)
	fmt.Println("getpriority bad which:", errs(e))
	_, _, e = syscall.Syscall(sysGetpriority, 0, 0x7ffffff0, 0)
	fmt.Println("getpriority no such process:", errs(e))

	// pathconf: vop_stdpathconf or tmpfs's; pipes know only PIPE_BUF.
	r, _, e = syscall.Syscall(sysPathconf, ptr(file), pcNameMax, 0)
	fmt.Println("pathconf NAME_MAX:", int(r), errs(e))
	r, _, _ = syscall.Syscall(sysPathconf, ptr(file), pcPathMax, 0)
	r2, _, _ := syscall.Syscall(sysPathconf, ptr(file), pcLinkMax, 0)
	fmt.Println("pathconf PATH_MAX, LINK_MAX:", int(r), int(r2))
	r, _, _ = syscall.Syscall(sysPathconf, ptr(file), pcPipeBuf, 0)
	fmt.Println("pathconf PIPE_BUF:", int(r))
	_, _, e = syscall.Syscall(sysPathconf, ptr(file), 999, 0)
	fmt.Println("pathconf unknown name:", errs(e))
	_, _, e = syscall.Syscall(sysPathconf, ptr(filepath.Join(dir, "none")), pcNameMax, 0)
	fmt.Println("pathconf missing file:", errs(e))
	r, _, e = syscall.Syscall(sysLpathconf, ptr(link), pcNameMax, 0)
	fmt.Println("lpathconf a symlink:", int(r), errs(e))
	var p [2]int
	syscall.Pipe(p[:])
	r, _, e = syscall.Syscall(sysFpathconf, uintptr(p[0]), pcPipeBuf, 0)
	fmt.Println("fpathconf pipe PIPE_BUF:", int(r), errs(e))
	_, _, e = syscall.Syscall(sysFpathconf, uintptr(p[0]), pcNameMax, 0)
	fmt.Println("fpathconf pipe NAME_MAX:", errs(e))
	_, _, e = syscall.Syscall(sysFpathconf, 999, pcNameMax, 0)
	fmt.Println("fpathconf bad fd:", errs(e))
	kq, _ := syscall.Kqueue()
	_, _, e = syscall.Syscall(sysFpathconf, uintptr(kq), pcNameMax, 0)
	fmt.Println("fpathconf kqueue:", errs(e))
	// Either answerer: tmpfs knows FILESIZEBITS and not VDISABLE, the
	// standard one the other way round.
	_, _, e1 := syscall.Syscall(sysPathconf, ptr(dir), pcFilesize, 0)
	_, _, e2 := syscall.Syscall(sysPathconf, ptr(dir), pcVdisable, 0)
	fmt.Println("FILESIZEBITS xor VDISABLE:", (e1 == 0) != (e2 == 0))
	_, _, e3 := syscall.Syscall(sysPathconf, ptr(dir), pc2Symlinks, 0)
	fmt.Println("2_SYMLINKS with FILESIZEBITS:", (e1 == 0) == (e3 == 0))

	// mlockall: EINVAL without a bit; root only; MCL_CURRENT is ENOSYS.
	_, _, e = syscall.Syscall(sysMlockall, 0, 0, 0)
	fmt.Println("mlockall(0):", errs(e))
	_, _, e = syscall.Syscall(sysMlockall, 1, 0, 0)
	fmt.Println("mlockall(MCL_CURRENT): ENOSYS as root, else EPERM:", (root && e == syscall.ENOSYS) || (!root && e == syscall.EPERM))
	_, _, e = syscall.Syscall(sysMunlockall, 0, 0, 0)
	fmt.Println("munlockall:", errs(e))

	// statvfs: 160 bytes; the same counts as statfs.
	var vfs [160]byte
	_, _, e = syscall.Syscall(sysStatvfs, ptr(dir), uintptr(unsafe.Pointer(&vfs[0])), 0)
	var sfs syscall.Statfs_t
	syscall.Statfs(dir, &sfs)
	blocks := binary.LittleEndian.Uint64(vfs[16:])
	namemax := binary.LittleEndian.Uint64(vfs[80:])
	fmt.Println("statvfs:", errs(e), "blocks as statfs:", blocks == uint64(sfs.Blocks), "namemax > 0:", namemax > 0)
	f, _ := os.Open(dir)
	var vfs2 [160]byte
	_, _, e = syscall.Syscall(sysFstatvfs, f.Fd(), uintptr(unsafe.Pointer(&vfs2[0])), 0)
	fmt.Println("fstatvfs:", errs(e), "same fsid:", bytes.Equal(vfs[64:72], vfs2[64:72]))
	_, _, e = syscall.Syscall(sysStatvfs, ptr(dir), 0x10, 0)
	fmt.Println("statvfs bad buffer:", errs(e))
	n, _, e := syscall.Syscall6(sysGetvfsstat, 0, 0, 0, 0, 0, 0)
	sbuf := make([]byte, 320*int(n))
	vbuf := make([]byte, 160*int(n))
	n2, _, e2 := syscall.Syscall6(sysGetvfsstat, uintptr(unsafe.Pointer(&sbuf[0])), uintptr(unsafe.Pointer(&vbuf[0])), uintptr(len(vbuf)), 1, 0, 0)
	fmt.Println("getvfsstat: count then fill:", errs(e), n > 0, errs(e2), n2 > 0 && n2 <= n)
	n3, _, _ := syscall.Syscall6(sysGetvfsstat, uintptr(unsafe.Pointer(&sbuf[0])), uintptr(unsafe.Pointer(&vbuf[0])), 160, 1, 0, 0)
	fmt.Println("getvfsstat room for one:", n3)

	// Thread titles.
	runtime.LockOSThread()
	tid, _, _ := syscall.Syscall(sysLwpGettid, 0, 0, 0)
	name := make([]byte, 64)
	_, _, e = syscall.Syscall(sysLwpGetname, tid, uintptr(unsafe.Pointer(&name[0])), 64)
	fmt.Printf("lwp_getname before: %q %s\n", string(bytes.TrimRight(name, "\x00")), errs(e))
	_, _, e = syscall.Syscall(sysLwpSetname, tid, ptr("a rather long thread title"), 0)
	fmt.Println("lwp_setname:", errs(e))
	name = make([]byte, 64)
	syscall.Syscall(sysLwpGetname, tid, uintptr(unsafe.Pointer(&name[0])), 64)
	fmt.Printf("  reads back: %q\n", string(bytes.TrimRight(name, "\x00")))
	name = make([]byte, 8)
	syscall.Syscall(sysLwpGetname, tid, uintptr(unsafe.Pointer(&name[0])), 8)
	fmt.Printf("  into 8 bytes: %q\n", string(bytes.TrimRight(name, "\x00")))
	_, _, e = syscall.Syscall(sysLwpSetname, 0x7ffff, ptr("x"), 0)
	fmt.Println("lwp_setname no such thread:", errs(e))
	name = []byte("zzzz")
	_, _, e = syscall.Syscall(sysLwpGetname, 0x7ffff, uintptr(unsafe.Pointer(&name[0])), 4)
	fmt.Printf("lwp_getname no such thread: %s %q\n", errs(e), string(name[:1]))
	_, _, e = syscall.Syscall(sysLwpGetname, 0x7ffff, 0, 0)
	fmt.Println("  with no room:", errs(e))
	_, _, e = syscall.Syscall(sysLwpSetname, tid, 0, 0)
	name = []byte("zzzz")
	syscall.Syscall(sysLwpGetname, tid, uintptr(unsafe.Pointer(&name[0])), 4)
	fmt.Printf("lwp_setname NULL: %s %q\n", errs(e), string(name[:1]))
	runtime.UnlockOSThread()

	// POSIX scheduling: the ranges for anyone, the rest root only.
	mx, _, _ := syscall.Syscall(sysSchedPrioMax, schedFIFO, 0, 0)
	mn, _, _ := syscall.Syscall(sysSchedPrioMin, schedRR, 0, 0)
	omx, _, _ := syscall.Syscall(sysSchedPrioMax, schedOTHER, 0, 0)
	omn, _, _ := syscall.Syscall(sysSchedPrioMin, schedOTHER, 0, 0)
	_, _, e = syscall.Syscall(sysSchedPrioMax, 0, 0, 0)
	fmt.Println("priority ranges FIFO max, RR min, OTHER:", int(mx), int(mn), int(omx), int(int32(omn)), "policy 0:", errs(e))
	pol, _, e := syscall.Syscall(sysSchedGetsched, 0, 0, 0)
	fmt.Println("getscheduler self: OTHER as root, EPERM else:", (root && e == 0 && pol == schedOTHER) || (!root && e == syscall.EPERM))
	var prm int32 = 7
	_, _, e = syscall.Syscall(sysSchedGetparam, 0, uintptr(unsafe.Pointer(&prm)), 0)
	fmt.Println("getparam under OTHER is 0:", (root && e == 0 && prm == 0) || (!root && e == syscall.EPERM))
	_, _, e = syscall.Syscall(sysSchedSetparam, 0, uintptr(unsafe.Pointer(&prm)), 0)
	fmt.Println("setparam under OTHER: EINVAL:", (root && e == syscall.EINVAL) || (!root && e == syscall.EPERM))
	prm = 40
	_, _, e = syscall.Syscall(sysSchedSetsched, 0, schedFIFO, uintptr(unsafe.Pointer(&prm)))
	fmt.Println("setscheduler FIFO 40: EINVAL:", (root && e == syscall.EINVAL) || (!root && e == syscall.EPERM))
	_, _, e = syscall.Syscall(sysSchedSetsched, 0, 77, uintptr(unsafe.Pointer(&prm)))
	fmt.Println("setscheduler unknown policy is a no-op:", (root && e == 0) || (!root && e == syscall.EPERM))
	_, _, e = syscall.Syscall(sysSchedGetsched, 0x7ffffff0, 0, 0)
	fmt.Println("getscheduler no such process: ESRCH, looked up before the gate:", e == syscall.ESRCH)
	var ts syscall.Timespec
	_, _, e = syscall.Syscall(sysSchedRR, 0, uintptr(unsafe.Pointer(&ts)), 0)
	fmt.Println("rr interval 100ms:", (root && e == 0 && ts.Nsec == 100000000) || (!root && e == syscall.EPERM))
	_, _, e = syscall.Syscall(sysYield, 0, 0, 0)
	fmt.Println("yield:", errs(e))

	// The login name.
	lb := make([]byte, 40)
	for i := range lb {
		lb[i] = 'z'
	}
	_, _, e = syscall.Syscall(sysGetlogin, uintptr(unsafe.Pointer(&lb[0])), 40, 0)
	fmt.Println("getlogin:", errs(e), "33 bytes written, NUL-ended:", lb[33] == 'z' && bytes.IndexByte(lb[:33], 0) >= 0)
	_, _, e = syscall.Syscall(sysSetlogin, ptr("operator"), 0, 0)
	fmt.Println("setlogin: root only:", (root && e == 0) || (!root && e == syscall.EPERM))
	if root {
		lb = make([]byte, 33)
		syscall.Syscall(sysGetlogin, uintptr(unsafe.Pointer(&lb[0])), 33, 0)
		fmt.Printf("  reads back: %q\n", string(bytes.TrimRight(lb, "\x00")))
	} else {
		fmt.Printf("  reads back: %q\n", "operator")
	}
	_, _, e = syscall.Syscall(sysSetlogin, ptr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"), 0, 0)
	fmt.Println("setlogin too long: EINVAL as root:", (root && e == syscall.EINVAL) || (!root && e == syscall.EPERM))

	// utrace: nobody is ktracing, so 0 without a look at the record.
	_, _, e = syscall.Syscall(sysUtrace, 0x10, 1<<20, 0)
	fmt.Println("utrace:", errs(e))

	// Extended attributes: no DragonFly local filesystem has them.
	attr := make([]byte, 256)
	copy(attr, "user.test")
	_, _, e = syscall.Syscall6(sysExtattrSet, ptr(file), 1, uintptr(unsafe.Pointer(&attr[0])), ptr("v"), 1, 0)
	fmt.Println("extattr_set_file:", errs(e))
	_, _, e = syscall.Syscall6(sysExtattrGet, ptr(filepath.Join(dir, "none")), 1, uintptr(unsafe.Pointer(&attr[0])), 0, 0, 0)
	fmt.Println("extattr_get_file missing file:", errs(e))
	_, _, e = syscall.Syscall6(sysExtattrGet, ptr(file), 1, 0x10, 0, 0, 0)
	fmt.Println("extattr_get_file bad name:", errs(e))

	// File flags: no-dump, where the filesystem keeps inode flags.
	_, _, e = syscall.Syscall(sysChflags, ptr(file), ufNodump, 0)
	var st syscall.Stat_t
	syscall.Stat(file, &st)
	fmt.Println("chflags UF_NODUMP shows in st_flags, or is EOPNOTSUPP:", (e == 0 && st.Flags&ufNodump != 0) || (e == syscall.EOPNOTSUPP && st.Flags == 0))
	_, _, e = syscall.Syscall(sysChflags, ptr(file), 0, 0)
	syscall.Stat(file, &st)
	fmt.Println("chflags 0:", errs(e), "st_flags", st.Flags)
	_, _, e = syscall.Syscall(sysChflags, ptr(file), ufNounlink, 0)
	fmt.Println("chflags UF_NOUNLINK:", errs(e))
	_, _, e = syscall.Syscall(sysChflags, ptr(filepath.Join(dir, "none")), ufNounlink, 0)
	fmt.Println("chflags missing file:", errs(e))
	_, _, e = syscall.Syscall(sysLchflags, ptr(link), ufNodump, 0)
	fmt.Println("lchflags UF_NODUMP on a symlink:", errs(e))
	_, _, e = syscall.Syscall(sysLchflags, ptr(link), 0, 0)
	fmt.Println("lchflags 0 on a symlink:", errs(e))
	wf, _ := os.Open(file)
	_, _, e = syscall.Syscall(sysFchflags, wf.Fd(), 0, 0)
	fmt.Println("fchflags 0:", errs(e))
	_, _, e = syscall.Syscall(sysFchflags, 999, 0, 0)
	fmt.Println("fchflags bad fd:", errs(e))

	// Calls DragonFly only stubs, and the rest of its own.
	_, _, e = syscall.Syscall(318, 0, 0, 0) // aio_read
	fmt.Println("aio_read:", errs(e))
	_, _, e = syscall.Syscall(70, 0, 0, 0) // sstk
	fmt.Println("sstk:", errs(e))
	acl := make([]byte, 388)
	_, _, e = syscall.Syscall(347, ptr(file), 1, uintptr(unsafe.Pointer(&acl[0]))) // __acl_get_file
	fmt.Println("__acl_get_file:", errs(e))
	_, _, e = syscall.Syscall(347, ptr(filepath.Join(dir, "none")), 1, uintptr(unsafe.Pointer(&acl[0])))
	fmt.Println("__acl_get_file missing file:", errs(e))
	_, _, e = syscall.Syscall(350, 999, 1, uintptr(unsafe.Pointer(&acl[0]))) // __acl_set_fd
	fmt.Println("__acl_set_fd bad fd:", errs(e))
	pid := uintptr(os.Getpid())
	_, _, e = syscall.Syscall6(536, 0, pid, 1, 0, 0, 0) // procctl PROC_REAP_ACQUIRE
	fmt.Println("PROC_REAP_ACQUIRE:", errs(e))
	_, _, e = syscall.Syscall6(536, 0, pid, 1, 0, 0, 0)
	fmt.Println("  again:", errs(e))
	rs := make([]byte, 192)
	_, _, e = syscall.Syscall6(536, 0, pid, 3, uintptr(unsafe.Pointer(&rs[0])), 0, 0)
	fmt.Println("PROC_REAP_STATUS:", errs(e), "owned", binary.LittleEndian.Uint32(rs) == 1, "no child:", int32(binary.LittleEndian.Uint32(rs[128:])) == -1)
	_, _, e = syscall.Syscall6(536, 0, pid, 2, 0, 0, 0)
	fmt.Println("PROC_REAP_RELEASE:", errs(e))
	_, _, e = syscall.Syscall6(536, 0, pid, 2, 0, 0, 0)
	fmt.Println("  again:", errs(e))
	_, _, e = syscall.Syscall6(536, 0, 1, 3, 0, 0, 0)
	fmt.Println("procctl another pid:", errs(e))
	u := make([]byte, 48)
	_, _, e = syscall.Syscall(392, uintptr(unsafe.Pointer(&u[0])), 3, 0) // uuidgen
	fmt.Println("uuidgen 3:", errs(e), "version 1:", u[7]>>4 == 1 && u[23]>>4 == 1 && u[39]>>4 == 1,
		"variant:", u[8]&0xc0 == 0x80, "one node:", bytes.Equal(u[10:16], u[26:32]), "multicast bit:", u[10]&1 == 1,
		"consecutive:", binary.LittleEndian.Uint32(u[16:]) == binary.LittleEndian.Uint32(u[0:])+1)
	_, _, e = syscall.Syscall(392, uintptr(unsafe.Pointer(&u[0])), 0, 0)
	fmt.Println("uuidgen 0:", errs(e))
	_, _, e = syscall.Syscall(392, uintptr(unsafe.Pointer(&u[0])), 2049, 0)
	fmt.Println("uuidgen 2049:", errs(e))
	rp := make([]byte, 1024)
	n, _, e = syscall.Syscall(551, ptr(link), uintptr(unsafe.Pointer(&rp[0])), 1024) // __realpath
	real, _ := filepath.EvalSymlinks(file)
	fmt.Println("__realpath of a symlink:", errs(e), string(rp[:n]) == real, rp[n] == 0)
	_, _, e = syscall.Syscall(551, ptr(link), uintptr(unsafe.Pointer(&rp[0])), 4)
	fmt.Println("__realpath too small:", errs(e))
	_, _, e = syscall.Syscall(551, ptr(filepath.Join(dir, "none")), uintptr(unsafe.Pointer(&rp[0])), 1024)
	fmt.Println("__realpath missing:", errs(e))
	var mask [4]uint64
	_, _, e = syscall.Syscall(545, 0, ^uintptr(0), uintptr(unsafe.Pointer(&mask))) // lwp_getaffinity
	fmt.Println("lwp_getaffinity:", errs(e), "some CPU:", mask != [4]uint64{})
	_, _, e = syscall.Syscall(544, 0, ^uintptr(0), uintptr(unsafe.Pointer(&mask))) // lwp_setaffinity
	fmt.Println("lwp_setaffinity the same:", errs(e))
	zero := [4]uint64{}
	_, _, e = syscall.Syscall(544, 0, ^uintptr(0), uintptr(unsafe.Pointer(&zero)))
	fmt.Println("lwp_setaffinity no CPU:", errs(e))
	_, _, e = syscall.Syscall(545, 0, 0x7ffff, uintptr(unsafe.Pointer(&mask)))
	fmt.Println("lwp_getaffinity no such thread:", errs(e))
	fmt.Println("EXIT-SUCCESS")
}
