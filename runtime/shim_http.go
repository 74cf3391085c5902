package gopatchrt

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
)

// Under a hub that implements Network, the ListenAndServe shims listen through the
// hub's network and serve on its listener. Under a hub that also implements
// clientNetwork (the sim) the client shims send their requests over that network
// too, through a copy of the client's transport (see Sim.netClient); under any
// other hub they use the client as it is.

// clientNetwork is implemented by hubs that carry the client shims' requests over
// their own network.
type clientNetwork interface {
	// netClient returns the client to send a request of client with.
	netClient(client *http.Client) *http.Client
}

// hubClient returns the client a client shim sends its request with under h;
// client nil is the default client (http.Get and the like).
func hubClient(h Hub, client *http.Client) *http.Client {
	if client == nil {
		client = http.DefaultClient
	}
	if cn, ok := h.(clientNetwork); ok {
		return cn.netClient(client)
	}
	return client
}

var (
	opHTTPGet                 = &Op{"http", "net/http.Get"}
	opHTTPHead                = &Op{"http", "net/http.Head"}
	opHTTPPost                = &Op{"http", "net/http.Post"}
	opHTTPPostForm            = &Op{"http", "net/http.PostForm"}
	opHTTPListenAndServe      = &Op{"http", "net/http.ListenAndServe"}
	opHTTPListenAndServeTLS   = &Op{"http", "net/http.ListenAndServeTLS"}
	opHTTPServe               = &Op{"http", "net/http.Serve"}
	opHTTPServeTLS            = &Op{"http", "net/http.ServeTLS"}
	opClientDo                = &Op{"http", "(*net/http.Client).Do"}
	opClientGet               = &Op{"http", "(*net/http.Client).Get"}
	opClientHead              = &Op{"http", "(*net/http.Client).Head"}
	opClientPost              = &Op{"http", "(*net/http.Client).Post"}
	opClientPostForm          = &Op{"http", "(*net/http.Client).PostForm"}
	opServerServe             = &Op{"http", "(*net/http.Server).Serve"}
	opServerServeTLS          = &Op{"http", "(*net/http.Server).ServeTLS"}
	opServerListenAndServe    = &Op{"http", "(*net/http.Server).ListenAndServe"}
	opServerListenAndServeTLS = &Op{"http", "(*net/http.Server).ListenAndServeTLS"}
	opServerShutdown          = &Op{"http", "(*net/http.Server).Shutdown"}
)

// listenAndServe runs a ListenAndServe op. Under a Network it listens on srv.Addr
// through the hub, as srv.ListenAndServe does on the real network, and serves srv
// there (with TLS when tls is set); otherwise it runs real.
func listenAndServe(c Call, h Hub, op *Op, srv *http.Server, tls bool, certFile, keyFile string, real func() error) error {
	return run(c, h, op, func() error {
		nw, ok := h.(Network)
		if !ok {
			return real()
		}
		addr := srv.Addr
		if addr == "" && tls {
			addr = ":https"
		} else if addr == "" {
			addr = ":http"
		}
		ln, err := nw.Listen(c.site, context.Background(), "tcp", addr)
		if err != nil {
			return err
		}
		if tls {
			return srv.ServeTLS(ln, certFile, keyFile)
		}
		return srv.Serve(ln)
	})
}

// HTTPGet stands in for net/http.Get.
func (c Call) HTTPGet(url string) (*http.Response, error) {
	return fwd12(c, url, http.Get, Call.hubHTTPGet)
}

// hubHTTPGet is HTTPGet while a hub is in force.
func (c Call) hubHTTPGet(url string) (*http.Response, error) {
	h := active()
	if h == nil {
		return http.Get(url)
	}
	return run1(c, h, opHTTPGet, func() (*http.Response, error) { return hubClient(h, nil).Get(url) })
}

// HTTPHead stands in for net/http.Head.
func (c Call) HTTPHead(url string) (*http.Response, error) {
	return fwd12(c, url, http.Head, Call.hubHTTPHead)
}

// hubHTTPHead is HTTPHead while a hub is in force.
func (c Call) hubHTTPHead(url string) (*http.Response, error) {
	h := active()
	if h == nil {
		return http.Head(url)
	}
	return run1(c, h, opHTTPHead, func() (*http.Response, error) { return hubClient(h, nil).Head(url) })
}

// HTTPPost stands in for net/http.Post.
func (c Call) HTTPPost(url, contentType string, body io.Reader) (*http.Response, error) {
	return fwd32(c, url, contentType, body, http.Post, Call.hubHTTPPost)
}

// hubHTTPPost is HTTPPost while a hub is in force.
func (c Call) hubHTTPPost(url, contentType string, body io.Reader) (*http.Response, error) {
	h := active()
	if h == nil {
		return http.Post(url, contentType, body)
	}
	return run1(c, h, opHTTPPost, func() (*http.Response, error) { return hubClient(h, nil).Post(url, contentType, body) })
}

// HTTPPostForm stands in for net/http.PostForm.
func (c Call) HTTPPostForm(url string, data url.Values) (*http.Response, error) {
	return fwd22(c, url, data, http.PostForm, Call.hubHTTPPostForm)
}

// hubHTTPPostForm is HTTPPostForm while a hub is in force.
func (c Call) hubHTTPPostForm(url string, data url.Values) (*http.Response, error) {
	h := active()
	if h == nil {
		return http.PostForm(url, data)
	}
	return run1(c, h, opHTTPPostForm, func() (*http.Response, error) { return hubClient(h, nil).PostForm(url, data) })
}

// HTTPListenAndServe stands in for net/http.ListenAndServe.
func (c Call) HTTPListenAndServe(addr string, handler http.Handler) error {
	return fwd21(c, addr, handler, http.ListenAndServe, Call.hubHTTPListenAndServe)
}

// hubHTTPListenAndServe is HTTPListenAndServe while a hub is in force.
func (c Call) hubHTTPListenAndServe(addr string, handler http.Handler) error {
	h := active()
	if h == nil {
		return http.ListenAndServe(addr, handler)
	}
	srv := &http.Server{Addr: addr, Handler: handler}
	return listenAndServe(c, h, opHTTPListenAndServe, srv, false, "", "", srv.ListenAndServe)
}

// HTTPListenAndServeTLS stands in for net/http.ListenAndServeTLS.
func (c Call) HTTPListenAndServeTLS(addr, certFile, keyFile string, handler http.Handler) error {
	return fwd41(c, addr, certFile, keyFile, handler, http.ListenAndServeTLS, Call.hubHTTPListenAndServeTLS)
}

// hubHTTPListenAndServeTLS is HTTPListenAndServeTLS while a hub is in force.
func (c Call) hubHTTPListenAndServeTLS(addr, certFile, keyFile string, handler http.Handler) error {
	h := active()
	if h == nil {
		return http.ListenAndServeTLS(addr, certFile, keyFile, handler)
	}
	srv := &http.Server{Addr: addr, Handler: handler}
	return listenAndServe(c, h, opHTTPListenAndServeTLS, srv, true, certFile, keyFile, func() error { return srv.ListenAndServeTLS(certFile, keyFile) })
}

// HTTPServe stands in for net/http.Serve.
func (c Call) HTTPServe(l net.Listener, handler http.Handler) error {
	return fwd21(c, l, handler, http.Serve, Call.hubHTTPServe)
}

// hubHTTPServe is HTTPServe while a hub is in force.
func (c Call) hubHTTPServe(l net.Listener, handler http.Handler) error {
	h := active()
	if h == nil {
		return http.Serve(l, handler)
	}
	return run(c, h, opHTTPServe, func() error { return http.Serve(l, handler) })
}

// HTTPServeTLS stands in for net/http.ServeTLS.
func (c Call) HTTPServeTLS(l net.Listener, handler http.Handler, certFile, keyFile string) error {
	return fwd41(c, l, handler, certFile, keyFile, http.ServeTLS, Call.hubHTTPServeTLS)
}

// hubHTTPServeTLS is HTTPServeTLS while a hub is in force.
func (c Call) hubHTTPServeTLS(l net.Listener, handler http.Handler, certFile, keyFile string) error {
	h := active()
	if h == nil {
		return http.ServeTLS(l, handler, certFile, keyFile)
	}
	return run(c, h, opHTTPServeTLS, func() error { return http.ServeTLS(l, handler, certFile, keyFile) })
}

// ClientDo stands in for (*net/http.Client).Do.
func (c Call) ClientDo(client *http.Client, req *http.Request) (*http.Response, error) {
	return fwd22(c, client, req, (*http.Client).Do, Call.hubClientDo)
}

// hubClientDo is ClientDo while a hub is in force.
func (c Call) hubClientDo(client *http.Client, req *http.Request) (*http.Response, error) {
	h := active()
	if h == nil {
		return client.Do(req)
	}
	return run1(c, h, opClientDo, func() (*http.Response, error) { return hubClient(h, client).Do(req) })
}

// ClientGet stands in for (*net/http.Client).Get.
func (c Call) ClientGet(client *http.Client, url string) (*http.Response, error) {
	return fwd22(c, client, url, (*http.Client).Get, Call.hubClientGet)
}

// hubClientGet is ClientGet while a hub is in force.
func (c Call) hubClientGet(client *http.Client, url string) (*http.Response, error) {
	h := active()
	if h == nil {
		return client.Get(url)
	}
	return run1(c, h, opClientGet, func() (*http.Response, error) { return hubClient(h, client).Get(url) })
}

// ClientHead stands in for (*net/http.Client).Head.
func (c Call) ClientHead(client *http.Client, url string) (*http.Response, error) {
	return fwd22(c, client, url, (*http.Client).Head, Call.hubClientHead)
}

// hubClientHead is ClientHead while a hub is in force.
func (c Call) hubClientHead(client *http.Client, url string) (*http.Response, error) {
	h := active()
	if h == nil {
		return client.Head(url)
	}
	return run1(c, h, opClientHead, func() (*http.Response, error) { return hubClient(h, client).Head(url) })
}

// ClientPost stands in for (*net/http.Client).Post.
func (c Call) ClientPost(client *http.Client, url, contentType string, body io.Reader) (*http.Response, error) {
	return fwd42(c, client, url, contentType, body, (*http.Client).Post, Call.hubClientPost)
}

// hubClientPost is ClientPost while a hub is in force.
func (c Call) hubClientPost(client *http.Client, url, contentType string, body io.Reader) (*http.Response, error) {
	h := active()
	if h == nil {
		return client.Post(url, contentType, body)
	}
	return run1(c, h, opClientPost, func() (*http.Response, error) { return hubClient(h, client).Post(url, contentType, body) })
}

// ClientPostForm stands in for (*net/http.Client).PostForm.
func (c Call) ClientPostForm(client *http.Client, url string, data url.Values) (*http.Response, error) {
	return fwd32(c, client, url, data, (*http.Client).PostForm, Call.hubClientPostForm)
}

// hubClientPostForm is ClientPostForm while a hub is in force.
func (c Call) hubClientPostForm(client *http.Client, url string, data url.Values) (*http.Response, error) {
	h := active()
	if h == nil {
		return client.PostForm(url, data)
	}
	return run1(c, h, opClientPostForm, func() (*http.Response, error) { return hubClient(h, client).PostForm(url, data) })
}

// ServerServe stands in for (*net/http.Server).Serve.
func (c Call) ServerServe(srv *http.Server, l net.Listener) error {
	return fwd21(c, srv, l, (*http.Server).Serve, Call.hubServerServe)
}

// hubServerServe is ServerServe while a hub is in force.
func (c Call) hubServerServe(srv *http.Server, l net.Listener) error {
	h := active()
	if h == nil {
		return srv.Serve(l)
	}
	return run(c, h, opServerServe, func() error { return srv.Serve(l) })
}

// ServerServeTLS stands in for (*net/http.Server).ServeTLS.
func (c Call) ServerServeTLS(srv *http.Server, l net.Listener, certFile, keyFile string) error {
	return fwd41(c, srv, l, certFile, keyFile, (*http.Server).ServeTLS, Call.hubServerServeTLS)
}

// hubServerServeTLS is ServerServeTLS while a hub is in force.
func (c Call) hubServerServeTLS(srv *http.Server, l net.Listener, certFile, keyFile string) error {
	h := active()
	if h == nil {
		return srv.ServeTLS(l, certFile, keyFile)
	}
	return run(c, h, opServerServeTLS, func() error { return srv.ServeTLS(l, certFile, keyFile) })
}

// ServerListenAndServe stands in for (*net/http.Server).ListenAndServe.
func (c Call) ServerListenAndServe(srv *http.Server) error {
	return fwd11(c, srv, (*http.Server).ListenAndServe, Call.hubServerListenAndServe)
}

// hubServerListenAndServe is ServerListenAndServe while a hub is in force.
func (c Call) hubServerListenAndServe(srv *http.Server) error {
	h := active()
	if h == nil {
		return srv.ListenAndServe()
	}
	return listenAndServe(c, h, opServerListenAndServe, srv, false, "", "", srv.ListenAndServe)
}

// ServerListenAndServeTLS stands in for (*net/http.Server).ListenAndServeTLS.
func (c Call) ServerListenAndServeTLS(srv *http.Server, certFile, keyFile string) error {
	return fwd31(c, srv, certFile, keyFile, (*http.Server).ListenAndServeTLS, Call.hubServerListenAndServeTLS)
}

// hubServerListenAndServeTLS is ServerListenAndServeTLS while a hub is in force.
func (c Call) hubServerListenAndServeTLS(srv *http.Server, certFile, keyFile string) error {
	h := active()
	if h == nil {
		return srv.ListenAndServeTLS(certFile, keyFile)
	}
	return listenAndServe(c, h, opServerListenAndServeTLS, srv, true, certFile, keyFile, func() error { return srv.ListenAndServeTLS(certFile, keyFile) })
}

// ServerShutdown stands in for (*net/http.Server).Shutdown.
func (c Call) ServerShutdown(srv *http.Server, ctx context.Context) error {
	return fwd21(c, srv, ctx, (*http.Server).Shutdown, Call.hubServerShutdown)
}

// hubServerShutdown is ServerShutdown while a hub is in force.
func (c Call) hubServerShutdown(srv *http.Server, ctx context.Context) error {
	h := active()
	if h == nil {
		return srv.Shutdown(ctx)
	}
	return run(c, h, opServerShutdown, func() error { return srv.Shutdown(ctx) })
}
