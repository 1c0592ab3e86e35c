// Hello world, for the trace golden test.
package main

import "os"

func main() {
	os.Stdout.WriteString("hello, world\n")
}
