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
	return fwd32(c, network, addr, config, tls.Dial, Call.hubTLSDial)
}

// hubTLSDial is TLSDial while a hub is in force.
func (c Call) hubTLSDial(network, addr string, config *tls.Config) (*tls.Conn, error) {
	h := active()
	if h == nil {
		return tls.Dial(network, addr, config)
	}
	return run1(c, h, opTLSDial, func() (*tls.Conn, error) { return tls.Dial(network, addr, config) })
}

// TLSDialWithDialer stands in for crypto/tls.DialWithDialer.
func (c Call) TLSDialWithDialer(dialer *net.Dialer, network, addr string, config *tls.Config) (*tls.Conn, error) {
	return fwd42(c, dialer, network, addr, config, tls.DialWithDialer, Call.hubTLSDialWithDialer)
}

// hubTLSDialWithDialer is TLSDialWithDialer while a hub is in force.
func (c Call) hubTLSDialWithDialer(dialer *net.Dialer, network, addr string, config *tls.Config) (*tls.Conn, error) {
	h := active()
	if h == nil {
		return tls.DialWithDialer(dialer, network, addr, config)
	}
	return run1(c, h, opTLSDialWithDialer, func() (*tls.Conn, error) { return tls.DialWithDialer(dialer, network, addr, config) })
}

// TLSDialerDial stands in for (*crypto/tls.Dialer).Dial.
func (c Call) TLSDialerDial(d *tls.Dialer, network, addr string) (net.Conn, error) {
	return fwd32(c, d, network, addr, (*tls.Dialer).Dial, Call.hubTLSDialerDial)
}

// hubTLSDialerDial is TLSDialerDial while a hub is in force.
func (c Call) hubTLSDialerDial(d *tls.Dialer, network, addr string) (net.Conn, error) {
	h := active()
	if h == nil {
		return d.Dial(network, addr)
	}
	return run1(c, h, opTLSDialerDial, func() (net.Conn, error) { return d.Dial(network, addr) })
}

// TLSDialerDialContext stands in for (*crypto/tls.Dialer).DialContext.
func (c Call) TLSDialerDialContext(d *tls.Dialer, ctx context.Context, network, addr string) (net.Conn, error) {
	return fwd42(c, d, ctx, network, addr, (*tls.Dialer).DialContext, Call.hubTLSDialerDialContext)
}

// hubTLSDialerDialContext is TLSDialerDialContext while a hub is in force.
func (c Call) hubTLSDialerDialContext(d *tls.Dialer, ctx context.Context, network, addr string) (net.Conn, error) {
	h := active()
	if h == nil {
		return d.DialContext(ctx, network, addr)
	}
	return run1(c, h, opTLSDialerDialContext, func() (net.Conn, error) { return d.DialContext(ctx, network, addr) })
}

// TLSConnHandshake stands in for (*crypto/tls.Conn).Handshake.
func (c Call) TLSConnHandshake(conn *tls.Conn) error {
	return fwd11(c, conn, (*tls.Conn).Handshake, Call.hubTLSConnHandshake)
}

// hubTLSConnHandshake is TLSConnHandshake while a hub is in force.
func (c Call) hubTLSConnHandshake(conn *tls.Conn) error {
	h := active()
	if h == nil {
		return conn.Handshake()
	}
	return run(c, h, opTLSConnHandshake, conn.Handshake)
}

// TLSConnHandshakeContext stands in for (*crypto/tls.Conn).HandshakeContext.
func (c Call) TLSConnHandshakeContext(conn *tls.Conn, ctx context.Context) error {
	return fwd21(c, conn, ctx, (*tls.Conn).HandshakeContext, Call.hubTLSConnHandshakeContext)
}

// hubTLSConnHandshakeContext is TLSConnHandshakeContext while a hub is in force.
func (c Call) hubTLSConnHandshakeContext(conn *tls.Conn, ctx context.Context) error {
	h := active()
	if h == nil {
		return conn.HandshakeContext(ctx)
	}
	return run(c, h, opTLSConnHandshakeContext, func() error { return conn.HandshakeContext(ctx) })
}

// TLSConnRead stands in for (*crypto/tls.Conn).Read.
func (c Call) TLSConnRead(conn *tls.Conn, b []byte) (int, error) {
	return fwd22(c, conn, b, (*tls.Conn).Read, Call.hubTLSConnRead)
}

// hubTLSConnRead is TLSConnRead while a hub is in force.
func (c Call) hubTLSConnRead(conn *tls.Conn, b []byte) (int, error) {
	h := active()
	if h == nil {
		return conn.Read(b)
	}
	return run1(c, h, opTLSConnRead, func() (int, error) { return conn.Read(b) })
}

// TLSConnWrite stands in for (*crypto/tls.Conn).Write.
func (c Call) TLSConnWrite(conn *tls.Conn, b []byte) (int, error) {
	return fwd22(c, conn, b, (*tls.Conn).Write, Call.hubTLSConnWrite)
}

// hubTLSConnWrite is TLSConnWrite while a hub is in force.
func (c Call) hubTLSConnWrite(conn *tls.Conn, b []byte) (int, error) {
	h := active()
	if h == nil {
		return conn.Write(b)
	}
	return run1(c, h, opTLSConnWrite, func() (int, error) { return conn.Write(b) })
}
