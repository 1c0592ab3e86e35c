// vnode: kqueue EVFILT_VNODE on files and directories, each operation
// followed by the notes it gives, as DragonFly's HAMMER2 (its default
// filesystem) posts them (sys/vfs/hammer2/hammer2_vnops.c); EV_CLEAR,
// level triggering, EV_ONESHOT, EV_DELETE after NOTE_DELETE, a closed
// descriptor, and a pipe. Built for DragonFly only.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

const (
	noteDelete = 0x1
	noteWrite  = 0x2
	noteExtend = 0x4
	noteAttrib = 0x8
	noteLink   = 0x10
	noteRename = 0x20
	all        = 0x7f
)

var kq int

func names(f uint32) string {
	var s []string
	for _, n := range []struct {
		b uint32
		n string
	}{{noteDelete, "DELETE"}, {noteWrite, "WRITE"}, {noteExtend, "EXTEND"}, {noteAttrib, "ATTRIB"}, {noteLink, "LINK"}, {noteRename, "RENAME"}, {0x40, "REVOKE"}} {
		if f&n.b != 0 {
			s = append(s, n.n)
		}
	}
	if len(s) == 0 {
		return "-"
	}
	return strings.Join(s, "|")
}

func watch(fd int, flags uint16, mask uint32) error {
	ch := []syscall.Kevent_t{{Ident: uint64(fd), Filter: syscall.EVFILT_VNODE, Flags: flags, Fflags: mask}}
	_, err := syscall.Kevent(kq, ch, nil, nil)
	return err
}

// poll returns the notes of each ready knote, by descriptor, without waiting.
func poll(labels map[int]string) string {
	ev := make([]syscall.Kevent_t, 8)
	ts := syscall.Timespec{}
	n, err := syscall.Kevent(kq, nil, ev, &ts)
	if err != nil {
		return "error " + err.Error()
	}
	var s []string
	for _, e := range ev[:n] {
		s = append(s, fmt.Sprintf("%s:%s", labels[int(e.Ident)], names(e.Fflags)))
		if e.Data != 0 {
			s = append(s, "data!=0")
		}
	}
	if len(s) == 0 {
		return "none"
	}
	// The order of ready knotes is not part of the contract.
	sort.Strings(s)
	return strings.Join(s, " ")
}

func open(p string) int {
	fd, err := syscall.Open(p, syscall.O_RDONLY, 0)
	if err != nil {
		panic(err)
	}
	return fd
}

func main() {
	var err error
	kq, err = syscall.Kqueue()
	if err != nil {
		panic(err)
	}
	dir, _ := os.MkdirTemp("", "vnode")
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "f")
	os.WriteFile(file, []byte("0123456789"), 0o644)
	d, f := open(dir), open(file)
	labels := map[int]string{d: "dir", f: "file"}
	must := func(what string, err error) {
		if err != nil {
			fmt.Printf("%s: %v\n", what, err)
		}
	}
	must("watch dir", watch(d, syscall.EV_ADD|syscall.EV_CLEAR, all))
	must("watch file", watch(f, syscall.EV_ADD|syscall.EV_CLEAR, all))
	step := func(what string, do func()) {
		do()
		fmt.Printf("%-28s %s\n", what+":", poll(labels))
	}
	w, _ := os.OpenFile(file, os.O_WRONLY, 0)
	step("nothing yet", func() {})
	step("append", func() { w.WriteAt([]byte("abc"), 10) })
	step("overwrite in place", func() { w.WriteAt([]byte("x"), 0) })
	step("truncate smaller", func() { w.Truncate(4) })
	step("truncate to the same size", func() { w.Truncate(4) })
	step("truncate larger", func() { w.Truncate(100) })
	step("chmod", func() { os.Chmod(file, 0o600) })
	step("link", func() { os.Link(file, file+".2") })
	step("unlink one of two links", func() { os.Remove(file + ".2") })
	step("create in the directory", func() { os.WriteFile(filepath.Join(dir, "g"), nil, 0o644) })
	step("write to an entry", func() { os.WriteFile(filepath.Join(dir, "g"), []byte("x"), 0o644) })
	step("mkdir in the directory", func() { os.Mkdir(filepath.Join(dir, "sub"), 0o755) })
	step("rmdir in the directory", func() { os.Remove(filepath.Join(dir, "sub")) })
	step("rename the file", func() { os.Rename(file, file+".new") })
	step("unlink the last link", func() { os.Remove(file + ".new") })
	fmt.Println("EV_DELETE after NOTE_DELETE:", watch(f, syscall.EV_DELETE, 0) == nil)

	// Without EV_CLEAR, what collected is reported on every call.
	g := open(filepath.Join(dir, "g"))
	labels[g] = "g"
	must("watch g", watch(g, syscall.EV_ADD, noteAttrib))
	os.Chmod(filepath.Join(dir, "g"), 0o600)
	os.WriteFile(filepath.Join(dir, "g"), []byte("xyz"), 0o644) // WRITE is not watched
	fmt.Println("level-triggered:", poll(labels), "/", poll(labels))
	must("oneshot g", watch(g, syscall.EV_ADD|syscall.EV_ONESHOT, noteAttrib))
	fmt.Println("oneshot:", poll(labels), "/", poll(labels))
	syscall.Close(g)
	fmt.Println("knote gone with its descriptor:", watch(g, syscall.EV_DELETE, 0))

	var p [2]int
	syscall.Pipe(p[:])
	fmt.Println("a pipe:", watch(p[0], syscall.EV_ADD, all))
	fmt.Println("EXIT-SUCCESS")
}
