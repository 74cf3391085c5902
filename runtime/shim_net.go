package gopatchrt

import (
	"context"
	"net"
	"time"
)

// Under a hub that implements Network, Dial, DialTimeout, (*net.Dialer).Dial and
// DialContext, Listen and (*net.ListenConfig).Listen go to the hub's network. The
// typed constructors (DialTCP, ListenUDP, ...) and ListenPacket return concrete
// socket types that a Network cannot provide, and always use the real network.

var (
	opDial                     = &Op{"net", "net.Dial"}
	opDialTimeout              = &Op{"net", "net.DialTimeout"}
	opDialTCP                  = &Op{"net", "net.DialTCP"}
	opDialUDP                  = &Op{"net", "net.DialUDP"}
	opDialUnix                 = &Op{"net", "net.DialUnix"}
	opListen                   = &Op{"net", "net.Listen"}
	opListenPacket             = &Op{"net", "net.ListenPacket"}
	opListenTCP                = &Op{"net", "net.ListenTCP"}
	opListenUDP                = &Op{"net", "net.ListenUDP"}
	opListenUnix               = &Op{"net", "net.ListenUnix"}
	opDialerDial               = &Op{"net", "(*net.Dialer).Dial"}
	opDialerDialContext        = &Op{"net", "(*net.Dialer).DialContext"}
	opListenConfigListen       = &Op{"net", "(*net.ListenConfig).Listen"}
	opListenConfigListenPacket = &Op{"net", "(*net.ListenConfig).ListenPacket"}
	opListenerAccept           = &Op{"net", "(net.Listener).Accept"}
	opTCPListenerAccept        = &Op{"net", "(*net.TCPListener).Accept"}
	opTCPListenerAcceptTCP     = &Op{"net", "(*net.TCPListener).AcceptTCP"}
	opUnixListenerAccept       = &Op{"net", "(*net.UnixListener).Accept"}
	opUnixListenerAcceptUnix   = &Op{"net", "(*net.UnixListener).AcceptUnix"}
	opConnRead                 = &Op{"net", "(net.Conn).Read"}
	opConnWrite                = &Op{"net", "(net.Conn).Write"}
	opTCPConnRead              = &Op{"net", "(*net.TCPConn).Read"}
	opTCPConnWrite             = &Op{"net", "(*net.TCPConn).Write"}
	opUDPConnRead              = &Op{"net", "(*net.UDPConn).Read"}
	opUDPConnWrite             = &Op{"net", "(*net.UDPConn).Write"}
	opUDPConnReadFromUDP       = &Op{"net", "(*net.UDPConn).ReadFromUDP"}
	opUDPConnWriteToUDP        = &Op{"net", "(*net.UDPConn).WriteToUDP"}
	opUnixConnRead             = &Op{"net", "(*net.UnixConn).Read"}
	opUnixConnWrite            = &Op{"net", "(*net.UnixConn).Write"}
	opPacketConnReadFrom       = &Op{"net", "(net.PacketConn).ReadFrom"}
	opPacketConnWriteTo        = &Op{"net", "(net.PacketConn).WriteTo"}
)

// dial runs a dial op, through the hub's Network if it has one. timeout, when not
// zero, bounds the dial as net.Dialer.Timeout does; dial is the real network's dial.
func dial(c Call, h Hub, op *Op, ctx context.Context, network, address string, timeout time.Duration, dial func() (net.Conn, error)) (net.Conn, error) {
	return run1(c, h, op, func() (net.Conn, error) {
		nw, ok := h.(Network)
		if !ok {
			return dial()
		}
		if timeout != 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, timeout)
			defer cancel()
		}
		return nw.DialContext(c.site, ctx, network, address)
	})
}

// listen runs a listen op, through the hub's Network if it has one; listen is the
// real network's.
func listen(c Call, h Hub, op *Op, ctx context.Context, network, address string, listen func() (net.Listener, error)) (net.Listener, error) {
	return run1(c, h, op, func() (net.Listener, error) {
		if nw, ok := h.(Network); ok {
			return nw.Listen(c.site, ctx, network, address)
		}
		return listen()
	})
}

// Dial stands in for net.Dial.
func (c Call) Dial(network, address string) (net.Conn, error) {
	return fwd22(c, network, address, net.Dial, Call.hubDial)
}

// hubDial is Dial while a hub is in force.
func (c Call) hubDial(network, address string) (net.Conn, error) {
	h := active()
	if h == nil {
		return net.Dial(network, address)
	}
	return dial(c, h, opDial, context.Background(), network, address, 0, func() (net.Conn, error) { return net.Dial(network, address) })
}

// DialTimeout stands in for net.DialTimeout. Under a Network, the timeout bounds
// the hub's dial through its context.
func (c Call) DialTimeout(network, address string, timeout time.Duration) (net.Conn, error) {
	return fwd32(c, network, address, timeout, net.DialTimeout, Call.hubDialTimeout)
}

// hubDialTimeout is DialTimeout while a hub is in force.
func (c Call) hubDialTimeout(network, address string, timeout time.Duration) (net.Conn, error) {
	h := active()
	if h == nil {
		return net.DialTimeout(network, address, timeout)
	}
	return dial(c, h, opDialTimeout, context.Background(), network, address, timeout, func() (net.Conn, error) { return net.DialTimeout(network, address, timeout) })
}

// DialTCP stands in for net.DialTCP.
func (c Call) DialTCP(network string, laddr, raddr *net.TCPAddr) (*net.TCPConn, error) {
	return fwd32(c, network, laddr, raddr, net.DialTCP, Call.hubDialTCP)
}

// hubDialTCP is DialTCP while a hub is in force.
func (c Call) hubDialTCP(network string, laddr, raddr *net.TCPAddr) (*net.TCPConn, error) {
	h := active()
	if h == nil {
		return net.DialTCP(network, laddr, raddr)
	}
	return run1(c, h, opDialTCP, func() (*net.TCPConn, error) { return net.DialTCP(network, laddr, raddr) })
}

// DialUDP stands in for net.DialUDP.
func (c Call) DialUDP(network string, laddr, raddr *net.UDPAddr) (*net.UDPConn, error) {
	return fwd32(c, network, laddr, raddr, net.DialUDP, Call.hubDialUDP)
}

// hubDialUDP is DialUDP while a hub is in force.
func (c Call) hubDialUDP(network string, laddr, raddr *net.UDPAddr) (*net.UDPConn, error) {
	h := active()
	if h == nil {
		return net.DialUDP(network, laddr, raddr)
	}
	return run1(c, h, opDialUDP, func() (*net.UDPConn, error) { return net.DialUDP(network, laddr, raddr) })
}

// DialUnix stands in for net.DialUnix.
func (c Call) DialUnix(network string, laddr, raddr *net.UnixAddr) (*net.UnixConn, error) {
	return fwd32(c, network, laddr, raddr, net.DialUnix, Call.hubDialUnix)
}

// hubDialUnix is DialUnix while a hub is in force.
func (c Call) hubDialUnix(network string, laddr, raddr *net.UnixAddr) (*net.UnixConn, error) {
	h := active()
	if h == nil {
		return net.DialUnix(network, laddr, raddr)
	}
	return run1(c, h, opDialUnix, func() (*net.UnixConn, error) { return net.DialUnix(network, laddr, raddr) })
}

// Listen stands in for net.Listen.
func (c Call) Listen(network, address string) (net.Listener, error) {
	return fwd22(c, network, address, net.Listen, Call.hubListen)
}

// hubListen is Listen while a hub is in force.
func (c Call) hubListen(network, address string) (net.Listener, error) {
	h := active()
	if h == nil {
		return net.Listen(network, address)
	}
	return listen(c, h, opListen, context.Background(), network, address, func() (net.Listener, error) { return net.Listen(network, address) })
}

// ListenPacket stands in for net.ListenPacket.
func (c Call) ListenPacket(network, address string) (net.PacketConn, error) {
	return fwd22(c, network, address, net.ListenPacket, Call.hubListenPacket)
}

// hubListenPacket is ListenPacket while a hub is in force.
func (c Call) hubListenPacket(network, address string) (net.PacketConn, error) {
	h := active()
	if h == nil {
		return net.ListenPacket(network, address)
	}
	return run1(c, h, opListenPacket, func() (net.PacketConn, error) { return net.ListenPacket(network, address) })
}

// ListenTCP stands in for net.ListenTCP.
func (c Call) ListenTCP(network string, laddr *net.TCPAddr) (*net.TCPListener, error) {
	return fwd22(c, network, laddr, net.ListenTCP, Call.hubListenTCP)
}

// hubListenTCP is ListenTCP while a hub is in force.
func (c Call) hubListenTCP(network string, laddr *net.TCPAddr) (*net.TCPListener, error) {
	h := active()
	if h == nil {
		return net.ListenTCP(network, laddr)
	}
	return run1(c, h, opListenTCP, func() (*net.TCPListener, error) { return net.ListenTCP(network, laddr) })
}

// ListenUDP stands in for net.ListenUDP.
func (c Call) ListenUDP(network string, laddr *net.UDPAddr) (*net.UDPConn, error) {
	return fwd22(c, network, laddr, net.ListenUDP, Call.hubListenUDP)
}

// hubListenUDP is ListenUDP while a hub is in force.
func (c Call) hubListenUDP(network string, laddr *net.UDPAddr) (*net.UDPConn, error) {
	h := active()
	if h == nil {
		return net.ListenUDP(network, laddr)
	}
	return run1(c, h, opListenUDP, func() (*net.UDPConn, error) { return net.ListenUDP(network, laddr) })
}

// ListenUnix stands in for net.ListenUnix.
func (c Call) ListenUnix(network string, laddr *net.UnixAddr) (*net.UnixListener, error) {
	return fwd22(c, network, laddr, net.ListenUnix, Call.hubListenUnix)
}

// hubListenUnix is ListenUnix while a hub is in force.
func (c Call) hubListenUnix(network string, laddr *net.UnixAddr) (*net.UnixListener, error) {
	h := active()
	if h == nil {
		return net.ListenUnix(network, laddr)
	}
	return run1(c, h, opListenUnix, func() (*net.UnixListener, error) { return net.ListenUnix(network, laddr) })
}

// DialerDial stands in for (*net.Dialer).Dial. Under a Network, the hub dials with
// the dialer's Timeout; its other fields are ignored.
func (c Call) DialerDial(d *net.Dialer, network, address string) (net.Conn, error) {
	return fwd32(c, d, network, address, (*net.Dialer).Dial, Call.hubDialerDial)
}

// hubDialerDial is DialerDial while a hub is in force.
func (c Call) hubDialerDial(d *net.Dialer, network, address string) (net.Conn, error) {
	h := active()
	if h == nil {
		return d.Dial(network, address)
	}
	return dial(c, h, opDialerDial, context.Background(), network, address, d.Timeout, func() (net.Conn, error) { return d.Dial(network, address) })
}

// DialerDialContext stands in for (*net.Dialer).DialContext. Under a Network, the
// hub dials with ctx and the dialer's Timeout; its other fields are ignored.
func (c Call) DialerDialContext(d *net.Dialer, ctx context.Context, network, address string) (net.Conn, error) {
	return fwd42(c, d, ctx, network, address, (*net.Dialer).DialContext, Call.hubDialerDialContext)
}

// hubDialerDialContext is DialerDialContext while a hub is in force.
func (c Call) hubDialerDialContext(d *net.Dialer, ctx context.Context, network, address string) (net.Conn, error) {
	h := active()
	if h == nil {
		return d.DialContext(ctx, network, address)
	}
	return dial(c, h, opDialerDialContext, ctx, network, address, d.Timeout, func() (net.Conn, error) { return d.DialContext(ctx, network, address) })
}

// ListenConfigListen stands in for (*net.ListenConfig).Listen. Under a Network, the
// hub listens with ctx; the configuration's fields are ignored.
func (c Call) ListenConfigListen(lc *net.ListenConfig, ctx context.Context, network, address string) (net.Listener, error) {
	return fwd42(c, lc, ctx, network, address, (*net.ListenConfig).Listen, Call.hubListenConfigListen)
}

// hubListenConfigListen is ListenConfigListen while a hub is in force.
func (c Call) hubListenConfigListen(lc *net.ListenConfig, ctx context.Context, network, address string) (net.Listener, error) {
	h := active()
	if h == nil {
		return lc.Listen(ctx, network, address)
	}
	return listen(c, h, opListenConfigListen, ctx, network, address, func() (net.Listener, error) { return lc.Listen(ctx, network, address) })
}

// ListenConfigListenPacket stands in for (*net.ListenConfig).ListenPacket.
func (c Call) ListenConfigListenPacket(lc *net.ListenConfig, ctx context.Context, network, address string) (net.PacketConn, error) {
	return fwd42(c, lc, ctx, network, address, (*net.ListenConfig).ListenPacket, Call.hubListenConfigListenPacket)
}

// hubListenConfigListenPacket is ListenConfigListenPacket while a hub is in force.
func (c Call) hubListenConfigListenPacket(lc *net.ListenConfig, ctx context.Context, network, address string) (net.PacketConn, error) {
	h := active()
	if h == nil {
		return lc.ListenPacket(ctx, network, address)
	}
	return run1(c, h, opListenConfigListenPacket, func() (net.PacketConn, error) { return lc.ListenPacket(ctx, network, address) })
}

// ListenerAccept stands in for (net.Listener).Accept.
func (c Call) ListenerAccept(l net.Listener) (net.Conn, error) {
	return fwd12(c, l, net.Listener.Accept, Call.hubListenerAccept)
}

// hubListenerAccept is ListenerAccept while a hub is in force.
func (c Call) hubListenerAccept(l net.Listener) (net.Conn, error) {
	h := active()
	if h == nil {
		return l.Accept()
	}
	return run1(c, h, opListenerAccept, l.Accept)
}

// TCPListenerAccept stands in for (*net.TCPListener).Accept.
func (c Call) TCPListenerAccept(l *net.TCPListener) (net.Conn, error) {
	return fwd12(c, l, (*net.TCPListener).Accept, Call.hubTCPListenerAccept)
}

// hubTCPListenerAccept is TCPListenerAccept while a hub is in force.
func (c Call) hubTCPListenerAccept(l *net.TCPListener) (net.Conn, error) {
	h := active()
	if h == nil {
		return l.Accept()
	}
	return run1(c, h, opTCPListenerAccept, l.Accept)
}

// TCPListenerAcceptTCP stands in for (*net.TCPListener).AcceptTCP.
func (c Call) TCPListenerAcceptTCP(l *net.TCPListener) (*net.TCPConn, error) {
	return fwd12(c, l, (*net.TCPListener).AcceptTCP, Call.hubTCPListenerAcceptTCP)
}

// hubTCPListenerAcceptTCP is TCPListenerAcceptTCP while a hub is in force.
func (c Call) hubTCPListenerAcceptTCP(l *net.TCPListener) (*net.TCPConn, error) {
	h := active()
	if h == nil {
		return l.AcceptTCP()
	}
	return run1(c, h, opTCPListenerAcceptTCP, l.AcceptTCP)
}

// UnixListenerAccept stands in for (*net.UnixListener).Accept.
func (c Call) UnixListenerAccept(l *net.UnixListener) (net.Conn, error) {
	return fwd12(c, l, (*net.UnixListener).Accept, Call.hubUnixListenerAccept)
}

// hubUnixListenerAccept is UnixListenerAccept while a hub is in force.
func (c Call) hubUnixListenerAccept(l *net.UnixListener) (net.Conn, error) {
	h := active()
	if h == nil {
		return l.Accept()
	}
	return run1(c, h, opUnixListenerAccept, l.Accept)
}

// UnixListenerAcceptUnix stands in for (*net.UnixListener).AcceptUnix.
func (c Call) UnixListenerAcceptUnix(l *net.UnixListener) (*net.UnixConn, error) {
	return fwd12(c, l, (*net.UnixListener).AcceptUnix, Call.hubUnixListenerAcceptUnix)
}

// hubUnixListenerAcceptUnix is UnixListenerAcceptUnix while a hub is in force.
func (c Call) hubUnixListenerAcceptUnix(l *net.UnixListener) (*net.UnixConn, error) {
	h := active()
	if h == nil {
		return l.AcceptUnix()
	}
	return run1(c, h, opUnixListenerAcceptUnix, l.AcceptUnix)
}

// ConnRead stands in for (net.Conn).Read.
func (c Call) ConnRead(conn net.Conn, b []byte) (int, error) {
	return fwd22(c, conn, b, net.Conn.Read, Call.hubConnRead)
}

// hubConnRead is ConnRead while a hub is in force.
func (c Call) hubConnRead(conn net.Conn, b []byte) (int, error) {
	h := active()
	if h == nil {
		return conn.Read(b)
	}
	return run1(c, h, opConnRead, func() (int, error) { return conn.Read(b) })
}

// ConnWrite stands in for (net.Conn).Write.
func (c Call) ConnWrite(conn net.Conn, b []byte) (int, error) {
	return fwd22(c, conn, b, net.Conn.Write, Call.hubConnWrite)
}

// hubConnWrite is ConnWrite while a hub is in force.
func (c Call) hubConnWrite(conn net.Conn, b []byte) (int, error) {
	h := active()
	if h == nil {
		return conn.Write(b)
	}
	return run1(c, h, opConnWrite, func() (int, error) { return conn.Write(b) })
}

// TCPConnRead stands in for (*net.TCPConn).Read.
func (c Call) TCPConnRead(conn *net.TCPConn, b []byte) (int, error) {
	return fwd22(c, conn, b, (*net.TCPConn).Read, Call.hubTCPConnRead)
}

// hubTCPConnRead is TCPConnRead while a hub is in force.
func (c Call) hubTCPConnRead(conn *net.TCPConn, b []byte) (int, error) {
	h := active()
	if h == nil {
		return conn.Read(b)
	}
	return run1(c, h, opTCPConnRead, func() (int, error) { return conn.Read(b) })
}

// TCPConnWrite stands in for (*net.TCPConn).Write.
func (c Call) TCPConnWrite(conn *net.TCPConn, b []byte) (int, error) {
	return fwd22(c, conn, b, (*net.TCPConn).Write, Call.hubTCPConnWrite)
}

// hubTCPConnWrite is TCPConnWrite while a hub is in force.
func (c Call) hubTCPConnWrite(conn *net.TCPConn, b []byte) (int, error) {
	h := active()
	if h == nil {
		return conn.Write(b)
	}
	return run1(c, h, opTCPConnWrite, func() (int, error) { return conn.Write(b) })
}

// UDPConnRead stands in for (*net.UDPConn).Read.
func (c Call) UDPConnRead(conn *net.UDPConn, b []byte) (int, error) {
	return fwd22(c, conn, b, (*net.UDPConn).Read, Call.hubUDPConnRead)
}

// hubUDPConnRead is UDPConnRead while a hub is in force.
func (c Call) hubUDPConnRead(conn *net.UDPConn, b []byte) (int, error) {
	h := active()
	if h == nil {
		return conn.Read(b)
	}
	return run1(c, h, opUDPConnRead, func() (int, error) { return conn.Read(b) })
}

// UDPConnWrite stands in for (*net.UDPConn).Write.
func (c Call) UDPConnWrite(conn *net.UDPConn, b []byte) (int, error) {
	return fwd22(c, conn, b, (*net.UDPConn).Write, Call.hubUDPConnWrite)
}

// hubUDPConnWrite is UDPConnWrite while a hub is in force.
func (c Call) hubUDPConnWrite(conn *net.UDPConn, b []byte) (int, error) {
	h := active()
	if h == nil {
		return conn.Write(b)
	}
	return run1(c, h, opUDPConnWrite, func() (int, error) { return conn.Write(b) })
}

// UDPConnReadFromUDP stands in for (*net.UDPConn).ReadFromUDP.
func (c Call) UDPConnReadFromUDP(conn *net.UDPConn, b []byte) (int, *net.UDPAddr, error) {
	return fwd23(c, conn, b, (*net.UDPConn).ReadFromUDP, Call.hubUDPConnReadFromUDP)
}

// hubUDPConnReadFromUDP is UDPConnReadFromUDP while a hub is in force.
func (c Call) hubUDPConnReadFromUDP(conn *net.UDPConn, b []byte) (int, *net.UDPAddr, error) {
	h := active()
	if h == nil {
		return conn.ReadFromUDP(b)
	}
	return run2(c, h, opUDPConnReadFromUDP, func() (int, *net.UDPAddr, error) { return conn.ReadFromUDP(b) })
}

// UDPConnWriteToUDP stands in for (*net.UDPConn).WriteToUDP.
func (c Call) UDPConnWriteToUDP(conn *net.UDPConn, b []byte, addr *net.UDPAddr) (int, error) {
	return fwd32(c, conn, b, addr, (*net.UDPConn).WriteToUDP, Call.hubUDPConnWriteToUDP)
}

// hubUDPConnWriteToUDP is UDPConnWriteToUDP while a hub is in force.
func (c Call) hubUDPConnWriteToUDP(conn *net.UDPConn, b []byte, addr *net.UDPAddr) (int, error) {
	h := active()
	if h == nil {
		return conn.WriteToUDP(b, addr)
	}
	return run1(c, h, opUDPConnWriteToUDP, func() (int, error) { return conn.WriteToUDP(b, addr) })
}

// UnixConnRead stands in for (*net.UnixConn).Read.
func (c Call) UnixConnRead(conn *net.UnixConn, b []byte) (int, error) {
	return fwd22(c, conn, b, (*net.UnixConn).Read, Call.hubUnixConnRead)
}

// hubUnixConnRead is UnixConnRead while a hub is in force.
func (c Call) hubUnixConnRead(conn *net.UnixConn, b []byte) (int, error) {
	h := active()
	if h == nil {
		return conn.Read(b)
	}
	return run1(c, h, opUnixConnRead, func() (int, error) { return conn.Read(b) })
}

// UnixConnWrite stands in for (*net.UnixConn).Write.
func (c Call) UnixConnWrite(conn *net.UnixConn, b []byte) (int, error) {
	return fwd22(c, conn, b, (*net.UnixConn).Write, Call.hubUnixConnWrite)
}

// hubUnixConnWrite is UnixConnWrite while a hub is in force.
func (c Call) hubUnixConnWrite(conn *net.UnixConn, b []byte) (int, error) {
	h := active()
	if h == nil {
		return conn.Write(b)
	}
	return run1(c, h, opUnixConnWrite, func() (int, error) { return conn.Write(b) })
}

// PacketConnReadFrom stands in for (net.PacketConn).ReadFrom.
func (c Call) PacketConnReadFrom(pc net.PacketConn, p []byte) (int, net.Addr, error) {
	return fwd23(c, pc, p, net.PacketConn.ReadFrom, Call.hubPacketConnReadFrom)
}

// hubPacketConnReadFrom is PacketConnReadFrom while a hub is in force.
func (c Call) hubPacketConnReadFrom(pc net.PacketConn, p []byte) (int, net.Addr, error) {
	h := active()
	if h == nil {
		return pc.ReadFrom(p)
	}
	return run2(c, h, opPacketConnReadFrom, func() (int, net.Addr, error) { return pc.ReadFrom(p) })
}

// PacketConnWriteTo stands in for (net.PacketConn).WriteTo.
func (c Call) PacketConnWriteTo(pc net.PacketConn, p []byte, addr net.Addr) (int, error) {
	return fwd32(c, pc, p, addr, net.PacketConn.WriteTo, Call.hubPacketConnWriteTo)
}

// hubPacketConnWriteTo is PacketConnWriteTo while a hub is in force.
func (c Call) hubPacketConnWriteTo(pc net.PacketConn, p []byte, addr net.Addr) (int, error) {
	h := active()
	if h == nil {
		return pc.WriteTo(p, addr)
	}
	return run1(c, h, opPacketConnWriteTo, func() (int, error) { return pc.WriteTo(p, addr) })
}
