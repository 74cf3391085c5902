package gopatchrt

import (
	"context"
	"net"
	"net/netip"
)

var (
	opLookupHost           = &Op{"dns", "net.LookupHost"}
	opLookupIP             = &Op{"dns", "net.LookupIP"}
	opLookupAddr           = &Op{"dns", "net.LookupAddr"}
	opLookupCNAME          = &Op{"dns", "net.LookupCNAME"}
	opLookupMX             = &Op{"dns", "net.LookupMX"}
	opLookupNS             = &Op{"dns", "net.LookupNS"}
	opLookupTXT            = &Op{"dns", "net.LookupTXT"}
	opLookupPort           = &Op{"dns", "net.LookupPort"}
	opLookupSRV            = &Op{"dns", "net.LookupSRV"}
	opResolveTCPAddr       = &Op{"dns", "net.ResolveTCPAddr"}
	opResolveUDPAddr       = &Op{"dns", "net.ResolveUDPAddr"}
	opResolverLookupHost   = &Op{"dns", "(*net.Resolver).LookupHost"}
	opResolverLookupIP     = &Op{"dns", "(*net.Resolver).LookupIP"}
	opResolverLookupIPAddr = &Op{"dns", "(*net.Resolver).LookupIPAddr"}
	opResolverLookupNetIP  = &Op{"dns", "(*net.Resolver).LookupNetIP"}
	opResolverLookupAddr   = &Op{"dns", "(*net.Resolver).LookupAddr"}
	opResolverLookupCNAME  = &Op{"dns", "(*net.Resolver).LookupCNAME"}
	opResolverLookupMX     = &Op{"dns", "(*net.Resolver).LookupMX"}
	opResolverLookupNS     = &Op{"dns", "(*net.Resolver).LookupNS"}
	opResolverLookupTXT    = &Op{"dns", "(*net.Resolver).LookupTXT"}
	opResolverLookupPort   = &Op{"dns", "(*net.Resolver).LookupPort"}
	opResolverLookupSRV    = &Op{"dns", "(*net.Resolver).LookupSRV"}
)

// LookupHost stands in for net.LookupHost.
func (c Call) LookupHost(host string) ([]string, error) {
	return fwd12(c, host, net.LookupHost, Call.hubLookupHost)
}

// hubLookupHost is LookupHost while a hub is in force.
func (c Call) hubLookupHost(host string) ([]string, error) {
	h := active()
	if h == nil {
		return net.LookupHost(host)
	}
	return run1(c, h, opLookupHost, func() ([]string, error) { return net.LookupHost(host) })
}

// LookupIP stands in for net.LookupIP.
func (c Call) LookupIP(host string) ([]net.IP, error) {
	return fwd12(c, host, net.LookupIP, Call.hubLookupIP)
}

// hubLookupIP is LookupIP while a hub is in force.
func (c Call) hubLookupIP(host string) ([]net.IP, error) {
	h := active()
	if h == nil {
		return net.LookupIP(host)
	}
	return run1(c, h, opLookupIP, func() ([]net.IP, error) { return net.LookupIP(host) })
}

// LookupAddr stands in for net.LookupAddr.
func (c Call) LookupAddr(addr string) ([]string, error) {
	return fwd12(c, addr, net.LookupAddr, Call.hubLookupAddr)
}

// hubLookupAddr is LookupAddr while a hub is in force.
func (c Call) hubLookupAddr(addr string) ([]string, error) {
	h := active()
	if h == nil {
		return net.LookupAddr(addr)
	}
	return run1(c, h, opLookupAddr, func() ([]string, error) { return net.LookupAddr(addr) })
}

// LookupCNAME stands in for net.LookupCNAME.
func (c Call) LookupCNAME(host string) (string, error) {
	return fwd12(c, host, net.LookupCNAME, Call.hubLookupCNAME)
}

// hubLookupCNAME is LookupCNAME while a hub is in force.
func (c Call) hubLookupCNAME(host string) (string, error) {
	h := active()
	if h == nil {
		return net.LookupCNAME(host)
	}
	return run1(c, h, opLookupCNAME, func() (string, error) { return net.LookupCNAME(host) })
}

// LookupMX stands in for net.LookupMX.
func (c Call) LookupMX(name string) ([]*net.MX, error) {
	return fwd12(c, name, net.LookupMX, Call.hubLookupMX)
}

// hubLookupMX is LookupMX while a hub is in force.
func (c Call) hubLookupMX(name string) ([]*net.MX, error) {
	h := active()
	if h == nil {
		return net.LookupMX(name)
	}
	return run1(c, h, opLookupMX, func() ([]*net.MX, error) { return net.LookupMX(name) })
}

// LookupNS stands in for net.LookupNS.
func (c Call) LookupNS(name string) ([]*net.NS, error) {
	return fwd12(c, name, net.LookupNS, Call.hubLookupNS)
}

// hubLookupNS is LookupNS while a hub is in force.
func (c Call) hubLookupNS(name string) ([]*net.NS, error) {
	h := active()
	if h == nil {
		return net.LookupNS(name)
	}
	return run1(c, h, opLookupNS, func() ([]*net.NS, error) { return net.LookupNS(name) })
}

// LookupTXT stands in for net.LookupTXT.
func (c Call) LookupTXT(name string) ([]string, error) {
	return fwd12(c, name, net.LookupTXT, Call.hubLookupTXT)
}

// hubLookupTXT is LookupTXT while a hub is in force.
func (c Call) hubLookupTXT(name string) ([]string, error) {
	h := active()
	if h == nil {
		return net.LookupTXT(name)
	}
	return run1(c, h, opLookupTXT, func() ([]string, error) { return net.LookupTXT(name) })
}

// LookupPort stands in for net.LookupPort.
func (c Call) LookupPort(network, service string) (int, error) {
	return fwd22(c, network, service, net.LookupPort, Call.hubLookupPort)
}

// hubLookupPort is LookupPort while a hub is in force.
func (c Call) hubLookupPort(network, service string) (int, error) {
	h := active()
	if h == nil {
		return net.LookupPort(network, service)
	}
	return run1(c, h, opLookupPort, func() (int, error) { return net.LookupPort(network, service) })
}

// LookupSRV stands in for net.LookupSRV.
func (c Call) LookupSRV(service, proto, name string) (string, []*net.SRV, error) {
	return fwd33(c, service, proto, name, net.LookupSRV, Call.hubLookupSRV)
}

// hubLookupSRV is LookupSRV while a hub is in force.
func (c Call) hubLookupSRV(service, proto, name string) (string, []*net.SRV, error) {
	h := active()
	if h == nil {
		return net.LookupSRV(service, proto, name)
	}
	return run2(c, h, opLookupSRV, func() (string, []*net.SRV, error) { return net.LookupSRV(service, proto, name) })
}

// ResolveTCPAddr stands in for net.ResolveTCPAddr.
func (c Call) ResolveTCPAddr(network, address string) (*net.TCPAddr, error) {
	return fwd22(c, network, address, net.ResolveTCPAddr, Call.hubResolveTCPAddr)
}

// hubResolveTCPAddr is ResolveTCPAddr while a hub is in force.
func (c Call) hubResolveTCPAddr(network, address string) (*net.TCPAddr, error) {
	h := active()
	if h == nil {
		return net.ResolveTCPAddr(network, address)
	}
	return run1(c, h, opResolveTCPAddr, func() (*net.TCPAddr, error) { return net.ResolveTCPAddr(network, address) })
}

// ResolveUDPAddr stands in for net.ResolveUDPAddr.
func (c Call) ResolveUDPAddr(network, address string) (*net.UDPAddr, error) {
	return fwd22(c, network, address, net.ResolveUDPAddr, Call.hubResolveUDPAddr)
}

// hubResolveUDPAddr is ResolveUDPAddr while a hub is in force.
func (c Call) hubResolveUDPAddr(network, address string) (*net.UDPAddr, error) {
	h := active()
	if h == nil {
		return net.ResolveUDPAddr(network, address)
	}
	return run1(c, h, opResolveUDPAddr, func() (*net.UDPAddr, error) { return net.ResolveUDPAddr(network, address) })
}

// ResolverLookupHost stands in for (*net.Resolver).LookupHost.
func (c Call) ResolverLookupHost(r *net.Resolver, ctx context.Context, host string) ([]string, error) {
	return fwd32(c, r, ctx, host, (*net.Resolver).LookupHost, Call.hubResolverLookupHost)
}

// hubResolverLookupHost is ResolverLookupHost while a hub is in force.
func (c Call) hubResolverLookupHost(r *net.Resolver, ctx context.Context, host string) ([]string, error) {
	h := active()
	if h == nil {
		return r.LookupHost(ctx, host)
	}
	return run1(c, h, opResolverLookupHost, func() ([]string, error) { return r.LookupHost(ctx, host) })
}

// ResolverLookupIP stands in for (*net.Resolver).LookupIP.
func (c Call) ResolverLookupIP(r *net.Resolver, ctx context.Context, network, host string) ([]net.IP, error) {
	return fwd42(c, r, ctx, network, host, (*net.Resolver).LookupIP, Call.hubResolverLookupIP)
}

// hubResolverLookupIP is ResolverLookupIP while a hub is in force.
func (c Call) hubResolverLookupIP(r *net.Resolver, ctx context.Context, network, host string) ([]net.IP, error) {
	h := active()
	if h == nil {
		return r.LookupIP(ctx, network, host)
	}
	return run1(c, h, opResolverLookupIP, func() ([]net.IP, error) { return r.LookupIP(ctx, network, host) })
}

// ResolverLookupIPAddr stands in for (*net.Resolver).LookupIPAddr.
func (c Call) ResolverLookupIPAddr(r *net.Resolver, ctx context.Context, host string) ([]net.IPAddr, error) {
	return fwd32(c, r, ctx, host, (*net.Resolver).LookupIPAddr, Call.hubResolverLookupIPAddr)
}

// hubResolverLookupIPAddr is ResolverLookupIPAddr while a hub is in force.
func (c Call) hubResolverLookupIPAddr(r *net.Resolver, ctx context.Context, host string) ([]net.IPAddr, error) {
	h := active()
	if h == nil {
		return r.LookupIPAddr(ctx, host)
	}
	return run1(c, h, opResolverLookupIPAddr, func() ([]net.IPAddr, error) { return r.LookupIPAddr(ctx, host) })
}

// ResolverLookupNetIP stands in for (*net.Resolver).LookupNetIP.
func (c Call) ResolverLookupNetIP(r *net.Resolver, ctx context.Context, network, host string) ([]netip.Addr, error) {
	return fwd42(c, r, ctx, network, host, (*net.Resolver).LookupNetIP, Call.hubResolverLookupNetIP)
}

// hubResolverLookupNetIP is ResolverLookupNetIP while a hub is in force.
func (c Call) hubResolverLookupNetIP(r *net.Resolver, ctx context.Context, network, host string) ([]netip.Addr, error) {
	h := active()
	if h == nil {
		return r.LookupNetIP(ctx, network, host)
	}
	return run1(c, h, opResolverLookupNetIP, func() ([]netip.Addr, error) { return r.LookupNetIP(ctx, network, host) })
}

// ResolverLookupAddr stands in for (*net.Resolver).LookupAddr.
func (c Call) ResolverLookupAddr(r *net.Resolver, ctx context.Context, addr string) ([]string, error) {
	return fwd32(c, r, ctx, addr, (*net.Resolver).LookupAddr, Call.hubResolverLookupAddr)
}

// hubResolverLookupAddr is ResolverLookupAddr while a hub is in force.
func (c Call) hubResolverLookupAddr(r *net.Resolver, ctx context.Context, addr string) ([]string, error) {
	h := active()
	if h == nil {
		return r.LookupAddr(ctx, addr)
	}
	return run1(c, h, opResolverLookupAddr, func() ([]string, error) { return r.LookupAddr(ctx, addr) })
}

// ResolverLookupCNAME stands in for (*net.Resolver).LookupCNAME.
func (c Call) ResolverLookupCNAME(r *net.Resolver, ctx context.Context, host string) (string, error) {
	return fwd32(c, r, ctx, host, (*net.Resolver).LookupCNAME, Call.hubResolverLookupCNAME)
}

// hubResolverLookupCNAME is ResolverLookupCNAME while a hub is in force.
func (c Call) hubResolverLookupCNAME(r *net.Resolver, ctx context.Context, host string) (string, error) {
	h := active()
	if h == nil {
		return r.LookupCNAME(ctx, host)
	}
	return run1(c, h, opResolverLookupCNAME, func() (string, error) { return r.LookupCNAME(ctx, host) })
}

// ResolverLookupMX stands in for (*net.Resolver).LookupMX.
func (c Call) ResolverLookupMX(r *net.Resolver, ctx context.Context, name string) ([]*net.MX, error) {
	return fwd32(c, r, ctx, name, (*net.Resolver).LookupMX, Call.hubResolverLookupMX)
}

// hubResolverLookupMX is ResolverLookupMX while a hub is in force.
func (c Call) hubResolverLookupMX(r *net.Resolver, ctx context.Context, name string) ([]*net.MX, error) {
	h := active()
	if h == nil {
		return r.LookupMX(ctx, name)
	}
	return run1(c, h, opResolverLookupMX, func() ([]*net.MX, error) { return r.LookupMX(ctx, name) })
}

// ResolverLookupNS stands in for (*net.Resolver).LookupNS.
func (c Call) ResolverLookupNS(r *net.Resolver, ctx context.Context, name string) ([]*net.NS, error) {
	return fwd32(c, r, ctx, name, (*net.Resolver).LookupNS, Call.hubResolverLookupNS)
}

// hubResolverLookupNS is ResolverLookupNS while a hub is in force.
func (c Call) hubResolverLookupNS(r *net.Resolver, ctx context.Context, name string) ([]*net.NS, error) {
	h := active()
	if h == nil {
		return r.LookupNS(ctx, name)
	}
	return run1(c, h, opResolverLookupNS, func() ([]*net.NS, error) { return r.LookupNS(ctx, name) })
}

// ResolverLookupTXT stands in for (*net.Resolver).LookupTXT.
func (c Call) ResolverLookupTXT(r *net.Resolver, ctx context.Context, name string) ([]string, error) {
	return fwd32(c, r, ctx, name, (*net.Resolver).LookupTXT, Call.hubResolverLookupTXT)
}

// hubResolverLookupTXT is ResolverLookupTXT while a hub is in force.
func (c Call) hubResolverLookupTXT(r *net.Resolver, ctx context.Context, name string) ([]string, error) {
	h := active()
	if h == nil {
		return r.LookupTXT(ctx, name)
	}
	return run1(c, h, opResolverLookupTXT, func() ([]string, error) { return r.LookupTXT(ctx, name) })
}

// ResolverLookupPort stands in for (*net.Resolver).LookupPort.
func (c Call) ResolverLookupPort(r *net.Resolver, ctx context.Context, network, service string) (int, error) {
	return fwd42(c, r, ctx, network, service, (*net.Resolver).LookupPort, Call.hubResolverLookupPort)
}

// hubResolverLookupPort is ResolverLookupPort while a hub is in force.
func (c Call) hubResolverLookupPort(r *net.Resolver, ctx context.Context, network, service string) (int, error) {
	h := active()
	if h == nil {
		return r.LookupPort(ctx, network, service)
	}
	return run1(c, h, opResolverLookupPort, func() (int, error) { return r.LookupPort(ctx, network, service) })
}

// ResolverLookupSRV stands in for (*net.Resolver).LookupSRV.
func (c Call) ResolverLookupSRV(r *net.Resolver, ctx context.Context, service, proto, name string) (string, []*net.SRV, error) {
	return fwd53(c, r, ctx, service, proto, name, (*net.Resolver).LookupSRV, Call.hubResolverLookupSRV)
}

// hubResolverLookupSRV is ResolverLookupSRV while a hub is in force.
func (c Call) hubResolverLookupSRV(r *net.Resolver, ctx context.Context, service, proto, name string) (string, []*net.SRV, error) {
	h := active()
	if h == nil {
		return r.LookupSRV(ctx, service, proto, name)
	}
	return run2(c, h, opResolverLookupSRV, func() (string, []*net.SRV, error) { return r.LookupSRV(ctx, service, proto, name) })
}
