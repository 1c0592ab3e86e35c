// sysctl: DragonFly's process table and system facts by sysctl, as
// process listers and memory and CPU reporters read them: kern.proc.*
// with struct kinfo_proc (992 bytes), args, cwd, pathname, for this
// process and a child; kern.clockrate, kern.cp_time(s), hw.physmem,
// vm.stats.vm.*, kern.osrevision; and a {0,2} walk of every node with
// {0,1} names, as `sysctl -a` does. Built for DragonFly only.
package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"unsafe"
)

const kinfoLen = 992

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

func get(mib []int32) ([]byte, error) {
	b, err := raw(mib, nil)
	if err != nil {
		return nil, err
	}
	// args and cwd answer a size query with 0: a generous buffer.
	return raw(mib, make([]byte, len(b)+4096))
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

func comm(b []byte) string { return string(bytes.TrimRight(b[112:129], "\x00")) }

// progName is what p_comm holds for this program: its base name, cut at
// MAXCOMLEN (16) bytes.
func progName() string {
	n := filepath.Base(os.Args[0])
	if len(n) > 16 {
		n = n[:16]
	}
	return n
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "child" {
		os.Stdin.Read(make([]byte, 1)) // wait for the parent to look
		return
	}
	me := int32(os.Getpid())
	proc := func(what string, arg ...int32) []byte {
		b, err := get(append(mibOf("kern.proc."+what), arg...))
		if err != nil {
			fmt.Printf("FAIL kern.proc.%s: %v\n", what, err)
		}
		return b
	}
	b := proc("pid", me)
	fmt.Println("kern.proc.pid.self: one kinfo_proc:", len(b) == kinfoLen)
	if len(b) == kinfoLen {
		fmt.Println("  pid, ppid, uid, comm:", u32(b, 220) == uint32(me), u32(b, 224) == uint32(os.Getppid()),
			u32(b, 132) == uint32(os.Geteuid()), comm(b) == progName())
		fmt.Println("  lwp aggregated:", int32(u32(b, 664+4)) == -1, "threads > 1:", u32(b, 296) > 1)
	}
	fmt.Println("kern.proc.pid of no process: empty:", len(proc("pid", 999999999)) == 0)
	all := proc("all")
	found := false
	for i := 0; i+kinfoLen <= len(all); i += kinfoLen {
		found = found || u32(all[i:], 220) == uint32(me)
	}
	fmt.Println("kern.proc.all lists this process:", found, len(all)%kinfoLen == 0)
	pg := proc("pgrp", int32(syscall.Getpgrp()))
	fmt.Println("kern.proc.pgrp has entries:", len(pg) >= kinfoLen)

	args := proc("args", me)
	fmt.Printf("kern.proc.args.self: %q\n", strings.Split(strings.TrimSuffix(string(args), "\x00"), "\x00")[1:])
	cwd, _ := os.Getwd()
	fmt.Println("kern.proc.cwd.self is the cwd:", strings.TrimSuffix(string(proc("cwd", me)), "\x00") == cwd)
	exe, _ := os.Executable()
	fmt.Println("kern.proc.pathname.-1 is os.Executable:", strings.TrimSuffix(string(proc("pathname", -1)), "\x00") == exe)

	child := exec.Command(os.Args[0], "child", "x y")
	w, _ := child.StdinPipe()
	child.Start()
	cp := int32(child.Process.Pid)
	for i := 0; i < 3000; i++ { // until the child runs the program, not the fork of this one (30 s at most: a loaded machine starts it slowly)
		if strings.Contains(string(proc("args", cp)), "x y") {
			break
		}
		syscall.Nanosleep(&syscall.Timespec{Nsec: 10_000_000}, nil)
	}
	cb := proc("pid", cp)
	fmt.Println("a child: comm is the program, ppid is this process:", len(cb) == kinfoLen && comm(cb) == progName(),
		len(cb) == kinfoLen && u32(cb, 224) == uint32(me))
	fmt.Printf("a child's args: %q\n", strings.Split(strings.TrimSuffix(string(proc("args", cp)), "\x00"), "\x00")[1:])
	cpath := strings.TrimSuffix(string(proc("pathname", cp)), "\x00")
	fmt.Println("a child's pathname is the program:", cpath == exe)
	w.Close()
	child.Wait()

	ci, _ := get(mibOf("kern.clockrate"))
	fmt.Println("kern.clockrate: hz, tick, stathz:", u32(ci, 0), u32(ci, 4), u32(ci, 12))
	ct, _ := get(mibOf("kern.cp_time"))
	cts, _ := get(mibOf("kern.cp_times"))
	fmt.Println("kern.cp_time: 5 longs:", len(ct) == 40, "kern.cp_times: 5 per CPU:", len(cts) > 0 && len(cts)%40 == 0)
	pm, _ := get(mibOf("hw.physmem"))
	pm4, err := raw(mibOf("hw.physmem"), make([]byte, 4))
	fmt.Println("hw.physmem: 8 bytes, > 0:", len(pm) == 8 && binary.LittleEndian.Uint64(pm) > 0,
		"into 4 bytes:", len(pm4) == 4 || err == syscall.ENOMEM)
	ps, _ := get(mibOf("vm.stats.vm.v_page_size"))
	pc, _ := get(mibOf("vm.stats.vm.v_page_count"))
	fmt.Println("vm.stats.vm: page size, page count > 0:", u32(ps, 0), len(pc) == 8 && binary.LittleEndian.Uint64(pc) > 0)
	rev, _ := get(mibOf("kern.osrevision"))
	fmt.Println("kern.osrevision:", u32(rev, 0))
	short, err := raw(mibOf("kern.ostype"), make([]byte, 3))
	fmt.Printf("a short buffer: %q %v\n", short, err)

	// sysctl -a: {0,2} from the start until ENOENT, each named by {0,1}.
	var names []string
	at := []int32{0, 2}
	for {
		nb := make([]byte, 64)
		next, err := raw(at, nb)
		if err != nil {
			fmt.Println("walk ends with:", err)
			break
		}
		oid := make([]int32, len(next)/4)
		for i := range oid {
			oid[i] = int32(binary.LittleEndian.Uint32(next[4*i:]))
		}
		nm, _ := get(append([]int32{0, 1}, oid...))
		names = append(names, strings.TrimSuffix(string(nm), "\x00"))
		at = append([]int32{0, 2}, oid...)
	}
	fmt.Println("walk: first", names[0], "has kern.proc.pid", strings.Contains(strings.Join(names, " "), "kern.proc.pid "),
		"has vm.stats.vm.v_page_count", strings.Contains(strings.Join(names, " "), "vm.stats.vm.v_page_count"), "count >= 40", len(names) >= 40)
	fmt.Println("EXIT-SUCCESS")
}
