// Load: many OS threads, many goroutines, signal storms, many children,
// exit while threads are blocked in calls, and records written until a
// kill from outside. Built for DragonFly only (raw DragonFly calls).
package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

func fail(format string, a ...any) {
	fmt.Printf("FAIL: "+format+"\n", a...)
	os.Exit(1)
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		fail("bad number %q", s)
	}
	return n
}

func gettid() int {
	r, _, _ := syscall.RawSyscall(syscall.SYS_LWP_GETTID, 0, 0, 0)
	return int(r)
}

// threads: n goroutines each locked to its own OS thread, all alive at
// once, each seeing a distinct LWP id.
func threads(n int) {
	var wg, ready sync.WaitGroup
	release := make(chan struct{})
	tids := make([]int, n)
	wg.Add(n)
	ready.Add(n)
	for i := 0; i < n; i++ {
		go func(i int) {
			defer wg.Done()
			runtime.LockOSThread()
			tids[i] = gettid()
			ready.Done()
			<-release
			// Still the same thread after the wait.
			if gettid() != tids[i] {
				fail("thread %d moved from lwp %d to %d", i, tids[i], gettid())
			}
		}(i)
	}
	ready.Wait()
	seen := map[int]bool{}
	for _, t := range tids {
		seen[t] = true
	}
	close(release)
	wg.Wait()
	fmt.Printf("threads %d distinct %d\n", n, len(seen))
}

// goroutines: n goroutines parked on channels and timers, then released;
// every one reports back exactly once.
func goroutines(n int) {
	var sum atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	wg.Add(n)
	for i := 0; i < n; i++ {
		go func(i int) {
			defer wg.Done()
			<-start
			if i%10 == 0 {
				time.Sleep(time.Duration(i%7) * time.Millisecond)
			}
			sum.Add(int64(i))
		}(i)
	}
	close(start)
	wg.Wait()
	want := int64(n) * int64(n-1) / 2
	if sum.Load() != want {
		fail("goroutine sum %d, want %d", sum.Load(), want)
	}
	fmt.Printf("goroutines %d sum ok\n", n)
}

// sigstorm: workers on locked threads copy data through pipes and sleep
// while senders aim SIGUSR1 at the process and SIGUSR2 at each worker
// thread; the data must arrive intact and the handlers must run.
func sigstorm(workers, rounds int) {
	usr := make(chan os.Signal, 1024)
	signal.Notify(usr, syscall.SIGUSR1, syscall.SIGUSR2)
	var got atomic.Int64
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-usr:
				got.Add(1)
			case <-done:
				return
			}
		}
	}()
	tids := make(chan int, workers)
	var wg sync.WaitGroup
	var stop atomic.Bool
	wg.Add(workers)
	for w := 0; w < workers; w++ {
		go func(w int) {
			defer wg.Done()
			runtime.LockOSThread()
			tids <- gettid()
			var p [2]int
			if err := syscall.Pipe(p[:]); err != nil {
				fail("pipe: %v", err)
			}
			defer syscall.Close(p[0])
			defer syscall.Close(p[1])
			buf := make([]byte, 512)
			in := make([]byte, 512)
			for i := 0; !stop.Load(); i++ {
				for j := range buf {
					buf[j] = byte(i + j + w)
				}
				if n, err := syscall.Write(p[1], buf); err != nil || n != len(buf) {
					if err == syscall.EINTR {
						continue
					}
					fail("worker %d write: %d %v", w, n, err)
				}
				for off := 0; off < len(in); {
					n, err := syscall.Read(p[0], in[off:])
					if err == syscall.EINTR {
						continue
					}
					if err != nil || n <= 0 {
						fail("worker %d read: %d %v", w, n, err)
					}
					off += n
				}
				for j := range in {
					if in[j] != buf[j] {
						fail("worker %d round %d: byte %d is %d, want %d", w, i, j, in[j], buf[j])
					}
				}
				ts := syscall.Timespec{Nsec: 100000}
				syscall.Nanosleep(&ts, nil)
			}
		}(w)
	}
	var ids []int
	for i := 0; i < workers; i++ {
		ids = append(ids, <-tids)
	}
	pid := os.Getpid()
	var sent atomic.Int64
	var swg sync.WaitGroup
	for s := 0; s < 4; s++ {
		swg.Add(1)
		go func(s int) {
			defer swg.Done()
			for r := 0; r < rounds; r++ {
				syscall.Kill(pid, syscall.SIGUSR1)
				tid := ids[(r*4+s)%len(ids)]
				syscall.RawSyscall(syscall.SYS_LWP_KILL, uintptr(pid), uintptr(tid), uintptr(syscall.SIGUSR2))
				sent.Add(2)
			}
		}(s)
	}
	swg.Wait()
	// Signals of one kind pending at once merge; at least one of each
	// burst must have been taken.
	deadline := time.Now().Add(10 * time.Second)
	for got.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()
	close(done)
	if got.Load() == 0 {
		fail("no signal handled of %d sent", sent.Load())
	}
	fmt.Printf("sigstorm workers %d sent %d handled>0 data intact\n", workers, sent.Load())
}

// waitstorm: busy workers while signals come from outside; SIGINT ends
// it, after which the count of SIGUSR1 taken must be positive.
func waitstorm() {
	usr := make(chan os.Signal, 1024)
	intr := make(chan os.Signal, 1)
	signal.Notify(usr, syscall.SIGUSR1)
	signal.Notify(intr, os.Interrupt)
	for w := 0; w < 8; w++ {
		go func() {
			runtime.LockOSThread()
			for i := 0; ; i++ {
				ts := syscall.Timespec{Nsec: 50000}
				syscall.Nanosleep(&ts, nil)
				syscall.Getppid()
			}
		}()
	}
	fmt.Println("ready")
	n := 0
	timeout := time.After(60 * time.Second)
	for {
		select {
		case <-usr:
			n++
		case <-intr:
			if n == 0 {
				// All of them may have been pending at once, and Go's
				// signal loop hands out SIGINT (2) before SIGUSR1 (30).
				select {
				case <-usr:
					n++
				case <-time.After(5 * time.Second):
				}
			}
			if n == 0 {
				fail("no SIGUSR1 handled")
			}
			fmt.Println("interrupted after SIGUSR1s")
			return
		case <-timeout:
			fail("no SIGINT within 60s")
		}
	}
}

// forks: n raw forks whose children exit at once with distinct statuses,
// then n/4 children started by exec of this program; every status is
// collected by wait4 and checked.
// busyforks: n host programs started one after another while `busy`
// locked threads loop on system calls and signals keep arriving, so every
// fork finds other threads inside godfly (tracing, signal delivery, stat).
func busyforks(n, busy int) {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < busy; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			runtime.LockOSThread()
			var st syscall.Stat_t
			for {
				select {
				case <-stop:
					return
				default:
				}
				syscall.Getppid()
				syscall.Stat("/", &st)
			}
		}(i)
	}
	sigs := make(chan os.Signal, 64)
	signal.Notify(sigs, syscall.SIGUSR1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			syscall.Kill(os.Getpid(), syscall.SIGUSR1)
			time.Sleep(time.Millisecond)
		}
	}()
	go func() {
		for range sigs {
		}
	}()
	for i := 0; i < n; i++ {
		if err := exec.Command("/bin/true").Run(); err != nil {
			fail("run %d: %v", i, err)
		}
	}
	close(stop)
	wg.Wait()
	fmt.Printf("busyforks %d ok\n", n)
}

func forks(n int) {
	want := map[int]int{}
	syscall.ForkLock.Lock()
	for i := 0; i < n; i++ {
		r1, r2, errno := syscall.RawSyscall(syscall.SYS_FORK, 0, 0, 0)
		if errno != 0 {
			syscall.ForkLock.Unlock()
			fail("fork %d: %v", i, errno)
		}
		if r2 == 1 {
			// The child: no Go runtime work, only the exit call.
			syscall.RawSyscall(syscall.SYS_EXIT, uintptr(i%200+1), 0, 0)
		}
		want[int(r1)] = i%200 + 1
	}
	syscall.ForkLock.Unlock()
	exe, err := os.Executable()
	if err != nil {
		fail("executable: %v", err)
	}
	var cmds []*exec.Cmd
	for i := 0; i < n/4; i++ {
		c := exec.Command(exe, "child", strconv.Itoa(i%100+3))
		if err := c.Start(); err != nil {
			fail("start child %d: %v", i, err)
		}
		cmds = append(cmds, c)
	}
	for pid, code := range want {
		var ws syscall.WaitStatus
		got, err := syscall.Wait4(pid, &ws, 0, nil)
		if err != nil || got != pid {
			fail("wait4(%d): %d %v", pid, got, err)
		}
		if !ws.Exited() || ws.ExitStatus() != code {
			fail("child %d: status %v, want exit %d", pid, ws, code)
		}
	}
	for i, c := range cmds {
		err := c.Wait()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != i%100+3 {
			fail("exec'd child %d: %v, want exit %d", i, err, i%100+3)
		}
	}
	fmt.Printf("forks %d and %d exec'd children reaped with the right statuses\n", n, n/4)
}

// exitblocked: threads blocked in read, accept, nanosleep, a futex
// (sync.Cond) and the netpoller, then exit(7) from main.
func exitblocked() {
	var p [2]int
	if err := syscall.Pipe(p[:]); err != nil {
		fail("pipe: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail("listen: %v", err)
	}
	var ready sync.WaitGroup
	ready.Add(4)
	go func() {
		runtime.LockOSThread()
		ready.Done()
		var b [1]byte
		syscall.Read(p[0], b[:]) // raw read on a locked thread
		fail("read returned")
	}()
	go func() {
		ready.Done()
		ln.Accept() // netpoller
		fail("accept returned")
	}()
	go func() {
		runtime.LockOSThread()
		ready.Done()
		ts := syscall.Timespec{Sec: 3600}
		syscall.Nanosleep(&ts, nil)
		fail("nanosleep returned")
	}()
	go func() {
		var mu sync.Mutex
		c := sync.NewCond(&mu)
		mu.Lock()
		ready.Done()
		c.Wait()
		fail("cond returned")
	}()
	ready.Wait()
	time.Sleep(100 * time.Millisecond)
	fmt.Println("exiting with threads blocked")
	os.Exit(7)
}

// badstderr: the guest's fd 2 becomes a kqueue, then a call godfly does
// not implement makes godfly print its one-line diagnostic.
func badstderr() {
	syscall.Close(2)
	kq, err := syscall.Kqueue()
	if err != nil || kq != 2 {
		fail("kqueue on fd 2: %d %v", kq, err)
	}
	_, _, e := syscall.Syscall(syscall.SYS_JAIL, 0, 0, 0)
	fmt.Println("jail:", e == syscall.ENOSYS)
}

// badstack: sigreturn to a context whose stack pointer is not an address;
// the guest must die of its own fault (SIGSEGV), godfly must not.
func badstack() {
	var uc [2048]byte
	const mc = 64 // uc_mcontext
	put := func(off int, v uint64) { *(*uint64)(unsafe.Pointer(&uc[off])) = v }
	put(mc+168, 0x1000)             // mc_rip
	put(mc+184, 0x202)              // mc_rflags: IF and the reserved bit
	put(mc+192, 0xabaa8b47693d3ba4) // mc_rsp: not even canonical
	syscall.RawSyscall(syscall.SYS_SIGRETURN, uintptr(unsafe.Pointer(&uc[0])), 0, 0)
	fail("sigreturn returned")
}

// records: writes numbered 4 KiB records to a file with write(2), telling
// stdout after every 16, until killed.
func records(path string) {
	f, err := os.Create(path)
	if err != nil {
		fail("create: %v", err)
	}
	rec := make([]byte, 4096)
	for i := 0; ; i++ {
		hdr := fmt.Sprintf("record %08d\n", i)
		copy(rec, hdr)
		for j := len(hdr); j < len(rec)-1; j++ {
			rec[j] = 'a' + byte((i+j)%26)
		}
		rec[len(rec)-1] = '\n'
		if _, err := f.Write(rec); err != nil {
			fail("write: %v", err)
		}
		if i%16 == 15 {
			fmt.Printf("written %d\n", i+1)
		}
	}
}

func main() {
	if len(os.Args) < 2 {
		fail("usage: load MODE ARGS")
	}
	a := os.Args[2:]
	switch os.Args[1] {
	case "threads":
		threads(atoi(a[0]))
	case "goroutines":
		goroutines(atoi(a[0]))
	case "sigstorm":
		sigstorm(atoi(a[0]), atoi(a[1]))
	case "waitstorm":
		waitstorm()
	case "forks":
		forks(atoi(a[0]))
	case "busyforks":
		busyforks(atoi(a[0]), atoi(a[1]))
	case "child":
		os.Exit(atoi(a[0]))
	case "exitblocked":
		exitblocked()
	case "badstderr":
		badstderr()
	case "badstack":
		badstack()
	case "records":
		records(a[0])
	default:
		fail("unknown mode %s", os.Args[1])
	}
	fmt.Println("EXIT-SUCCESS")
}
