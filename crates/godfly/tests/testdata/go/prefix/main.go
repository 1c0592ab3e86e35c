// Reads /etc/godfly-prefix-test, which exists only under the -L prefix.
package main

import (
	"fmt"
	"os"
)

func main() {
	b, err := os.ReadFile("/etc/godfly-prefix-test")
	fmt.Printf("%q %v\n", b, err)
	_, err = os.Stat("/etc/passwd")
	fmt.Println("host file still visible:", err == nil)
}
