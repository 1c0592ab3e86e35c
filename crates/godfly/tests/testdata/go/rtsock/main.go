// rtsock: routing sockets as DragonFly's rtsock.c has them. Without
// arguments: RTM_GET answers and errors, who hears a reply, kqueue on
// the socket. With "watch": prints the types of the messages that come
// in the next seconds (the test changes the tables of a private network
// namespace meanwhile). Built for DragonFly only.
package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"syscall"
	"time"
)

const (
	rtmVersion = 7
	rtmAdd     = 0x1
	rtmGet     = 0x4
	rtaDst     = 0x1
	rtaGateway = 0x2
	rtaNetmask = 0x4
	rtaIfp     = 0x10
	rtaIfa     = 0x20
	rtfUp      = 0x1
	rtfHost    = 0x4
	rtfDone    = 0x40
	hdrLen     = 152
)

var ne = binary.LittleEndian

func sin(a [4]byte) []byte {
	return []byte{16, syscall.AF_INET, 0, 0, a[0], a[1], a[2], a[3], 0, 0, 0, 0, 0, 0, 0, 0}
}

// msg builds an rt_msghdr with the given sockaddrs (each padded to 8).
func msg(ty byte, flags, addrs uint32, seq int32, sas ...[]byte) []byte {
	b := make([]byte, hdrLen)
	b[2], b[3] = rtmVersion, ty
	ne.PutUint32(b[8:], flags)
	ne.PutUint32(b[12:], addrs)
	ne.PutUint32(b[20:], uint32(seq))
	for _, sa := range sas {
		p := make([]byte, (len(sa)+7)&^7)
		copy(p, sa)
		b = append(b, p...)
	}
	ne.PutUint16(b[0:], uint16(len(b)))
	return b
}

func read(fd int) ([]byte, error) {
	b := make([]byte, 2048)
	n, err := syscall.Read(fd, b)
	if err != nil {
		return nil, err
	}
	return b[:n], nil
}

// readWithin reads one message, waiting up to ten seconds (a loaded
// machine is slow; the wait ends as soon as the message is there).
func readWithin(fd int) ([]byte, error) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := read(fd)
		if err != syscall.EAGAIN || time.Now().After(deadline) {
			return b, err
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func watch() {
	fd, err := syscall.Socket(syscall.AF_ROUTE, syscall.SOCK_RAW, 0)
	if err != nil {
		fmt.Println("socket:", err)
		os.Exit(1)
	}
	fmt.Println("ready")
	seen := map[string]bool{}
	names := map[byte]string{0x1: "RTM_ADD", 0x2: "RTM_DELETE", 0xc: "RTM_NEWADDR", 0xd: "RTM_DELADDR", 0xe: "RTM_IFINFO", syscall.RTM_IFANNOUNCE: "RTM_IFANNOUNCE"}
	syscall.SetNonblock(fd, true)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		b, err := read(fd)
		if err == syscall.EAGAIN {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		if err != nil {
			fmt.Println("read:", err)
			os.Exit(1)
		}
		if int(ne.Uint16(b)) != len(b) || b[2] != rtmVersion {
			fmt.Println("bad message", b[:4])
			os.Exit(1)
		}
		if n := names[b[3]]; n != "" && !seen[n] {
			seen[n] = true
			fmt.Println("got", n)
		}
		if seen["RTM_IFINFO"] && seen["RTM_NEWADDR"] && seen["RTM_DELADDR"] {
			break
		}
	}
	fmt.Println("EXIT-SUCCESS")
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "watch" {
		watch()
		return
	}
	root := os.Geteuid() == 0
	_, err := syscall.Socket(syscall.AF_ROUTE, syscall.SOCK_DGRAM, 0)
	fmt.Println("SOCK_DGRAM:", err)
	fd, err := syscall.Socket(syscall.AF_ROUTE, syscall.SOCK_RAW, 0)
	fmt.Println("SOCK_RAW:", err)
	v6, _ := syscall.Socket(syscall.AF_ROUTE, syscall.SOCK_RAW, syscall.AF_INET6)
	syscall.SetNonblock(v6, true)
	syscall.SetNonblock(fd, true)
	kq, _ := syscall.Kqueue()
	ev := []syscall.Kevent_t{{Ident: uint64(fd), Filter: syscall.EVFILT_READ, Flags: syscall.EV_ADD}}
	syscall.Kevent(kq, ev, nil, nil)

	// RTM_GET 127.0.0.1, asking for the interface too.
	q := msg(rtmGet, 0, rtaDst|rtaIfp, 42, sin([4]byte{127, 0, 0, 1}))
	n, err := syscall.Write(fd, q)
	fmt.Println("write RTM_GET 127.0.0.1:", n == len(q), err)
	out := make([]syscall.Kevent_t, 1)
	ts := syscall.Timespec{Sec: 10}
	k, _ := syscall.Kevent(kq, nil, out, &ts)
	fmt.Println("kqueue says readable:", k == 1 && out[0].Data > 0)
	r, err := readWithin(fd)
	fmt.Println("reply:", err)
	if err == nil {
		fl := ne.Uint32(r[8:])
		addrs := ne.Uint32(r[12:])
		fmt.Println("  length field, version, type:", int(ne.Uint16(r)) == len(r), r[2], r[3])
		fmt.Println("  UP HOST DONE:", fl&(rtfUp|rtfHost|rtfDone) == rtfUp|rtfHost|rtfDone)
		fmt.Println("  DST GATEWAY IFP IFA, no NETMASK:", addrs == rtaDst|rtaGateway|rtaIfp|rtaIfa)
		fmt.Println("  pid, seq, errno:", int(ne.Uint32(r[16:])) == os.Getpid(), int32(ne.Uint32(r[20:])), ne.Uint32(r[24:]))
		fmt.Println("  index set:", ne.Uint16(r[4:]) > 0)
		fmt.Println("  DST is 127.0.0.1:", r[hdrLen+1] == syscall.AF_INET && r[hdrLen+4] == 127 && r[hdrLen+7] == 1)
		fmt.Println("  GATEWAY is a link address:", r[hdrLen+16+1] == syscall.AF_LINK)
	}
	_, err = read(v6)
	fmt.Println("the inet6 socket does not hear it:", err)

	// Without RTA_IFP/IFA: DST and GATEWAY only.
	q = msg(rtmGet, 0, rtaDst, 43, sin([4]byte{127, 0, 0, 1}))
	syscall.Write(fd, q)
	r, _ = readWithin(fd)
	fmt.Println("without IFP: DST GATEWAY:", len(r) > 16 && ne.Uint32(r[12:]) == rtaDst|rtaGateway)

	// A netmask no route has: ESRCH, and the message comes back with it.
	q = msg(rtmGet, 0, rtaDst|rtaNetmask, 44, sin([4]byte{127, 0, 0, 1}), []byte{7, syscall.AF_INET, 0, 0, 255, 255, 255})
	_, err = syscall.Write(fd, q)
	fmt.Println("RTM_GET with a /24 mask nobody has:", err)
	r, _ = readWithin(fd)
	fmt.Println("  echoed with rtm_errno ESRCH, no DONE:", len(r) >= hdrLen && syscall.Errno(ne.Uint32(r[24:])) == syscall.ESRCH && ne.Uint32(r[8:])&rtfDone == 0)

	// Errors.
	q = msg(rtmGet, 0, rtaDst, 45, sin([4]byte{127, 0, 0, 1}))
	q[2] = 6
	_, err = syscall.Write(fd, q)
	fmt.Println("version 6:", err)
	read(fd)
	_, err = syscall.Write(fd, q[:100])
	fmt.Println("short:", err)
	q = msg(rtmGet, 0, rtaDst, 46, sin([4]byte{127, 0, 0, 1}))
	ne.PutUint16(q, 200)
	_, err = syscall.Write(fd, q)
	fmt.Println("length field wrong:", err)
	q = msg(rtmGet, 0, rtaGateway, 47, sin([4]byte{127, 0, 0, 1}))
	_, err = syscall.Write(fd, q)
	fmt.Println("no RTA_DST:", err)
	read(fd)
	q = msg(rtmGet, 0, rtaDst, 48, []byte{8, syscall.AF_LINK, 1, 0, 0, 0, 0, 0})
	_, err = syscall.Write(fd, q)
	fmt.Println("AF_LINK destination:", err)
	read(fd)
	q = msg(rtmAdd, 0, rtaDst|rtaGateway, 49, sin([4]byte{10, 0, 0, 0}), sin([4]byte{127, 0, 0, 1}))
	_, err = syscall.Write(fd, q)
	fmt.Println("RTM_ADD: EPERM, or for root EOPNOTSUPP:", (root && err == syscall.EOPNOTSUPP) || (!root && err == syscall.EPERM))
	read(fd)
	_, err = syscall.Write(fd, make([]byte, 9000))
	fmt.Println("9000 bytes:", err)
	_, err = read(fd)
	fmt.Println("nothing left:", err)
	// A copy is the same socket, and lives on when the original closes.
	t, _ := syscall.Dup(fd)
	syscall.Close(fd)
	q = msg(rtmGet, 0, rtaDst, 50, sin([4]byte{127, 0, 0, 1}))
	_, err = syscall.Write(t, q)
	r, rerr := readWithin(t)
	fmt.Println("through a dup after close:", err, rerr, len(r) > 20 && int32(ne.Uint32(r[20:])) == 50)
	// A file put over a routing socket's number is a file.
	f, _ := os.CreateTemp("", "rtsock")
	defer os.Remove(f.Name())
	s2, _ := syscall.Socket(syscall.AF_ROUTE, syscall.SOCK_RAW, 0)
	syscall.Dup2(int(f.Fd()), s2)
	n, err = syscall.Write(s2, []byte("hi"))
	fmt.Println("dup2 a file over it, then write:", n, err)
	// DragonFly has no NET_RT_IFMALIST (NET_RT_MAXID is 4).
	_, err = syscall.RouteRIB(4, 0)
	fmt.Println("sysctl NET_RT_IFMALIST:", err)
	fmt.Println("EXIT-SUCCESS")
}
