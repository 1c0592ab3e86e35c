// net.Interfaces with each interface's addresses and multicast groups:
// on FreeBSD these come from routing messages (NET_RT_IFLIST and
// NET_RT_IFMALIST), on Linux from netlink and /proc; the lists agree.
package main

import (
	"fmt"
	"net"
	"os"
)

func main() {
	ifs, err := net.Interfaces()
	if err != nil {
		fmt.Println("interfaces:", err)
		os.Exit(1)
	}
	for _, i := range ifs {
		addrs, err := i.Addrs()
		if err != nil {
			fmt.Println("addrs:", err)
			os.Exit(1)
		}
		groups, err := i.MulticastAddrs()
		if err != nil {
			fmt.Println("multicast:", err)
			os.Exit(1)
		}
		fmt.Println(i.Name, i.Index, i.MTU, i.Flags, addrs, groups)
	}
	fmt.Println("EXIT-SUCCESS")
}
