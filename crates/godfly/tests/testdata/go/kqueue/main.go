// kqueue through the syscall package: EVFILT_WRITE with the free space,
// EVFILT_READ with the bytes readable and EV_EOF, EVFILT_USER, EVFILT_TIMER,
// EVFILT_SIGNAL counting an ignored signal, EVFILT_PROC for a child's
// exit, and EV_ERROR for a bad change. Built for dragonfly only.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"
)

const (
	evfiltUser  = -9
	noteTrigger = 0x01000000
	noteExit    = 0x80000000
)

func must(err error) {
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
}

func wait(kq int, n int) []syscall.Kevent_t {
	ev := make([]syscall.Kevent_t, n)
	ts := syscall.NsecToTimespec(int64(5 * time.Second))
	got, err := syscall.Kevent(kq, nil, ev, &ts)
	must(err)
	return ev[:got]
}

func main() {
	kq, err := syscall.Kqueue()
	must(err)
	var p [2]int
	must(syscall.Pipe(p[:]))
	ch := []syscall.Kevent_t{{Ident: uint64(p[1]), Filter: syscall.EVFILT_WRITE, Flags: syscall.EV_ADD | syscall.EV_ONESHOT}}
	_, err = syscall.Kevent(kq, ch, nil, nil)
	must(err)
	ev := wait(kq, 4)
	fmt.Println("write ready with space:", len(ev) == 1 && ev[0].Filter == syscall.EVFILT_WRITE && ev[0].Data > 0)

	syscall.Write(p[1], []byte("hello"))
	syscall.Close(p[1])
	ch = []syscall.Kevent_t{{Ident: uint64(p[0]), Filter: syscall.EVFILT_READ, Flags: syscall.EV_ADD}}
	syscall.Kevent(kq, ch, nil, nil)
	ev = wait(kq, 4)
	fmt.Println("read:", ev[0].Data, ev[0].Flags&syscall.EV_EOF != 0)
	ch[0].Flags = syscall.EV_DELETE
	syscall.Kevent(kq, ch, nil, nil)

	ch = []syscall.Kevent_t{{Ident: 7, Filter: evfiltUser, Flags: syscall.EV_ADD | syscall.EV_CLEAR}}
	syscall.Kevent(kq, ch, nil, nil)
	ch[0].Flags, ch[0].Fflags = 0, noteTrigger
	syscall.Kevent(kq, ch, nil, nil)
	ev = wait(kq, 4)
	fmt.Println("user event:", len(ev) == 1 && ev[0].Ident == 7)

	ch = []syscall.Kevent_t{{Ident: 1, Filter: syscall.EVFILT_TIMER, Flags: syscall.EV_ADD | syscall.EV_ONESHOT, Data: 20}}
	start := time.Now()
	syscall.Kevent(kq, ch, nil, nil)
	ev = wait(kq, 4)
	fmt.Println("timer fired after 20ms:", len(ev) == 1 && ev[0].Filter == syscall.EVFILT_TIMER && time.Since(start) >= 20*time.Millisecond)

	signal.Ignore(syscall.SIGUSR2)
	ch = []syscall.Kevent_t{{Ident: uint64(syscall.SIGUSR2), Filter: syscall.EVFILT_SIGNAL, Flags: syscall.EV_ADD}}
	syscall.Kevent(kq, ch, nil, nil)
	syscall.Kill(os.Getpid(), syscall.SIGUSR2)
	syscall.Kill(os.Getpid(), syscall.SIGUSR2)
	time.Sleep(20 * time.Millisecond)
	ev = wait(kq, 4)
	fmt.Println("signal counted:", len(ev) == 1 && ev[0].Filter == syscall.EVFILT_SIGNAL && ev[0].Data == 2)

	cmd := exec.Command("/bin/sh", "-c", "exit 3")
	must(cmd.Start())
	ch = []syscall.Kevent_t{{Ident: uint64(cmd.Process.Pid), Filter: syscall.EVFILT_PROC, Flags: syscall.EV_ADD, Fflags: noteExit}}
	_, err = syscall.Kevent(kq, ch, nil, nil)
	must(err)
	ev = wait(kq, 4)
	fmt.Println("child exit:", len(ev) == 1 && ev[0].Fflags&noteExit != 0 && ev[0].Data == 3<<8)
	cmd.Wait()

	bad := []syscall.Kevent_t{{Ident: 9999, Filter: syscall.EVFILT_READ, Flags: syscall.EV_ADD}}
	out := make([]syscall.Kevent_t, 1)
	n, err := syscall.Kevent(kq, bad, out, nil)
	fmt.Println("bad change:", n == 1 && out[0].Flags&syscall.EV_ERROR != 0 && syscall.Errno(out[0].Data) == syscall.EBADF, err)
}
