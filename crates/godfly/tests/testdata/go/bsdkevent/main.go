//go:build dragonfly || freebsd

// kqueue through Go's syscall package on either BSD: syscall.Kevent is
// FreeBSD's old 32-byte kevent (363) there and DragonFly's own one, with
// each system's EVFILT_* numbers. A pipe's read event with its byte count
// and EV_EOF, a one-shot write event, EV_RECEIPT, a timer and a bad
// descriptor's EV_ERROR: both builds print the same.
package main

import (
	"fmt"
	"os"
	"syscall"
	"time"
)

// EV_RECEIPT: 0x40 on both systems (DragonFly's syscall package lacks it).
const evReceipt = 0x40

func main() {
	kq, err := syscall.Kqueue()
	if err != nil {
		fmt.Println("kqueue:", err)
		os.Exit(1)
	}
	var p [2]int
	if err := syscall.Pipe(p[:]); err != nil {
		fmt.Println("pipe:", err)
		os.Exit(1)
	}
	syscall.Write(p[1], []byte("hello"))
	var ch [2]syscall.Kevent_t
	syscall.SetKevent(&ch[0], p[0], syscall.EVFILT_READ, syscall.EV_ADD)
	syscall.SetKevent(&ch[1], p[1], syscall.EVFILT_WRITE, syscall.EV_ADD|syscall.EV_ONESHOT)
	ev := make([]syscall.Kevent_t, 4)
	n, err := syscall.Kevent(kq, ch[:], ev, nil)
	fmt.Println("events:", n, err)
	for _, e := range ev[:n] {
		switch {
		case e.Filter == syscall.EVFILT_READ:
			fmt.Println("read ready:", e.Ident == uint64(p[0]), "bytes:", e.Data)
		case e.Filter == syscall.EVFILT_WRITE:
			fmt.Println("write ready:", e.Ident == uint64(p[1]))
		}
	}
	// The one-shot write event is gone; the read one stays.
	ts := syscall.NsecToTimespec(int64(10 * time.Millisecond))
	n, _ = syscall.Kevent(kq, nil, ev, &ts)
	fmt.Println("again:", n, n == 1 && ev[0].Filter == syscall.EVFILT_READ)
	syscall.Close(p[1])
	n, _ = syscall.Kevent(kq, nil, ev, &ts)
	fmt.Println("after close: eof", n == 1 && ev[0].Flags&syscall.EV_EOF != 0)

	// A change on a closed descriptor comes back as EV_ERROR with EBADF.
	var bad [1]syscall.Kevent_t
	syscall.SetKevent(&bad[0], 1000, syscall.EVFILT_READ, syscall.EV_ADD)
	n, err = syscall.Kevent(kq, bad[:], ev, nil)
	fmt.Println("bad fd:", n, err, n == 1 && ev[0].Flags&syscall.EV_ERROR != 0 && syscall.Errno(ev[0].Data) == syscall.EBADF)

	// EV_RECEIPT acknowledges a change without waiting.
	var r [1]syscall.Kevent_t
	syscall.SetKevent(&r[0], p[0], syscall.EVFILT_READ, syscall.EV_DELETE|evReceipt)
	n, err = syscall.Kevent(kq, r[:], ev, nil)
	fmt.Println("receipt:", n, err, n == 1 && ev[0].Flags&syscall.EV_ERROR != 0 && ev[0].Data == 0)

	// A 20 ms timer fires.
	var t [1]syscall.Kevent_t
	syscall.SetKevent(&t[0], 9, syscall.EVFILT_TIMER, syscall.EV_ADD|syscall.EV_ONESHOT)
	t[0].Data = 20
	start := time.Now()
	n, err = syscall.Kevent(kq, t[:], ev, nil)
	fmt.Println("timer:", n, err, n == 1 && ev[0].Ident == 9, time.Since(start) >= 15*time.Millisecond)
	fmt.Println("EXIT-SUCCESS")
}
