// File-system walk: stats every entry under a directory (argument).
package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

func main() {
	n := 0
	filepath.WalkDir(os.Args[1], func(p string, d fs.DirEntry, err error) error {
		if err == nil {
			if _, err := d.Info(); err == nil {
				n++
			}
		}
		return nil
	})
	fmt.Println(n > 0)
}
