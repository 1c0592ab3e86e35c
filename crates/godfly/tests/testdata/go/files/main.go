// File operations in a temporary directory.
package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

func check(err error) {
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
}

func main() {
	dir, err := os.MkdirTemp("", "godfly-files-")
	check(err)
	defer os.RemoveAll(dir)

	p := filepath.Join(dir, "a.txt")
	check(os.WriteFile(p, []byte("hello\n"), 0644))
	f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	check(err)
	_, err = f.WriteString("world\n")
	check(err)
	check(f.Close())

	f, err = os.Open(p)
	check(err)
	_, err = f.Seek(6, io.SeekStart)
	check(err)
	buf := make([]byte, 5)
	_, err = io.ReadFull(f, buf)
	check(err)
	fmt.Printf("after seek: %q\n", buf)
	off, err := f.Seek(-3, io.SeekEnd)
	check(err)
	fmt.Println("offset from end:", off)
	check(f.Close())

	st, err := os.Stat(p)
	check(err)
	fmt.Println("size:", st.Size(), "mode:", st.Mode(), "dir:", st.IsDir(), "name:", st.Name())

	q := filepath.Join(dir, "b.txt")
	check(os.Rename(p, q))
	_, err = os.Stat(p)
	fmt.Println("old name gone:", errors.Is(err, fs.ErrNotExist))

	l := filepath.Join(dir, "link")
	check(os.Symlink("b.txt", l))
	target, err := os.Readlink(l)
	check(err)
	fmt.Println("readlink:", target)
	lst, err := os.Lstat(l)
	check(err)
	fmt.Println("lstat is symlink:", lst.Mode()&fs.ModeSymlink != 0)
	data, err := os.ReadFile(l)
	check(err)
	fmt.Printf("through link: %q\n", data)

	check(os.Chmod(q, 0600))
	st, err = os.Stat(q)
	check(err)
	fmt.Println("mode after chmod:", st.Mode().Perm())

	check(os.Mkdir(filepath.Join(dir, "sub"), 0755))
	for i := 0; i < 50; i++ {
		check(os.WriteFile(filepath.Join(dir, "sub", fmt.Sprintf("f%02d", i)), nil, 0644))
	}
	entries, err := os.ReadDir(dir)
	check(err)
	var names []string
	for _, e := range entries {
		names = append(names, fmt.Sprintf("%s(dir=%v)", e.Name(), e.IsDir()))
	}
	sort.Strings(names)
	fmt.Println("entries:", names)
	sub, err := os.ReadDir(filepath.Join(dir, "sub"))
	check(err)
	fmt.Println("sub entries:", len(sub), "first:", sub[0].Name(), "last:", sub[len(sub)-1].Name())

	var walked int
	check(filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		walked++
		return err
	}))
	fmt.Println("walked:", walked)

	_, err = os.Open(filepath.Join(dir, "missing"))
	fmt.Println("missing file:", errors.Is(err, fs.ErrNotExist))

	check(os.Remove(l))
	check(os.Remove(q))
	check(os.RemoveAll(filepath.Join(dir, "sub")))
	entries, err = os.ReadDir(dir)
	check(err)
	fmt.Println("empty after remove:", len(entries) == 0)

	wd, err := os.Getwd()
	check(err)
	check(os.Chdir(dir))
	wd2, err := os.Getwd()
	check(err)
	real, _ := filepath.EvalSymlinks(dir)
	fmt.Println("chdir worked:", wd2 == dir || wd2 == real)
	check(os.Chdir(wd))
	host, err := os.Hostname()
	check(err)
	fmt.Println("hostname known:", host != "")
	exe, err := os.Executable()
	check(err)
	fmt.Println("executable is absolute:", filepath.IsAbs(exe))
	fmt.Println("EXIT-SUCCESS")
}
