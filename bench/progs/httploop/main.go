// HTTP exchange on loopback: 2000 sequential requests.
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
)

func main() {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	url := "http://" + ln.Addr().String() + "/"
	for i := 0; i < 2000; i++ {
		r, err := http.Get(url)
		if err != nil {
			fmt.Println(err)
			return
		}
		io.ReadAll(r.Body)
		r.Body.Close()
	}
	fmt.Println("done")
}
