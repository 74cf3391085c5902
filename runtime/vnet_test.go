package gopatchrt_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	gopatchrt "gopatch.dev/gopatch/runtime"
	"gopatch.dev/gopatch/runtime/simtest"
)

var vp = gopatchrt.NewPackage("gopatch.dev/gopatch/runtime/vnet_test", 64, "time,sync,go,chan,net,http")

func TestVnetEchoAndDeadline(t *testing.T) {
	simtest.Run(t, func(t *testing.T) {
		ln, err := vp.At(0).Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		gopatchrt.Go(vp.At(1), func() {
			conn, err := vp.At(2).ListenerAccept(ln)
			if err != nil {
				t.Error(err)
				return
			}
			buf := make([]byte, 64)
			for {
				n, err := vp.At(3).ConnRead(conn, buf)
				if err != nil {
					conn.Close()
					return
				}
				vp.At(4).Sleep(time.Second)
				vp.At(5).ConnWrite(conn, []byte(strings.ToUpper(string(buf[:n]))))
			}
		})
		conn, err := vp.At(6).Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t0 := vp.At(7).Now()
		vp.At(8).ConnWrite(conn, []byte("hello"))
		buf := make([]byte, 64)
		n, err := vp.At(9).ConnRead(conn, buf)
		if err != nil || string(buf[:n]) != "HELLO" || vp.At(10).Since(t0) != time.Second+lag {
			t.Fatalf("read %q, %v after %v", buf[:n], err, vp.At(11).Since(t0))
		}
		conn.SetReadDeadline(vp.At(12).Now().Add(5 * time.Second))
		_, err = vp.At(13).ConnRead(conn, buf)
		if !errors.Is(err, os.ErrDeadlineExceeded) || vp.At(14).Since(t0) != 6*time.Second+2*lag {
			t.Fatalf("read: %v after %v", err, vp.At(15).Since(t0))
		}
		conn.Close()
		if _, err := vp.At(16).Dial("tcp", "192.0.2.1:80"); err == nil || !strings.Contains(err.Error(), "outside the virtual loopback") {
			t.Errorf("dial outside loopback: %v", err)
		}
		if _, err := vp.At(17).Dial("tcp", "127.0.0.1:1"); err == nil {
			t.Error("dial to a closed port succeeded")
		}
		ln.Close()
	})
}

// TestVnetHTTPRetry is the demonstration: a client retrying with exponential
// backoff against a loopback HTTP server that fails for its first virtual hour.
func TestVnetHTTPRetry(t *testing.T) {
	wall := time.Now()
	var attempts int
	s := simtest.Run(t, func(t *testing.T) {
		start := vp.At(20).Now()
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			vp.At(21).Sleep(50 * time.Millisecond) // server work, on virtual time
			if vp.At(22).Since(start) < time.Hour {
				http.Error(w, "flaky", http.StatusServiceUnavailable)
				return
			}
			fmt.Fprint(w, "ok")
		})}
		ln, err := vp.At(23).Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		served := make(chan error, 1)
		gopatchrt.Go(vp.At(24), func() { gopatchrt.Send(vp.At(25), served, vp.At(26).ServerServe(srv, ln)) })

		client := &http.Client{Transport: &http.Transport{
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				return vp.At(27).DialerDialContext(&net.Dialer{}, ctx, network, addr)
			},
		}}
		backoff := time.Second
		for {
			attempts++
			ctx, cancel := gopatchrt.WithTimeout(vp.At(28), context.Background(), 10*time.Second)
			req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+ln.Addr().String()+"/", nil)
			resp, err := vp.At(29).ClientDo(client, req)
			if err == nil {
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				cancel()
				if resp.StatusCode == http.StatusOK && string(body) == "ok" {
					break
				}
			} else {
				cancel()
			}
			vp.At(30).Sleep(backoff)
			if backoff *= 2; backoff > 5*time.Minute {
				backoff = 5 * time.Minute
			}
		}
		if el := vp.At(31).Since(start); el < time.Hour || el > time.Hour+6*time.Minute {
			t.Errorf("succeeded after %v of virtual time", el)
		}
		srv.Close()
		if err := gopatchrt.Recv(vp.At(32), served); !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve: %v", err)
		}
	})
	t.Logf("%d attempts over %v of virtual time in %v of wall time", attempts, s.Elapsed(), time.Since(wall))
	if w := time.Since(wall); w > time.Second {
		t.Errorf("an hour of virtual time took %v of wall time", w)
	}
}

// TestVnetHTTPClients: under the sim, the patched client calls reach a server on
// the virtual network whatever their transport dials with: the default client,
// and a client with its own *http.Transport whose dialer is unpatched (as
// libraries make them). Keep-alive works across requests of one transport, and
// the connections the sim's clones of the transports keep idle are closed when it
// ends. An address no virtual listener holds, an httptest server's real socket,
// is dialed for real.
func TestVnetHTTPClients(t *testing.T) {
	own := &http.Transport{DialContext: (&net.Dialer{Timeout: time.Second}).DialContext, MaxIdleConnsPerHost: 4}
	real := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "hello ", r.URL.Path) }))
	defer real.Close()
	var conns int
	simtest.Run(t, func(t *testing.T) {
		srv := &http.Server{
			Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "hello ", r.URL.Path) }),
			ConnState: func(_ net.Conn, s http.ConnState) {
				if s == http.StateNew {
					conns++
				}
			},
		}
		ln, err := vp.At(40).Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		gopatchrt.Go(vp.At(41), func() { vp.At(42).ServerServe(srv, ln) })
		url := "http://" + ln.Addr().String()
		get := func(name string, resp *http.Response, err error) {
			t.Helper()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if want := "hello /" + name; string(body) != want {
				t.Errorf("%s: body %q, want %q", name, body, want)
			}
		}
		resp, err := vp.At(43).HTTPGet(url + "/default")
		get("default", resp, err)
		for i := 0; i < 3; i++ {
			resp, err := vp.At(44).ClientGet(&http.Client{Transport: own}, url+"/own")
			get("own", resp, err)
		}
		req, _ := http.NewRequest("GET", url+"/do", nil)
		resp, err = vp.At(45).ClientDo(&http.Client{Transport: own}, req)
		get("do", resp, err)
		resp, err = vp.At(46).HTTPGet(real.URL + "/real")
		get("real", resp, err)
		resp, err = vp.At(47).ClientGet(&http.Client{Transport: own}, real.URL+"/real")
		get("real", resp, err)
	})
	// One connection for the default client and one for the other transport,
	// kept alive across its four requests.
	if conns != 2 {
		t.Errorf("%d connections, want 2", conns)
	}
}
