package gopatchrt

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"syscall"
	"time"
	"unsafe"
)

// The sim's virtual network: TCP on loopback, in memory. Listen and Dial (the
// Network interface) give net.Listener and net.Conn values whose Accept and Read
// wait through the hub, on the virtual clock, whoever calls them: an owned
// goroutine gives up the baton, a goroutine the hub does not own (net/http's)
// waits for the hub to wake it. Writes never block: each direction of a
// connection is an unbounded buffer. State is guarded by the hub's lock.

type vnet struct {
	s         *Sim
	listeners map[int]*vlistener
	nextPort  int
}

func newVnet(s *Sim) *vnet {
	return &vnet{s: s, listeners: map[int]*vlistener{}, nextPort: 40000}
}

var loopback = net.IPv4(127, 0, 0, 1)

// resolve checks that address is a loopback TCP address and returns its port.
func resolve(op, network, address string) (int, error) {
	switch network {
	case "tcp", "tcp4", "tcp6":
	default:
		return 0, &net.OpError{Op: op, Net: network, Err: fmt.Errorf("gopatch sim: network %q is not simulated (only tcp on loopback)", network)}
	}
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return 0, &net.OpError{Op: op, Net: network, Err: err}
	}
	if host != "" && host != "localhost" {
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			return 0, &net.OpError{Op: op, Net: network, Err: fmt.Errorf("gopatch sim: %s is outside the virtual loopback network", address)}
		}
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		switch port {
		case "http":
			p = 80
		case "https":
			p = 443
		default:
			return 0, &net.OpError{Op: op, Net: network, Err: fmt.Errorf("gopatch sim: unknown port %q", port)}
		}
	}
	return p, nil
}

// Listen implements Network.
func (s *Sim) Listen(site *Site, ctx context.Context, network, address string) (net.Listener, error) {
	port, err := resolve("listen", network, address)
	if err != nil {
		return nil, err
	}
	s.activity.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.net
	if port == 0 {
		for n.listeners[n.nextPort] != nil {
			n.nextPort++
		}
		port = n.nextPort
		n.nextPort++
	} else if n.listeners[port] != nil {
		return nil, &net.OpError{Op: "listen", Net: network, Err: os.NewSyscallError("bind", syscall.EADDRINUSE)}
	}
	l := &vlistener{s: s, addr: &net.TCPAddr{IP: loopback, Port: port}}
	n.listeners[port] = l
	return l, nil
}

// DialContext implements Network.
func (s *Sim) DialContext(site *Site, ctx context.Context, network, address string) (net.Conn, error) {
	port, err := resolve("dial", network, address)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: err}
	}
	s.activity.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.net
	raddr := &net.TCPAddr{IP: loopback, Port: port}
	l := n.listeners[port]
	if l == nil || l.closed {
		return nil, &net.OpError{Op: "dial", Net: network, Addr: raddr, Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	}
	for n.listeners[n.nextPort] != nil {
		n.nextPort++
	}
	laddr := &net.TCPAddr{IP: loopback, Port: n.nextPort}
	n.nextPort++
	up, down := &vpipe{}, &vpipe{}
	client := &vconn{s: s, rd: down, wr: up, local: laddr, remote: raddr}
	server := &vconn{s: s, rd: up, wr: down, local: raddr, remote: laddr}
	l.queue = append(l.queue, server)
	s.notifyLocked(unsafe.Pointer(l))
	return client, nil
}

// waitFor waits until cond (evaluated under the hub's lock) holds, or until the
// virtual deadline passes (it then reports true). It is a wait the hub can see.
func (s *Sim) waitFor(key unsafe.Pointer, deadline *time.Time, cond func() bool) (timedOut bool) {
	g := s.self()
	s.activity.Add(1)
	for {
		s.mu.Lock()
		if cond() {
			s.mu.Unlock()
			return false
		}
		var d time.Duration
		if !deadline.IsZero() {
			if d = deadline.Sub(SimEpoch.Add(time.Duration(s.now))); d <= 0 {
				s.mu.Unlock()
				return true
			}
		}
		g.cases = append(g.cases[:0], chanCase{key: key})
		s.addWaiterLocked(g, g.cases[0])
		g.why = "network"
		if d > 0 {
			g.timer = &vtimer{g: g}
			s.addTimerLocked(g.timer, d)
		}
		if g.sched() {
			g.state = gBlocked
			s.switchLocked(g)
			continue
		}
		s.dispatchLocked()
		s.mu.Unlock()
		tm := time.NewTimer(time.Millisecond)
		select {
		case <-g.wake:
		case <-tm.C:
		}
		tm.Stop()
		s.mu.Lock()
		s.unregisterLocked(g)
		if g.timer != nil {
			s.stopTimerLocked(g.timer)
			g.timer = nil
		}
		s.mu.Unlock()
	}
}

type vlistener struct {
	s      *Sim
	addr   *net.TCPAddr
	queue  []*vconn
	closed bool
}

func (l *vlistener) Accept() (net.Conn, error) {
	var none time.Time
	l.s.waitFor(unsafe.Pointer(l), &none, func() bool { return len(l.queue) > 0 || l.closed })
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	if l.closed {
		return nil, &net.OpError{Op: "accept", Net: "tcp", Addr: l.addr, Err: net.ErrClosed}
	}
	c := l.queue[0]
	l.queue = l.queue[1:]
	return c, nil
}

func (l *vlistener) Close() error {
	l.s.activity.Add(1)
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	if l.closed {
		return &net.OpError{Op: "close", Net: "tcp", Addr: l.addr, Err: net.ErrClosed}
	}
	l.closed = true
	if l.s.net.listeners[l.addr.Port] == l {
		delete(l.s.net.listeners, l.addr.Port)
	}
	for _, c := range l.queue { // never accepted: the dialer sees a reset
		c.closeLocked()
	}
	l.queue = nil
	l.s.notifyLocked(unsafe.Pointer(l))
	return nil
}

func (l *vlistener) Addr() net.Addr { return l.addr }

// vpipe is one direction of a connection.
type vpipe struct {
	buf     []byte
	eof     bool // the writer closed
	rclosed bool // the reader closed
}

type vconn struct {
	s             *Sim
	rd, wr        *vpipe
	local, remote *net.TCPAddr
	closed        bool
	rdl, wdl      time.Time
}

func (c *vconn) opErr(op string, err error) error {
	return &net.OpError{Op: op, Net: "tcp", Source: c.local, Addr: c.remote, Err: err}
}

func (c *vconn) Read(b []byte) (int, error) {
	timedOut := c.s.waitFor(unsafe.Pointer(c.rd), &c.rdl, func() bool {
		return len(c.rd.buf) > 0 || c.rd.eof || c.closed || len(b) == 0
	})
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	switch {
	case c.closed:
		return 0, c.opErr("read", net.ErrClosed)
	case len(c.rd.buf) > 0:
		n := copy(b, c.rd.buf)
		c.rd.buf = c.rd.buf[n:]
		if len(c.rd.buf) == 0 {
			c.rd.buf = nil
		}
		return n, nil
	case c.rd.eof:
		return 0, io.EOF
	case timedOut:
		return 0, c.opErr("read", os.ErrDeadlineExceeded)
	}
	return 0, nil
}

func (c *vconn) Write(b []byte) (int, error) {
	c.s.activity.Add(1)
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	switch {
	case c.closed:
		return 0, c.opErr("write", net.ErrClosed)
	case !c.wdl.IsZero() && !SimEpoch.Add(time.Duration(c.s.now)).Before(c.wdl):
		return 0, c.opErr("write", os.ErrDeadlineExceeded)
	case c.wr.eof:
		return 0, c.opErr("write", os.NewSyscallError("write", syscall.EPIPE))
	case c.wr.rclosed:
		return 0, c.opErr("write", os.NewSyscallError("write", syscall.ECONNRESET))
	}
	c.wr.buf = append(c.wr.buf, b...)
	c.s.notifyLocked(unsafe.Pointer(c.wr))
	return len(b), nil
}

func (c *vconn) Close() error {
	c.s.activity.Add(1)
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if c.closed {
		return c.opErr("close", net.ErrClosed)
	}
	c.closeLocked()
	return nil
}

func (c *vconn) closeLocked() {
	c.closed = true
	c.wr.eof = true
	c.rd.rclosed = true
	c.s.notifyLocked(unsafe.Pointer(c.wr))
	c.s.notifyLocked(unsafe.Pointer(c.rd))
}

// CloseWrite shuts the sending side, as (*net.TCPConn).CloseWrite does.
func (c *vconn) CloseWrite() error {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	c.wr.eof = true
	c.s.notifyLocked(unsafe.Pointer(c.wr))
	return nil
}

func (c *vconn) LocalAddr() net.Addr  { return c.local }
func (c *vconn) RemoteAddr() net.Addr { return c.remote }

func (c *vconn) SetDeadline(t time.Time) error {
	c.setDeadline(&c.rdl, t)
	c.setDeadline(&c.wdl, t)
	return nil
}
func (c *vconn) SetReadDeadline(t time.Time) error  { c.setDeadline(&c.rdl, t); return nil }
func (c *vconn) SetWriteDeadline(t time.Time) error { c.setDeadline(&c.wdl, t); return nil }

// setDeadline sets a deadline and wakes the waiters so that they look at it again.
func (c *vconn) setDeadline(d *time.Time, t time.Time) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	*d = t
	c.s.notifyLocked(unsafe.Pointer(c.rd))
}
