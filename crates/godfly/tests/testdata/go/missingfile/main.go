// Opens a file that does not exist, for the trace golden test.
package main

import (
	"fmt"
	"os"
)

func main() {
	_, err := os.Open("/nonexistent/godfly-missing-file")
	fmt.Println(err)
	os.Exit(1)
}
