package gopatchrt_test

import (
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"testing"
	"time"

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

// httpLoopback serves HTTP on 127.0.0.1 (the handler takes a lock and reads the
// clock) and returns a function that sends it one request through the patched
// Client.Do, as in a patched program, and a function that shuts it down.
func httpLoopback(b *testing.B) (request func(), stop func()) {
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
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	url := "http://" + l.Addr().String() + "/"
	request = func() {
		req, _ := http.NewRequest("GET", url, nil)
		resp, err := benchPkg.At(15).ClientDo(client, req)
		if err != nil {
			b.Error(err)
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	stop = func() {
		client.CloseIdleConnections()
		srv.Close()
		<-done
	}
	return request, stop
}

// BenchmarkObserveHTTPLoopback sends requests to a loopback HTTP server from
// GOMAXPROCS goroutines over keep-alive connections. One op is one request.
func BenchmarkObserveHTTPLoopback(b *testing.B) {
	eachHub(b, func(b *testing.B) {
		request, stop := httpLoopback(b)
		defer stop()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				request()
			}
		})
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	})
}

// fileJob is a file-heavy job in dir: one op creates a file, writes it in 16 writes
// of 4 KiB, reads it back whole, rewrites it with WriteFile, reads it again through
// Open and Read, and lists the directory every 64 ops: 25 patched calls.
func fileJob(b *testing.B, dir string) func(i int) {
	chunk := make([]byte, 4<<10)
	buf := make([]byte, 16<<10)
	return func(i int) {
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
			n, err := benchPkg.At(25).FileRead(f, buf)
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
}

// BenchmarkObserveFiles runs the file-heavy job; one op is one job.
func BenchmarkObserveFiles(b *testing.B) {
	eachHub(b, func(b *testing.B) {
		job := fileJob(b, b.TempDir())
		b.SetBytes(4 * 64 << 10)
		for i := 0; i < b.N; i++ {
			job(i)
		}
	})
}

// BenchmarkObserveInterleaved measures the observe hub's cost on the loopback HTTP
// server and the file job on a machine whose load varies: each op is a round of
// two bursts of the workload, one under passthrough and one under observe (in
// alternating order), and the metric observe-% is the median over the rounds of
// the observe burst's time relative to the passthrough burst's, minus 100%.
// Slow drifts in the machine's load cancel within a round.
func BenchmarkObserveInterleaved(b *testing.B) {
	run := func(b *testing.B, burst func()) {
		o := gopatchrt.NewObserver()
		prev := gopatchrt.Use(nil)
		defer gopatchrt.Use(prev)
		timed := func(h gopatchrt.Hub) time.Duration {
			gopatchrt.Use(h)
			start := time.Now()
			burst()
			return time.Since(start)
		}
		ratios := make([]float64, 0, b.N)
		for i := 0; i < b.N; i++ {
			var pass, obs time.Duration
			if i%2 == 0 {
				pass, obs = timed(nil), timed(o)
			} else {
				obs, pass = timed(o), timed(nil)
			}
			ratios = append(ratios, float64(obs)/float64(pass))
		}
		gopatchrt.Use(nil)
		sort.Float64s(ratios)
		b.ReportMetric(100*(ratios[len(ratios)/2]-1), "observe-%")
	}
	b.Run("work=http", func(b *testing.B) {
		request, stop := httpLoopback(b)
		defer stop()
		const requests = 400 // per burst, from 4 goroutines
		run(b, func() {
			var wg sync.WaitGroup
			for g := 0; g < 4; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < requests/4; i++ {
						request()
					}
				}()
			}
			wg.Wait()
		})
	})
	b.Run("work=files", func(b *testing.B) {
		job := fileJob(b, b.TempDir())
		n := 0
		run(b, func() {
			for i := 0; i < 20; i++ {
				job(n)
				n++
			}
		})
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
