// terminal: a pseudo-terminal opened the DragonFly way (as creack/pty and
// DragonFly's libc do: /dev/ptmx, TIOCISPTMASTER, FIODNAME "ptm/N" ->
// /dev/pts/N), its attributes read and set with TIOCGETA/TIOCSETA (what
// golang.org/x/term's IsTerminal, MakeRaw and Restore do), the line
// discipline seen through both ends, window sizes, and a pipe that is no
// terminal. Built for DragonFly only.
package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

const fiodname = 0x80106678

func ioctl(fd uintptr, req uintptr, arg unsafe.Pointer) syscall.Errno {
	_, _, e := syscall.Syscall(syscall.SYS_IOCTL, fd, req, uintptr(arg))
	return e
}

// fdOf is f's descriptor without File.Fd's switch to blocking mode (which
// would stop read deadlines working).
func fdOf(f *os.File) uintptr {
	var fd uintptr
	c, err := f.SyscallConn()
	if err != nil {
		panic(err)
	}
	c.Control(func(d uintptr) { fd = d })
	return fd
}

func getattr(fd uintptr) (syscall.Termios, syscall.Errno) {
	var t syscall.Termios
	return t, ioctl(fd, syscall.TIOCGETA, unsafe.Pointer(&t))
}

func must(what string, e syscall.Errno) {
	if e != 0 {
		fmt.Printf("FAIL %s: %v\n", what, e)
		os.Exit(1)
	}
}

// readFor reads what arrives on f within d.
func readFor(f *os.File, d time.Duration) string {
	f.SetReadDeadline(time.Now().Add(d))
	var out bytes.Buffer
	b := make([]byte, 256)
	for {
		n, err := f.Read(b)
		out.Write(b[:n])
		if err != nil {
			return out.String()
		}
	}
}

func main() {
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		fmt.Println("FAIL open /dev/ptmx:", err)
		os.Exit(1)
	}
	must("TIOCISPTMASTER", ioctl(fdOf(m), syscall.TIOCISPTMASTER, nil))
	name := make([]byte, 64)
	arg := struct {
		name *byte
		len  uint32
		_    [4]byte
	}{name: &name[0], len: 63}
	must("FIODNAME", ioctl(fdOf(m), fiodname, unsafe.Pointer(&arg)))
	dev := string(name[:bytes.IndexByte(name, 0)])
	fmt.Println("master is ptm/N:", strings.HasPrefix(dev, "ptm/"))
	slavePath := "/dev/" + strings.Replace(dev, "ptm", "pts", 1)
	s, err := os.OpenFile(slavePath, os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		fmt.Println("FAIL open slave:", err)
		os.Exit(1)
	}

	orig, e := getattr(fdOf(s))
	must("TIOCGETA", e)
	fmt.Println("slave is a terminal: canonical", orig.Lflag&syscall.ICANON != 0, "echo", orig.Lflag&syscall.ECHO != 0,
		"intr ^C", orig.Cc[syscall.VINTR] == 3, "cs8", orig.Cflag&syscall.CSIZE == syscall.CS8)
	r, w, _ := os.Pipe()
	_, e = getattr(fdOf(r))
	fmt.Println("pipe is no terminal:", e == syscall.ENOTTY)
	r.Close()
	w.Close()
	_, e = getattr(os.Stdin.Fd())
	fmt.Println("stdin (null) is no terminal:", e == syscall.ENOTTY)

	ws := [4]uint16{40, 132, 0, 0}
	must("TIOCSWINSZ", ioctl(fdOf(m), syscall.TIOCSWINSZ, unsafe.Pointer(&ws)))
	var got [4]uint16
	must("TIOCGWINSZ", ioctl(fdOf(s), syscall.TIOCGWINSZ, unsafe.Pointer(&got)))
	fmt.Println("window size through the pair:", got[0], got[1])

	// Canonical mode with echo: a line typed on the master is read whole on
	// the slave, and echoed back with ONLCR's CR.
	m.Write([]byte("hello\n"))
	fmt.Printf("slave reads the line: %q\n", readFor(s, 500*time.Millisecond))
	fmt.Printf("master sees the echo: %q\n", readFor(m, 300*time.Millisecond))

	// x/term's MakeRaw.
	raw := orig
	raw.Iflag &^= syscall.IGNBRK | syscall.BRKINT | syscall.PARMRK | syscall.ISTRIP | syscall.INLCR | syscall.IGNCR | syscall.ICRNL | syscall.IXON
	raw.Oflag &^= syscall.OPOST
	raw.Lflag &^= syscall.ECHO | syscall.ECHONL | syscall.ICANON | syscall.ISIG | syscall.IEXTEN
	raw.Cflag &^= syscall.CSIZE | syscall.PARENB
	raw.Cflag |= syscall.CS8
	raw.Cc[syscall.VMIN] = 1
	raw.Cc[syscall.VTIME] = 0
	must("TIOCSETA raw", ioctl(fdOf(s), syscall.TIOCSETA, unsafe.Pointer(&raw)))
	now, _ := getattr(fdOf(s))
	fmt.Println("raw mode reads back:", now.Lflag == raw.Lflag, now.Iflag == raw.Iflag, now.Oflag == raw.Oflag, now.Cflag == raw.Cflag,
		now.Cc[syscall.VMIN] == 1)
	m.Write([]byte("ab"))
	fmt.Printf("raw slave reads bytes, no line needed: %q\n", readFor(s, 500*time.Millisecond))
	fmt.Printf("no echo in raw mode: %q\n", readFor(m, 300*time.Millisecond))
	m.Write([]byte{3})
	fmt.Printf("^C is a byte, not a signal: %q\n", readFor(s, 300*time.Millisecond))

	must("TIOCSETAF restore", ioctl(fdOf(s), syscall.TIOCSETAF, unsafe.Pointer(&orig)))
	back, _ := getattr(fdOf(s))
	fmt.Println("restored:", back.Lflag == orig.Lflag, back.Iflag == orig.Iflag, back.Oflag == orig.Oflag, back.Cflag == orig.Cflag,
		back.Ispeed == orig.Ispeed)

	var n int32
	must("TIOCOUTQ", ioctl(fdOf(s), 0x40047473, unsafe.Pointer(&n)))
	which := int32(0)
	must("TIOCFLUSH", ioctl(fdOf(s), syscall.TIOCFLUSH, unsafe.Pointer(&which)))
	must("TIOCDRAIN", ioctl(fdOf(s), 0x2000745e, nil))
	must("TIOCEXCL", ioctl(fdOf(s), syscall.TIOCEXCL, nil))
	must("TIOCNXCL", ioctl(fdOf(s), syscall.TIOCNXCL, nil))
	fmt.Println("queue and exclusive-use ioctls: ok")
	fmt.Println("EXIT-SUCCESS")
}
