// System-call heavy: small writes to /dev/null, time.Now() and os.Stat,
// chosen by the first argument (write, now, stat, getppid).
package main

import (
	"fmt"
	"os"
	"syscall"
	"time"
)

func main() {
	n := 200000
	switch os.Args[1] {
	case "write":
		f, _ := os.OpenFile("/dev/null", os.O_WRONLY, 0)
		b := []byte("x")
		for i := 0; i < n; i++ {
			f.Write(b)
		}
	case "now":
		var t time.Time
		for i := 0; i < n; i++ {
			t = time.Now()
		}
		_ = t
	case "stat":
		for i := 0; i < n/4; i++ {
			os.Stat("/etc/hostname")
		}
	case "getppid":
		for i := 0; i < n; i++ {
			syscall.Getppid()
		}
	}
	fmt.Println("done")
}
