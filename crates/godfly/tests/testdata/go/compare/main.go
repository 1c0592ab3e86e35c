// A small program for `godfly compare`'s golden test: it works in the
// directory given as its argument (files, a missing one, a listing, a
// pipe) and ends with status 3, doing the same on every system; with a
// second argument "goos" it first prints the system it was built for.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

func main() {
	dir := os.Args[1]
	if len(os.Args) > 2 && os.Args[2] == "goos" {
		// Where the builds part on purpose.
		fmt.Println("built for", runtime.GOOS)
	}
	_, err := os.Open(filepath.Join(dir, "missing"))
	fmt.Println("missing:", os.IsNotExist(err))
	f := filepath.Join(dir, "note.txt")
	if err := os.WriteFile(f, []byte("hello\n"), 0o644); err != nil {
		fmt.Println("write:", err)
		os.Exit(1)
	}
	b, err := os.ReadFile(f)
	fmt.Printf("read back: %q %v\n", b, err)
	st, err := os.Stat(f)
	fmt.Println("stat:", st.Size(), st.Mode(), err)
	names, err := os.ReadDir(dir)
	fmt.Println("entries:", len(names), err)
	r, w, _ := os.Pipe()
	w.Write([]byte("through a pipe"))
	w.Close()
	buf := make([]byte, 64)
	n, _ := r.Read(buf)
	fmt.Printf("pipe: %q\n", buf[:n])
	fmt.Println("remove:", os.Remove(f))
	os.Exit(3)
}
