package gopatchrt_test

import (
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	gopatchrt "gopatch.dev/gopatch/runtime"
)

// Each benchmark compares the original call (impl=direct) with the shim under
// passthrough (impl=shim) and under a hub that does nothing (impl=hub), the slow
// path's cost; benchstat puts them side by side (scripts/bench-runtime.sh):
//
//	go test -run '^$' -bench . -benchmem -count 6 > bench.txt && benchstat -col /impl bench.txt

// nopHub is the cheapest hub: it lets every call through.
type nopHub struct{}

func (nopHub) Name() string                                                 { return "nop" }
func (nopHub) Before(*gopatchrt.Site, *gopatchrt.Op) gopatchrt.Token        { return gopatchrt.Token{} }
func (nopHub) After(*gopatchrt.Site, *gopatchrt.Op, gopatchrt.Token, error) {}

var benchCall = gopatchrt.NewPackage("gopatch.dev/gopatch/runtime_test/bench", 1, "").At(0)

// compare runs direct, then shim under passthrough and under nopHub.
func compare(b *testing.B, direct func(), shim func(c gopatchrt.Call)) {
	b.Run("impl=direct", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			direct()
		}
	})
	b.Run("impl=shim", func(b *testing.B) {
		gopatchrt.Use(nil)
		c := benchCall
		for i := 0; i < b.N; i++ {
			shim(c)
		}
	})
	b.Run("impl=hub", func(b *testing.B) {
		gopatchrt.Use(nopHub{})
		defer gopatchrt.Use(nil)
		c := benchCall
		for i := 0; i < b.N; i++ {
			shim(c)
		}
	})
}

var (
	sinkTime time.Time
	sinkDur  time.Duration
	sinkInt  int
)

func BenchmarkNow(b *testing.B) {
	compare(b, func() { sinkTime = time.Now() }, func(c gopatchrt.Call) { sinkTime = c.Now() })
}

func BenchmarkSince(b *testing.B) {
	t0 := time.Now()
	compare(b, func() { sinkDur = time.Since(t0) }, func(c gopatchrt.Call) { sinkDur = c.Since(t0) })
}

func BenchmarkSleep0(b *testing.B) {
	compare(b, func() { time.Sleep(0) }, func(c gopatchrt.Call) { c.Sleep(0) })
}

func BenchmarkMutexLockUnlock(b *testing.B) {
	var mu sync.Mutex
	compare(b, func() { mu.Lock(); mu.Unlock() }, func(c gopatchrt.Call) { c.MutexLock(&mu); c.MutexUnlock(&mu) })
}

func BenchmarkWaitGroupAddDone(b *testing.B) {
	var wg sync.WaitGroup
	compare(b, func() { wg.Add(1); wg.Done() }, func(c gopatchrt.Call) { c.WaitGroupAdd(&wg, 1); c.WaitGroupDone(&wg) })
}

func BenchmarkFileReadAt(b *testing.B) {
	name := filepath.Join(b.TempDir(), "f")
	if err := os.WriteFile(name, make([]byte, 4096), 0o600); err != nil {
		b.Fatal(err)
	}
	f, err := os.Open(name)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 64)
	compare(b, func() { sinkInt, _ = f.ReadAt(buf, 128) }, func(c gopatchrt.Call) { sinkInt, _ = c.FileReadAt(f, buf, 128) })
}

func BenchmarkConnWrite(b *testing.B) {
	conn, server := tcpPair(b)
	go io.Copy(io.Discard, server)
	buf := make([]byte, 64)
	compare(b, func() { sinkInt, _ = conn.Write(buf) }, func(c gopatchrt.Call) { sinkInt, _ = c.ConnWrite(conn, buf) })
}

func BenchmarkLookupPort(b *testing.B) {
	compare(b, func() { sinkInt, _ = net.LookupPort("tcp", "http") },
		func(c gopatchrt.Call) { sinkInt, _ = c.LookupPort("tcp", "http") })
}

func BenchmarkClientGet(b *testing.B) {
	l := listenTCP(b)
	srv := &http.Server{Handler: hello}
	go srv.Serve(l)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{}}
	url := "http://" + l.Addr().String()
	get := func(resp *http.Response, err error) {
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	compare(b, func() { get(client.Get(url)) }, func(c gopatchrt.Call) { get(c.ClientGet(client, url)) })
}

func BenchmarkTLSConnWrite(b *testing.B) {
	client, server := tlsPair(b)
	if err := client.Handshake(); err != nil {
		b.Fatal(err)
	}
	go io.Copy(io.Discard, server)
	buf := make([]byte, 64)
	compare(b, func() { sinkInt, _ = client.Write(buf) }, func(c gopatchrt.Call) { sinkInt, _ = c.TLSConnWrite(client, buf) })
}

func BenchmarkCmdRun(b *testing.B) {
	run := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	compare(b, func() { run(exec.Command("true").Run()) }, func(c gopatchrt.Call) { run(c.CmdRun(exec.Command("true"))) })
}
