package gopatchrt

import (
	"context"
	"crypto/tls"
	"net"
)

// The TLS shims dial through the real network under every hub, a Network included.

var (
	opTLSDial                 = &Op{"tls", "crypto/tls.Dial"}
	opTLSDialWithDialer       = &Op{"tls", "crypto/tls.DialWithDialer"}
	opTLSDialerDial           = &Op{"tls", "(*crypto/tls.Dialer).Dial"}
	opTLSDialerDialContext    = &Op{"tls", "(*crypto/tls.Dialer).DialContext"}
	opTLSConnHandshake        = &Op{"tls", "(*crypto/tls.Conn).Handshake"}
	opTLSConnHandshakeContext = &Op{"tls", "(*crypto/tls.Conn).HandshakeContext"}
	opTLSConnRead             = &Op{"tls", "(*crypto/tls.Conn).Read"}
	opTLSConnWrite            = &Op{"tls", "(*crypto/tls.Conn).Write"}
)

// TLSDial stands in for crypto/tls.Dial.
func (c Call) TLSDial(network, addr string, config *tls.Config) (*tls.Conn, error) {
	if h := active(); h != nil {
		return run1(c, h, opTLSDial, func() (*tls.Conn, error) { return tls.Dial(network, addr, config) })
	}
	return tls.Dial(network, addr, config)
}

// TLSDialWithDialer stands in for crypto/tls.DialWithDialer.
func (c Call) TLSDialWithDialer(dialer *net.Dialer, network, addr string, config *tls.Config) (*tls.Conn, error) {
	if h := active(); h != nil {
		return run1(c, h, opTLSDialWithDialer, func() (*tls.Conn, error) { return tls.DialWithDialer(dialer, network, addr, config) })
	}
	return tls.DialWithDialer(dialer, network, addr, config)
}

// TLSDialerDial stands in for (*crypto/tls.Dialer).Dial.
func (c Call) TLSDialerDial(d *tls.Dialer, network, addr string) (net.Conn, error) {
	if h := active(); h != nil {
		return run1(c, h, opTLSDialerDial, func() (net.Conn, error) { return d.Dial(network, addr) })
	}
	return d.Dial(network, addr)
}

// TLSDialerDialContext stands in for (*crypto/tls.Dialer).DialContext.
func (c Call) TLSDialerDialContext(d *tls.Dialer, ctx context.Context, network, addr string) (net.Conn, error) {
	if h := active(); h != nil {
		return run1(c, h, opTLSDialerDialContext, func() (net.Conn, error) { return d.DialContext(ctx, network, addr) })
	}
	return d.DialContext(ctx, network, addr)
}

// TLSConnHandshake stands in for (*crypto/tls.Conn).Handshake.
func (c Call) TLSConnHandshake(conn *tls.Conn) error {
	if h := active(); h != nil {
		return run(c, h, opTLSConnHandshake, conn.Handshake)
	}
	return conn.Handshake()
}

// TLSConnHandshakeContext stands in for (*crypto/tls.Conn).HandshakeContext.
func (c Call) TLSConnHandshakeContext(conn *tls.Conn, ctx context.Context) error {
	if h := active(); h != nil {
		return run(c, h, opTLSConnHandshakeContext, func() error { return conn.HandshakeContext(ctx) })
	}
	return conn.HandshakeContext(ctx)
}

// TLSConnRead stands in for (*crypto/tls.Conn).Read.
func (c Call) TLSConnRead(conn *tls.Conn, b []byte) (int, error) {
	if h := active(); h != nil {
		return run1(c, h, opTLSConnRead, func() (int, error) { return conn.Read(b) })
	}
	return conn.Read(b)
}

// TLSConnWrite stands in for (*crypto/tls.Conn).Write.
func (c Call) TLSConnWrite(conn *tls.Conn, b []byte) (int, error) {
	if h := active(); h != nil {
		return run1(c, h, opTLSConnWrite, func() (int, error) { return conn.Write(b) })
	}
	return conn.Write(b)
}
