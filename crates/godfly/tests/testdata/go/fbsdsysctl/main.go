// fbsdsysctl: FreeBSD's process table and system counters by sysctl, as
// process listers (gopsutil, go-ps) and CPU and memory reporters read
// them: kern.proc.pid/proc/pgrp/session/uid/ruid/gid/rgid with struct
// kinfo_proc (1088 bytes, ki_structsize first), kern.proc.all and
// pid_td with a record per thread (ki_tid as thr_self gives it),
// kern.proc.args for this
// process and a child, ESRCH for no process, kern.cp_time(s) and the
// 32-bit vm.stats.vm counters. Built for FreeBSD only.
package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"unsafe"
)

const kinfoLen = 1088

func raw(mib []int32, old []byte) ([]byte, error) {
	n := uintptr(len(old))
	var p unsafe.Pointer
	if len(old) > 0 {
		p = unsafe.Pointer(&old[0])
	}
	_, _, e := syscall.Syscall6(syscall.SYS___SYSCTL, uintptr(unsafe.Pointer(&mib[0])), uintptr(len(mib)),
		uintptr(p), uintptr(unsafe.Pointer(&n)), 0, 0)
	if e != 0 {
		return old[:min(int(n), len(old))], e
	}
	if old == nil {
		return make([]byte, n), nil
	}
	return old[:n], nil
}

// get reads a value whole: a size query, then the read, again if the
// value grew in between (ENOMEM), as libutil's readers do.
func get(mib []int32) ([]byte, error) {
	for try := 0; ; try++ {
		b, err := raw(mib, nil)
		if err != nil {
			return nil, err
		}
		v, err := raw(mib, make([]byte, len(b)))
		if err != syscall.ENOMEM || try == 20 {
			return v, err
		}
	}
}

func mibOf(name string) []int32 {
	q := []int32{0, 3}
	out := make([]byte, 64)
	n := uintptr(len(out))
	nb := []byte(name)
	_, _, e := syscall.Syscall6(syscall.SYS___SYSCTL, uintptr(unsafe.Pointer(&q[0])), 2, uintptr(unsafe.Pointer(&out[0])),
		uintptr(unsafe.Pointer(&n)), uintptr(unsafe.Pointer(&nb[0])), uintptr(len(nb)))
	if e != 0 {
		fmt.Printf("FAIL name2oid %s: %v\n", name, e)
		os.Exit(1)
	}
	m := make([]int32, n/4)
	for i := range m {
		m[i] = int32(binary.LittleEndian.Uint32(out[4*i:]))
	}
	return m
}

func u32(b []byte, o int) uint32 { return binary.LittleEndian.Uint32(b[o:]) }

func comm(b []byte) string { return string(bytes.TrimRight(b[447:467], "\x00")) }

// progName is what ki_comm holds: the base name, cut at COMMLEN (19).
func progName() string {
	n := filepath.Base(os.Args[0])
	if len(n) > 19 {
		n = n[:19]
	}
	return n
}

// has reports whether a table lists pid, and whether every record in it
// says it is a kinfo_proc.
func has(table []byte, pid int) (bool, bool) {
	found, sized := false, len(table)%kinfoLen == 0
	for i := 0; i+kinfoLen <= len(table); i += kinfoLen {
		found = found || u32(table[i:], 72) == uint32(pid)
		sized = sized && u32(table[i:], 0) == kinfoLen
	}
	return found, sized
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "child" {
		os.Stdin.Read(make([]byte, 1)) // wait for the parent to look
		return
	}
	me := os.Getpid()
	proc := func(what string, arg ...int32) []byte {
		b, err := get(append(mibOf("kern.proc."+what), arg...))
		if err != nil {
			fmt.Printf("FAIL kern.proc.%s: %v\n", what, err)
		}
		return b
	}
	b := proc("pid", int32(me))
	fmt.Println("kern.proc.pid.self: one kinfo_proc:", len(b) == kinfoLen && u32(b, 0) == kinfoLen)
	if len(b) == kinfoLen {
		fmt.Println("  pid, ppid, pgid, sid:", u32(b, 72) == uint32(me), u32(b, 76) == uint32(os.Getppid()),
			u32(b, 80) == uint32(syscall.Getpgrp()), sidOK(int32(u32(b, 88))))
		fmt.Println("  uid, ruid, rgid:", u32(b, 168) == uint32(os.Geteuid()), u32(b, 172) == uint32(os.Getuid()),
			u32(b, 180) == uint32(os.Getgid()))
		fmt.Println("  comm:", comm(b) == progName(), "threads > 1:", u32(b, 596) > 1,
			"a thread id above PID_MAX:", u32(b, 600) > 99999)
		fmt.Println("  runnable or sleeping:", b[388] == 2 || b[388] == 3, "started:", binary.LittleEndian.Uint64(b[336:]) > 0)
	}
	_, err := raw(append(mibOf("kern.proc.pid"), 0x7fffffff), make([]byte, kinfoLen))
	fmt.Println("kern.proc.pid of no process:", err)
	sid := int(int32(u32(b, 88)))
	for _, t := range []struct {
		what string
		arg  []int32
	}{{"proc", nil}, {"pgrp", []int32{int32(syscall.Getpgrp())}}, {"sid", []int32{int32(sid)}},
		{"uid", []int32{int32(os.Geteuid())}}, {"ruid", []int32{int32(os.Getuid())}},
		{"gid", []int32{int32(os.Getegid())}}, {"rgid", []int32{int32(os.Getgid())}}} {
		found, sized := has(proc(t.what, t.arg...), me)
		fmt.Printf("kern.proc.%s lists this process: %v, all kinfo_procs: %v\n", t.what, found, sized)
	}
	// Threads: a record each, with its own ki_tid.
	runtime.LockOSThread()
	var self int64
	syscall.Syscall(syscall.SYS_THR_SELF, uintptr(unsafe.Pointer(&self)), 0, 0)
	td := proc("pid_td", int32(me))
	tids := map[uint32]bool{}
	for i := 0; i+kinfoLen <= len(td); i += kinfoLen {
		if u32(td[i:], 72) == uint32(me) {
			tids[u32(td[i:], 600)] = true
		}
	}
	runtime.UnlockOSThread()
	fmt.Println("kern.proc.pid_td: a record per thread:", len(td) >= kinfoLen && len(td)/kinfoLen == int(u32(td, 596)) && len(tids) == len(td)/kinfoLen,
		"one is thr_self:", tids[uint32(self)])
	found, sized := has(proc("all"), me)
	allTids := 0
	all := proc("all")
	for i := 0; i+kinfoLen <= len(all); i += kinfoLen {
		if u32(all[i:], 72) == uint32(me) {
			allTids++
		}
	}
	fmt.Println("kern.proc.all lists this process's threads:", found && allTids > 1, sized)
	// This process's group holds only this process (the test gives it its
	// own), so the size query is exact: the table and 5 more records.
	pg := proc("pgrp", int32(syscall.Getpgrp()))
	size, _ := raw(append(mibOf("kern.proc.pgrp"), int32(syscall.Getpgrp())), nil)
	fmt.Println("a size query leaves room for 5 more:", len(pg) == kinfoLen, len(size) == len(pg)+5*kinfoLen)

	args := proc("args", int32(me))
	fmt.Printf("kern.proc.args.self: %q\n", strings.Split(strings.TrimSuffix(string(args), "\x00"), "\x00")[1:])
	_, err = get(append(mibOf("kern.proc.args"), 0x7fffffff))
	fmt.Println("kern.proc.args of no process:", err)

	child := exec.Command(os.Args[0], "child", "x y")
	w, _ := child.StdinPipe()
	child.Start()
	cp := int32(child.Process.Pid)
	for i := 0; i < 3000; i++ { // until the child runs the program (30 s at most on a loaded machine)
		if strings.Contains(string(proc("args", cp)), "x y") {
			break
		}
		syscall.Nanosleep(&syscall.Timespec{Nsec: 10_000_000}, nil)
	}
	cb := proc("pid", cp)
	fmt.Println("a child: comm is the program, ppid is this process:", len(cb) == kinfoLen && comm(cb) == progName(),
		len(cb) == kinfoLen && u32(cb, 76) == uint32(me))
	fmt.Printf("a child's args: %q\n", strings.Split(strings.TrimSuffix(string(proc("args", cp)), "\x00"), "\x00")[1:])
	w.Close()
	child.Wait()

	ct, _ := get(mibOf("kern.cp_time"))
	cts, _ := get(mibOf("kern.cp_times"))
	fmt.Println("kern.cp_time: 5 longs:", len(ct) == 40, "kern.cp_times: 5 per CPU:", len(cts) > 0 && len(cts)%40 == 0)
	ps, _ := get(mibOf("vm.stats.vm.v_page_size"))
	pc, _ := get(mibOf("vm.stats.vm.v_page_count"))
	fr, _ := get(mibOf("vm.stats.vm.v_free_count"))
	fmt.Println("vm.stats.vm: page size", u32(ps, 0), "counts are u_int:", len(pc) == 4 && len(fr) == 4,
		"free <= total:", len(pc) == 4 && len(fr) == 4 && u32(fr, 0) <= u32(pc, 0) && u32(pc, 0) > 0)
	sw, err := get(mibOf("vm.swap_total"))
	fmt.Println("vm.swap_total: a u64:", len(sw) == 8, err)
	fmt.Println("EXIT-SUCCESS")
}

// sidOK: the session is getsid's (0 where the session leader is outside
// this pid namespace, as under unshare).
func sidOK(sid int32) bool {
	s, err := syscall.Getsid(0)
	return err == nil && int32(s) == sid
}
