// The dispatcher fed random system calls from a guest: `fuzzcalls SEED
// BATCHES CALLS`. Each batch runs in a raw-forked child (so a call that
// unmaps memory, blocks or kills only ends that child) making CALLS random
// calls: random numbers (implemented, unimplemented, empty and out of
// range) with arguments from a pool of interesting values (small numbers,
// -1, descriptors, good and bad pointers, random words). The parent kills a
// child that runs past its time, and counts how each child ended. godfly
// failing shows as exit status 70 ("godfly internal error"), which fails
// the run; a child dying of a guest signal is the guest's business.
//
// Denied, because they act outside the child: fork/vfork/rfork (more
// fuzzers), ptrace, and the calls that send to the network (connect,
// sendto, sendmsg, sendfile). kill and lwp_kill always aim at the child.
package main

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"
	"unsafe"
)

const internalErrorStatus = 70

var denied = map[uintptr]bool{
	2: true, 66: true, 251: true, // fork, vfork, rfork
	26: true,                      // ptrace
	98: true, 133: true, 28: true, // connect, sendto, sendmsg
	393: true, // sendfile
}

// Per-child state, set up before fork: the child runs only this code.
var (
	rng         uint64
	pool        [32]uintptr
	scratch     []byte
	ignore      [32]byte // struct sigaction{SIG_IGN}
	childPid    uintptr
	nCalls      int
	current     *[7]uintptr // shared with the parent: the call in progress
	nullFd      uintptr
	scratchBase uintptr
)

//go:nosplit
func next() uint64 {
	rng ^= rng << 13
	rng ^= rng >> 7
	rng ^= rng << 17
	return rng
}

//go:nosplit
func randomArg() uintptr {
	r := next()
	switch r % 4 {
	case 0:
		return pool[(r>>8)%uint64(len(pool))]
	case 1:
		return uintptr(r >> 8 % 16) // small numbers: descriptors, flags
	case 2:
		return scratchBase + uintptr((r>>8)%4096)
	default:
		return uintptr(next())
	}
}

//go:nosplit
func randomCall() (uintptr, [6]uintptr) {
	var a [6]uintptr
	for i := range a {
		a[i] = randomArg()
	}
	r := next()
	var nr uintptr
	switch r % 16 {
	case 0:
		nr = uintptr(next() % 1024) // past the table, too
	case 1:
		nr = uintptr(next()) // anything
	default:
		nr = uintptr(next() % 560)
	}
	return nr, a
}

// child makes nCalls random calls and exits 0.
//
//go:nosplit
func child() {
	// SIGSYS (empty slots) and SIGPIPE would end the batch at once.
	syscall.RawSyscall(syscall.SYS_SIGACTION, uintptr(syscall.SIGSYS), uintptr(unsafe.Pointer(&ignore[0])), 0)
	syscall.RawSyscall(syscall.SYS_SIGACTION, uintptr(syscall.SIGPIPE), uintptr(unsafe.Pointer(&ignore[0])), 0)
	// Random writes to standard output would garble the parent's report.
	syscall.RawSyscall(syscall.SYS_DUP2, nullFd, 1, 0)
	me, _, _ := syscall.RawSyscall(syscall.SYS_GETPID, 0, 0, 0)
	for i := 0; i < nCalls; i++ {
		nr, a := randomCall()
		if nr < 1024 && denied[nr] {
			continue
		}
		switch nr {
		case syscall.SYS_KILL:
			a[0] = me
		case syscall.SYS_LWP_KILL:
			a[0] = me
		case syscall.SYS_EXIT:
			// Never godfly's internal-error status: that is what the
			// parent looks for.
			a[0] &= 0x3f
		case syscall.SYS_EXTEXIT:
			a[1] &= 0x3f
		case 0, 198: // the indirect calls: the real number is the first argument
			if a[0] < 1024 && (denied[a[0]] || a[0] == syscall.SYS_KILL || a[0] == syscall.SYS_LWP_KILL) {
				continue
			}
			a[1] &= 0x3f // exit's status, extexit's how
			a[2] &= 0x3f // extexit's status
		}
		current[0], current[1], current[2], current[3] = nr, a[0], a[1], a[2]
		syscall.RawSyscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5])
	}
	syscall.RawSyscall(syscall.SYS_EXIT, 0, 0, 0)
}

func main() {
	if len(os.Args) != 4 {
		fmt.Println("usage: fuzzcalls SEED BATCHES CALLS")
		os.Exit(2)
	}
	seed, _ := strconv.ParseUint(os.Args[1], 10, 64)
	batches, _ := strconv.Atoi(os.Args[2])
	nCalls, _ = strconv.Atoi(os.Args[3])

	dir, err := os.MkdirTemp("", "fuzzcalls")
	if err != nil {
		fmt.Println("FAIL:", err)
		os.Exit(1)
	}
	defer os.RemoveAll(dir)
	os.Chdir(dir)
	os.WriteFile("f", []byte("some data\n"), 0o644)
	os.Mkdir("d", 0o755)
	os.Symlink("f", "l")
	// Descriptors the small numbers can hit.
	for i := 0; i < 4; i++ {
		os.Open("f")
	}
	var p [2]int
	syscall.Pipe(p[:])
	syscall.SetNonblock(p[0], true)
	syscall.SetNonblock(p[1], true)

	scratch = make([]byte, 8192)
	scratchBase = uintptr(unsafe.Pointer(&scratch[0]))
	str := func(s string) uintptr {
		b := append([]byte(s), 0)
		return uintptr(unsafe.Pointer(&b[0]))
	}
	pool = [32]uintptr{
		0, 1, 2, 3, 4, 7, 8, 16, 64, 4096, 0x7fffffff, 0x80000000, ^uintptr(0), ^uintptr(0) - 1,
		0xfffafdcd,         // AT_FDCWD
		0x1000,             // unmapped, low
		0xffff800000000000, // kernel half
		0x0000800000000000, // non-canonical
		str("f"), str("d"), str("l"), str("nonexistent"), str("d/new"), str(""),
		uintptr(unsafe.Pointer(&scratch[0])), uintptr(unsafe.Pointer(&scratch[4000])),
		uintptr(p[0]), uintptr(p[1]), 1 << 20, 12, 28, 0x1010,
	}
	// struct sigaction{sa_handler: SIG_IGN}
	ignore[0] = 1

	null, err := syscall.Open("/dev/null", syscall.O_WRONLY, 0)
	if err != nil {
		fmt.Println("FAIL: /dev/null:", err)
		os.Exit(1)
	}
	nullFd = uintptr(null)
	shared, err := syscall.Mmap(-1, 0, 4096, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_SHARED)
	if err != nil {
		fmt.Println("FAIL: shared page:", err)
		os.Exit(1)
	}
	current = (*[7]uintptr)(unsafe.Pointer(&shared[0]))
	blockedIn := map[uintptr]int{}

	rng = seed*2654435761 + 1
	start := time.Now()
	var exited, signaled, blocked, total int
	bySignal := map[syscall.Signal]int{}
	for b := 0; b < batches; b++ {
		// Fresh random bytes for this batch's pointers.
		for i := range scratch {
			scratch[i] = byte(next())
		}
		childSeed := next()
		syscall.ForkLock.Lock()
		rng = childSeed
		current[0] = 0
		r1, r2, e := syscall.RawSyscall(syscall.SYS_FORK, 0, 0, 0)
		if e == 0 && r2 == 1 {
			child()
		}
		syscall.ForkLock.Unlock()
		if e != 0 {
			fmt.Println("FAIL: fork:", e)
			os.Exit(1)
		}
		rng = childSeed ^ 0x9e3779b97f4a7c15
		pid := int(r1)
		total += nCalls
		var ws syscall.WaitStatus
		deadline := time.Now().Add(500 * time.Millisecond)
		for {
			got, err := syscall.Wait4(pid, &ws, syscall.WNOHANG, nil)
			if err == syscall.EINTR {
				continue
			}
			if err != nil {
				fmt.Println("FAIL: wait4:", err)
				os.Exit(1)
			}
			if got == pid {
				break
			}
			if time.Now().After(deadline) {
				blocked++
				nr := current[0]
				if nr == 0 || nr == 198 {
					nr = current[1] // the indirect calls
				}
				blockedIn[nr]++
				syscall.Kill(pid, syscall.SIGKILL)
				syscall.Wait4(pid, &ws, 0, nil)
				break
			}
			time.Sleep(time.Millisecond)
		}
		switch {
		case ws.Exited() && ws.ExitStatus() == internalErrorStatus:
			fmt.Printf("FAIL: batch %d (seed %d, child seed %d): godfly internal error\n", b, seed, childSeed)
			os.Exit(1)
		case ws.Exited():
			exited++
		case ws.Signaled() && ws.Signal() != syscall.SIGKILL:
			signaled++
			bySignal[ws.Signal()]++
		}
	}
	fmt.Printf("fuzzcalls: seed %d, %d batches of %d calls (%d calls) in %.1fs: %d exited, %d died of a guest signal %v, %d blocked (in calls %v) and were killed\n",
		seed, batches, nCalls, total, time.Since(start).Seconds(), exited, signaled, bySignal, blocked, blockedIn)
	fmt.Println("EXIT-SUCCESS")
}
