// Arguments, environment and an exit status.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Println("hello from", len(os.Args)-1, "arguments")
	for i, a := range os.Args[1:] {
		fmt.Printf("arg %d: %q\n", i, a)
	}
	fmt.Printf("GODFLY_TEST_VAR=%q\n", os.Getenv("GODFLY_TEST_VAR"))
	_, set := os.LookupEnv("GODFLY_UNSET_VAR")
	fmt.Println("unset variable present:", set)
	fmt.Println("EXIT-SUCCESS")
	os.Exit(7)
}
