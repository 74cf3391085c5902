package fetch

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func TestGetRetries(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	c := &Client{HTTP: srv.Client(), Attempts: 5, Backoff: time.Millisecond}
	body, err := c.Get(srv.URL)
	if err != nil || string(body) != "ok" {
		t.Fatalf("Get = %q, %v", body, err)
	}
	if n := calls.Load(); n != 3 {
		t.Fatalf("server saw %d calls, want 3", n)
	}
}

func TestElapsed(t *testing.T) {
	if d := Elapsed(func() { time.Sleep(2 * time.Millisecond) }); d < 2*time.Millisecond {
		t.Fatalf("Elapsed = %v", d)
	}
}
