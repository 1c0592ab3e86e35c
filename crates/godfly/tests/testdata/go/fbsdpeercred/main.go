// fbsdpeercred: FreeBSD's LOCAL_PEERCRED, as servers on local sockets
// check who called: a struct xucred (88 bytes) for a socket pair and an
// accepted connection, ENOTCONN with no peer, ENOPROTOOPT to set it,
// and level 0 meaning IPPROTO_IP on an inet socket. Built for FreeBSD
// only.
package main

import (
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"unsafe"
)

func xucred(fd int) ([]byte, error) {
	b := make([]byte, 88)
	n := uint32(len(b))
	_, _, e := syscall.Syscall6(syscall.SYS_GETSOCKOPT, uintptr(fd), 0, 1, uintptr(unsafe.Pointer(&b[0])), uintptr(unsafe.Pointer(&n)), 0)
	if e != 0 {
		return nil, e
	}
	return b[:n], nil
}

func show(what string, b []byte, err error) {
	if err != nil {
		fmt.Println(what+":", err)
		return
	}
	u := func(o int) uint32 { return binary.LittleEndian.Uint32(b[o:]) }
	ng := int(binary.LittleEndian.Uint16(b[8:]))
	fmt.Println(what+": len", len(b), "version", u(0), "uid ok", u(4) == uint32(os.Geteuid()),
		"groups >= 1", ng >= 1, "egid first", ng >= 1 && u(12) == uint32(os.Getegid()), "pid ok", u(80) == uint32(os.Getpid()))
}

func main() {
	fds, _ := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	b, err := xucred(fds[0])
	show("socketpair", b, err)

	sock := filepath.Join(os.Args[1], fmt.Sprintf("peercred-%d", os.Getpid()))
	defer os.Remove(sock)
	l, err := net.Listen("unix", sock)
	if err != nil {
		fmt.Println("listen:", err)
		return
	}
	go func() {
		c, err := net.Dial("unix", sock)
		if err == nil {
			defer c.Close()
			c.Read(make([]byte, 1))
		}
	}()
	c, _ := l.Accept()
	f, _ := c.(*net.UnixConn).File()
	b, err = xucred(int(f.Fd()))
	show("accepted", b, err)
	c.Close()
	l.Close()

	lone, _ := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	_, err = xucred(lone)
	fmt.Println("no peer:", err)
	v := int32(1)
	_, _, e := syscall.Syscall6(syscall.SYS_SETSOCKOPT, uintptr(fds[0]), 0, 1, uintptr(unsafe.Pointer(&v)), 4, 0)
	fmt.Println("set it:", e)

	inet, _ := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	opts, err := xucred(inet)
	fmt.Println("level 0 on an inet socket is IP_OPTIONS:", len(opts), err)
	fmt.Println("EXIT-SUCCESS")
}
