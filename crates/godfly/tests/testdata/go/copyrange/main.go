// copyrange: file-to-file copies as os.File.ReadFrom does them (by
// copy_file_range on FreeBSD and Linux): a whole file, a part from an
// offset with io.CopyN, appending to a file that has data, and a copy
// from one file system to another (the directory given, and /dev/shm).
// Prints what the copies hold, the same on every system.
package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

func check(err error) {
	if err != nil {
		fmt.Println("FAIL:", err)
		os.Exit(1)
	}
}

func sum(path string) string {
	b, err := os.ReadFile(path)
	check(err)
	return fmt.Sprintf("%d bytes %x", len(b), sha256.Sum256(b))[:24]
}

func cp(dst, src string, flag int) int64 {
	in, err := os.Open(src)
	check(err)
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|flag, 0o644)
	check(err)
	defer out.Close()
	n, err := io.Copy(out, in)
	check(err)
	return n
}

func main() {
	dir, err := os.MkdirTemp(os.Args[1], "copyrange")
	check(err)
	defer os.RemoveAll(dir)
	data := bytes.Repeat([]byte("0123456789abcdef"), 300_000) // 4.8 MB: more than one call's worth
	src := filepath.Join(dir, "src")
	check(os.WriteFile(src, data, 0o644))

	fmt.Println("whole:", cp(filepath.Join(dir, "whole"), src, os.O_TRUNC), sum(filepath.Join(dir, "whole")))

	in, err := os.Open(src)
	check(err)
	_, err = in.Seek(1000, io.SeekStart)
	check(err)
	out, err := os.Create(filepath.Join(dir, "part"))
	check(err)
	n, err := io.CopyN(out, in, 70_000)
	check(err)
	pos, _ := in.Seek(0, io.SeekCurrent)
	opos, _ := out.Seek(0, io.SeekCurrent)
	in.Close()
	out.Close()
	fmt.Println("part:", n, "offsets after:", pos, opos, sum(filepath.Join(dir, "part")))

	app := filepath.Join(dir, "append")
	check(os.WriteFile(app, []byte("head\n"), 0o644))
	fmt.Println("append:", cp(app, src, os.O_APPEND), sum(app))

	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		other, err := os.MkdirTemp("/dev/shm", "copyrange")
		check(err)
		defer os.RemoveAll(other)
		far := filepath.Join(other, "far")
		fmt.Println("to another file system:", cp(far, src, os.O_TRUNC), sum(far))
		back := filepath.Join(dir, "back")
		fmt.Println("and back:", cp(back, far, os.O_TRUNC), sum(back))
	} else {
		fmt.Println("no /dev/shm")
	}
	fmt.Println("EXIT-SUCCESS")
}
