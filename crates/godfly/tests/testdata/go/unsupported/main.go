// Calls DragonFly does not have and a DragonFly call godfly does not
// implement, and prints the errors.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// DragonFly posts SIGSYS for a number it does not implement; ignore it
	// to see the EINVAL that comes with it.
	signal.Ignore(syscall.SIGSYS)
	_, _, e := syscall.Syscall(8, 0, 0, 0) // OBSOL creat
	fmt.Println("obsolete call:", int(e), e == syscall.EINVAL)
	_, _, e = syscall.Syscall(600, 0, 0, 0) // past the table
	fmt.Println("out of range:", int(e), e == syscall.EINVAL)
	_, _, e = syscall.Syscall(syscall.SYS_JAIL, 0, 0, 0)
	fmt.Println("jail:", int(e), e == syscall.ENOSYS)
	_, _, e = syscall.Syscall(syscall.SYS_JAIL, 0, 0, 0)
	fmt.Println("jail again:", int(e))
	_, _, e = syscall.Syscall(syscall.SYS_OPEN, 0x10, 0, 0) // bad pointer
	fmt.Println("bad pointer:", int(e), e == syscall.EFAULT)
	os.Exit(0)
}
