// fbsdxattr: FreeBSD's extended attributes as archivers and file
// managers use them: extattr_set/get/list/delete by path and by
// descriptor in the user namespace, the size query, a value cut to a
// small buffer, the list format (a length byte before each name), and
// ENOATTR for a missing attribute. Built for FreeBSD only; prints SKIP
// where the file system keeps no user attributes.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"unsafe"
)

const nsUser = 1

func cstr(s string) *byte { b, _ := syscall.BytePtrFromString(s); return b }

func ptr(b []byte) uintptr {
	if len(b) == 0 {
		return 0
	}
	return uintptr(unsafe.Pointer(&b[0]))
}

func call(nr uintptr, a ...uintptr) (int, error) {
	for len(a) < 6 {
		a = append(a, 0)
	}
	r, _, e := syscall.Syscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5])
	if e != 0 {
		return -1, e
	}
	return int(r), nil
}

func main() {
	dir, _ := os.MkdirTemp(os.Args[1], "xattr")
	defer os.RemoveAll(dir)
	f := filepath.Join(dir, "file")
	os.WriteFile(f, []byte("data"), 0o644)
	p := uintptr(unsafe.Pointer(cstr(f)))
	name := uintptr(unsafe.Pointer(cstr("test")))

	val := []byte("gopher")
	n, err := call(syscall.SYS_EXTATTR_SET_FILE, p, nsUser, name, ptr(val), uintptr(len(val)))
	if err == syscall.EOPNOTSUPP {
		fmt.Println("SKIP: no user attributes on", os.Args[1])
		return
	}
	fmt.Println("set:", n, err)
	n, err = call(syscall.SYS_EXTATTR_GET_FILE, p, nsUser, name, 0, 0)
	fmt.Println("size:", n, err)
	buf := make([]byte, 16)
	n, err = call(syscall.SYS_EXTATTR_GET_FILE, p, nsUser, name, ptr(buf), 16)
	fmt.Printf("get: %q %v\n", buf[:max(n, 0)], err)
	n, err = call(syscall.SYS_EXTATTR_GET_FILE, p, nsUser, name, ptr(buf), 3)
	fmt.Printf("get into 3 bytes: %q %v\n", buf[:max(n, 0)], err)

	other := uintptr(unsafe.Pointer(cstr("second")))
	call(syscall.SYS_EXTATTR_SET_FILE, p, nsUser, other, ptr([]byte("x")), 1)
	n, err = call(syscall.SYS_EXTATTR_LIST_FILE, p, nsUser, 0, 0)
	list := make([]byte, max(n, 0))
	n2, err2 := call(syscall.SYS_EXTATTR_LIST_FILE, p, nsUser, ptr(list), uintptr(len(list)))
	names := []string{}
	for i := 0; i < n2; {
		l := int(list[i])
		names = append(names, string(list[i+1:i+1+l]))
		i += 1 + l
	}
	fmt.Println("list:", n, err, len(names), err2, "has test and second:",
		len(names) == 2 && ((names[0] == "test" && names[1] == "second") || (names[0] == "second" && names[1] == "test")))

	_, err = call(syscall.SYS_EXTATTR_DELETE_FILE, p, nsUser, name)
	fmt.Println("delete:", err)
	_, err = call(syscall.SYS_EXTATTR_GET_FILE, p, nsUser, name, ptr(buf), 16)
	fmt.Println("get a deleted one:", err == syscall.Errno(87), err)
	_, err = call(syscall.SYS_EXTATTR_GET_FILE, p, 9, name, ptr(buf), 16)
	fmt.Println("namespace 9:", err)
	_, err = call(syscall.SYS_EXTATTR_SET_FILE, p, nsUser, uintptr(unsafe.Pointer(cstr(""))), ptr(val), 1)
	fmt.Println("an empty name:", err)

	fd, _ := syscall.Open(f, syscall.O_RDWR, 0)
	n, err = call(syscall.SYS_EXTATTR_SET_FD, uintptr(fd), nsUser, name, ptr([]byte("by fd")), 5)
	fmt.Println("set by fd:", n, err)
	n, err = call(syscall.SYS_EXTATTR_GET_FD, uintptr(fd), nsUser, name, ptr(buf), 16)
	fmt.Printf("get by fd: %q %v\n", buf[:max(n, 0)], err)
	n, err = call(syscall.SYS_EXTATTR_LIST_FD, uintptr(fd), nsUser, 0, 0)
	fmt.Println("list by fd, size:", n, err)
	_, err = call(syscall.SYS_EXTATTR_DELETE_FD, uintptr(fd), nsUser, name)
	fmt.Println("delete by fd:", err)
	syscall.Close(fd)
	n, err = call(syscall.SYS_EXTATTR_GET_LINK, p, nsUser, other, ptr(buf), 16)
	fmt.Printf("get_link of a file: %q %v\n", buf[:max(n, 0)], err)
	fmt.Println("EXIT-SUCCESS")
}
