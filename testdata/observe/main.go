// Command observedemo is a patched program with known blocking: sleeps, a
// contended lock, file writes, loopback HTTP requests, a loopback echo exchange
// and a subprocess. Run under GOPATCH_HUB=observe, its profile must show every
// site with its count and at least the blocked time its comments give.
//
// The calls are written as gopatch writes them; profile.go is the one line a
// program adds to write its profile before it exits.
package main

import (
	"fmt"
	"io"
	_ "net" /* gopatch:unused */
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"
)

func main() {
	if os.Getenv("OBSERVEDEMO_CHILD") != "" {
		gopatch.At(24).Sleep(20 * time.Millisecond)
		return
	}
	sleeps()
	contention()
	files()
	web()
	echo()
	subprocess()
	if err := writeProfile(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// sleeps: site 0, 5 calls, ≥ 50ms.
func sleeps() {
	for i := 0; i < 5; i++ {
		gopatch.At(0).Sleep(10 * time.Millisecond)
	}
}

// contention: a holder keeps mu for 60ms three times while a waiter asks for it;
// site 4, the waiter's Lock, waits most of each hold (the test asks for half).
func contention() {
	var mu sync.Mutex
	for i := 0; i < 3; i++ {
		locked := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			gopatch.At(1).MutexLock(&mu)
			close(locked)
			gopatch.At(2).Sleep(60 * time.Millisecond)
			gopatch.At(3).MutexUnlock(&mu)
		}()
		<-locked
		gopatch.At(4).MutexLock(&mu)
		gopatch.At(5).MutexUnlock(&mu)
		<-done
	}
}

// files: one file written in 100 writes and synced, ten files written and read
// back whole, and one read of a file that is not there (an error).
func files() {
	dir, err := os.MkdirTemp("", "observedemo")
	check(err)
	defer os.RemoveAll(dir)
	f, err := gopatch.At(6).Create(filepath.Join(dir, "log"))
	check(err)
	line := []byte("a line of the log, written on its own\n")
	for i := 0; i < 100; i++ {
		_, err := gopatch.At(7).FileWrite(f, line)
		check(err)
	}
	check(gopatch.At(8).FileSync(f))
	check(f.Close())
	for i := 0; i < 10; i++ {
		name := filepath.Join(dir, fmt.Sprint("part", i))
		check(gopatch.At(9).WriteFile(name, line, 0o644))
		_, err := gopatch.At(10).ReadFile(name)
		check(err)
	}
	if _, err := gopatch.At(25).ReadFile(filepath.Join(dir, "missing")); err == nil {
		panic("read a missing file")
	}
}

// web: 20 GETs on 127.0.0.1 of a handler that sleeps 5ms (site 13), so the
// client's site 14 blocks ≥ 100ms; the server's Serve (site 12) returns once, with
// http.ErrServerClosed.
func web() {
	l, err := gopatch.At(11).Listen("tcp", "127.0.0.1:0")
	check(err)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gopatch.At(13).Sleep(5 * time.Millisecond)
		io.WriteString(w, "ok\n")
	})}
	served := make(chan struct{})
	go func() {
		defer close(served)
		gopatch.At(12).ServerServe(srv, l)
	}()
	client := &http.Client{}
	for i := 0; i < 20; i++ {
		resp, err := gopatch.At(14).ClientGet(client, "http://"+l.Addr().String()+"/")
		check(err)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	client.CloseIdleConnections()
	check(srv.Close())
	<-served
}

// echo: a loopback echo server that waits 2ms before each answer; the client's 10
// reads (site 22) block ≥ 20ms. The server reads 11 times, the last returning
// io.EOF (an error) once the client hangs up.
func echo() {
	l, err := gopatch.At(15).Listen("tcp", "127.0.0.1:0")
	check(err)
	defer l.Close()
	served := make(chan struct{})
	go func() {
		defer close(served)
		conn, err := gopatch.At(16).ListenerAccept(l)
		if err != nil {
			return
		}
		defer conn.Close()
		buf := make([]byte, 64)
		for {
			n, err := gopatch.At(18).ConnRead(conn, buf)
			if err != nil {
				return
			}
			gopatch.At(17).Sleep(2 * time.Millisecond)
			if _, err := gopatch.At(19).ConnWrite(conn, buf[:n]); err != nil {
				return
			}
		}
	}()
	conn, err := gopatch.At(20).Dial("tcp", l.Addr().String())
	check(err)
	buf := make([]byte, 64)
	for i := 0; i < 10; i++ {
		_, err := gopatch.At(21).ConnWrite(conn, []byte("ping"))
		check(err)
		_, err = io.ReadFull(readerFunc(func(p []byte) (int, error) {
			return gopatch.At(22).ConnRead(conn, p)
		}), buf[:4])
		check(err)
	}
	check(conn.Close())
	<-served // the server's last read has returned io.EOF
}

// subprocess: runs this program as a child that sleeps 20ms; site 23 blocks ≥ 20ms.
func subprocess() {
	self, err := os.Executable()
	check(err)
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), "OBSERVEDEMO_CHILD=1", "GOPATCH_HUB=")
	check(gopatch.At(23).CmdRun(cmd))
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

func check(err error) {
	if err != nil {
		panic(err)
	}
}
