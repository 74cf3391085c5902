package gopatchrt

import (
	"context"
	"net"
	"net/http"
)

// netClient implements clientNetwork: the patched client calls (http.Get,
// Client.Do …) send a request to a loopback address that a virtual listener
// holds over the virtual network, as a server started through a patched
// ListenAndServe, or Serve on a patched Listen, takes it there; any other address
// (an httptest server, which listens on a real socket) they dial as the
// transport would. A client whose transport is an *http.Transport (or nil:
// http.DefaultTransport) gets a copy whose transport is a clone that dials so,
// made once per transport and sim so that connections are kept alive across
// requests as they would be, and closed when the sim ends. A transport of another
// type (one wrapping another RoundTripper) is used as it is and reaches the
// virtual network only if it dials through a patched dial; so is a transport's
// own TLS dialer (DialTLSContext), used for https.
func (s *Sim) netClient(client *http.Client) *http.Client {
	rt := client.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	t, ok := rt.(*http.Transport)
	if !ok {
		return client
	}
	s.httpMu.Lock()
	vt := s.transports[t]
	if vt == nil {
		vt = t.Clone()
		real := t.DialContext
		if real == nil && t.Dial != nil {
			dial := t.Dial
			real = func(_ context.Context, network, address string) (net.Conn, error) { return dial(network, address) }
		}
		if real == nil { // a zero net.Dialer, as net/http's own for a transport without one
			real = (&net.Dialer{}).DialContext
		}
		vt.DialContext = func(ctx context.Context, network, address string) (net.Conn, error) {
			if s.listening(network, address) {
				return s.DialContext(nil, ctx, network, address)
			}
			return real(ctx, network, address)
		}
		if s.transports == nil {
			s.transports = map[*http.Transport]*http.Transport{}
		}
		s.transports[t] = vt
	}
	s.httpMu.Unlock()
	c := *client
	c.Transport = vt
	return &c
}

// listening reports whether a virtual listener holds the loopback TCP address.
func (s *Sim) listening(network, address string) bool {
	port, err := resolve("dial", network, address)
	if err != nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.net.listeners[port]
	return l != nil && !l.closed
}

// closeTransports closes the idle connections of the transports netClient made,
// once the sim has ended: their goroutines, waiting to read from virtual
// connections, end.
func (s *Sim) closeTransports() {
	s.httpMu.Lock()
	ts := s.transports
	s.transports = nil
	s.httpMu.Unlock()
	for _, t := range ts {
		t.CloseIdleConnections()
	}
}
