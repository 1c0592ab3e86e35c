// A CPU profile (SIGPROF from setitimer) of a busy loop has samples.
package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"runtime/pprof"
	"time"
)

var sink uint64

func busy(d time.Duration) {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		for i := 0; i < 100000; i++ {
			sink += uint64(i) * 2654435761
		}
	}
}

func varint(b []byte) (uint64, int) {
	var v uint64
	for i := 0; i < len(b) && i < 10; i++ {
		v |= uint64(b[i]&0x7f) << (7 * i)
		if b[i] < 0x80 {
			return v, i + 1
		}
	}
	return 0, 0
}

// samples counts the top-level `sample` fields (number 2) of a
// profile.proto message.
func samples(data []byte) int {
	n := 0
	for len(data) > 0 {
		tag, k := varint(data)
		if k == 0 {
			return -1
		}
		data = data[k:]
		switch tag & 7 {
		case 0:
			_, k = varint(data)
			data = data[k:]
		case 2:
			l, k := varint(data)
			if k == 0 || int(l) > len(data)-k {
				return -1
			}
			if tag>>3 == 2 {
				n++
			}
			data = data[k+int(l):]
		case 1:
			data = data[8:]
		case 5:
			data = data[4:]
		default:
			return -1
		}
	}
	return n
}

func main() {
	var buf bytes.Buffer
	if err := pprof.StartCPUProfile(&buf); err != nil {
		fmt.Println("start:", err)
		return
	}
	busy(400 * time.Millisecond)
	pprof.StopCPUProfile()
	zr, err := gzip.NewReader(&buf)
	if err != nil {
		fmt.Println("gzip:", err)
		return
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		fmt.Println("read:", err)
		return
	}
	fmt.Println("profile has samples:", samples(raw) > 0)
	fmt.Println("EXIT-SUCCESS")
}
