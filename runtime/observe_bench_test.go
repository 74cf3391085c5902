package gopatchrt_test

import (
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	gopatchrt "gopatch.dev/gopatch/runtime"
)

// The benchmarks compare the observe hub with passthrough: each runs its body once
// per hub, as sub-benchmarks hub=passthrough and hub=observe, so that
//
//	go test -run '^$' -bench . -count 10 | benchstat -col /hub -
//
// shows the observe hub's cost as a ratio.

var benchPkg = gopatchrt.NewPackage("example.com/observe/bench", 32, "net,os,sync,time,http")

// eachHub runs body under passthrough and under a fresh observer.
func eachHub(b *testing.B, body func(b *testing.B)) {
	for _, hub := range []string{"passthrough", "observe"} {
		b.Run("hub="+hub, func(b *testing.B) {
			var h gopatchrt.Hub
			if hub == "observe" {
				h = gopatchrt.NewObserver()
			}
			prev := gopatchrt.Use(h)
			defer gopatchrt.Use(prev)
			body(b)
		})
	}
}

// BenchmarkObserveCall measures the cost of one patched call of a cheap operation
// (so that the hub's cost is what is measured), from one goroutine and from
// GOMAXPROCS goroutines sharing the call site.
func BenchmarkObserveCall(b *testing.B) {
	b.Run("op=Sleep0", func(b *testing.B) {
		eachHub(b, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				benchPkg.At(0).Sleep(0)
			}
		})
	})
	b.Run("op=MutexLockUnlock", func(b *testing.B) {
		eachHub(b, func(b *testing.B) {
			var mu sync.Mutex
			for i := 0; i < b.N; i++ {
				benchPkg.At(1).MutexLock(&mu)
				benchPkg.At(2).MutexUnlock(&mu)
			}
		})
	})
	b.Run("op=Sleep0-parallel", func(b *testing.B) {
		eachHub(b, func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					benchPkg.At(3).Sleep(0)
				}
			})
		})
	})
}

// BenchmarkObserveHTTPLoopback serves HTTP on 127.0.0.1 and sends it requests from
// GOMAXPROCS goroutines over keep-alive connections; the handler takes a lock and
// reads the clock, the client's Do is patched, as in a patched program. One op is
// one request.
func BenchmarkObserveHTTPLoopback(b *testing.B) {
	eachHub(b, func(b *testing.B) {
		l, err := benchPkg.At(10).Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		var mu sync.Mutex
		hits := 0
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			benchPkg.At(11).MutexLock(&mu)
			hits++
			benchPkg.At(12).MutexUnlock(&mu)
			fmt.Fprintf(w, "hello at %d\n", benchPkg.At(13).Now().UnixNano())
		})}
		done := make(chan struct{})
		go func() {
			defer close(done)
			benchPkg.At(14).ServerServe(srv, l)
		}()
		defer func() {
			srv.Close()
			<-done
		}()
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
		defer client.CloseIdleConnections()
		url := "http://" + l.Addr().String() + "/"
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				req, _ := http.NewRequest("GET", url, nil)
				resp, err := benchPkg.At(15).ClientDo(client, req)
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	})
}

// BenchmarkObserveFiles is a file-heavy job: one op creates a file, writes it in
// 16 writes of 4 KiB, reads it back whole, rewrites it with WriteFile, reads it
// again through Open and Read, and lists the directory every 64 ops.
func BenchmarkObserveFiles(b *testing.B) {
	eachHub(b, func(b *testing.B) {
		dir := b.TempDir()
		chunk := make([]byte, 4<<10)
		buf := make([]byte, 64<<10)
		b.SetBytes(4 * 64 << 10)
		for i := 0; i < b.N; i++ {
			name := filepath.Join(dir, fmt.Sprintf("f%d", i%64))
			f, err := benchPkg.At(20).Create(name)
			if err != nil {
				b.Fatal(err)
			}
			for j := 0; j < 16; j++ {
				if _, err := benchPkg.At(21).FileWrite(f, chunk); err != nil {
					b.Fatal(err)
				}
			}
			f.Close()
			data, err := benchPkg.At(22).ReadFile(name)
			if err != nil || len(data) != 64<<10 {
				b.Fatal(len(data), err)
			}
			if err := benchPkg.At(23).WriteFile(name, data, 0o644); err != nil {
				b.Fatal(err)
			}
			f, err = benchPkg.At(24).Open(name)
			if err != nil {
				b.Fatal(err)
			}
			for {
				n, err := benchPkg.At(25).FileRead(f, buf[:16<<10])
				if err == io.EOF || n == 0 {
					break
				}
			}
			f.Close()
			if i%64 == 63 {
				if _, err := benchPkg.At(26).ReadDir(dir); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// BenchmarkObserveMemory makes b.N observed calls over four sites and reports the
// heap growth per million calls: the record does not grow with the calls.
func BenchmarkObserveMemory(b *testing.B) {
	o := gopatchrt.NewObserver()
	prev := gopatchrt.Use(o)
	defer gopatchrt.Use(prev)
	heap := func() int64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return int64(m.HeapAlloc)
	}
	for i := 0; i < 4; i++ {
		benchPkg.At(28 + i).Sleep(0)
	}
	before := heap()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		benchPkg.At(28 + i&3).Sleep(0)
	}
	b.StopTimer()
	after := heap()
	b.ReportMetric(float64(before), "heap-before-B")
	b.ReportMetric(float64(after), "heap-after-B")
}
