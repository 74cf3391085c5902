package gopatchrt

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
)

// Under a hub that implements Network, the ListenAndServe shims listen through the
// hub's network and serve on its listener. The client shims use the client's own
// transport under every hub.

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
	if h := active(); h != nil {
		return run1(c, h, opHTTPGet, func() (*http.Response, error) { return http.Get(url) })
	}
	return http.Get(url)
}

// HTTPHead stands in for net/http.Head.
func (c Call) HTTPHead(url string) (*http.Response, error) {
	if h := active(); h != nil {
		return run1(c, h, opHTTPHead, func() (*http.Response, error) { return http.Head(url) })
	}
	return http.Head(url)
}

// HTTPPost stands in for net/http.Post.
func (c Call) HTTPPost(url, contentType string, body io.Reader) (*http.Response, error) {
	if h := active(); h != nil {
		return run1(c, h, opHTTPPost, func() (*http.Response, error) { return http.Post(url, contentType, body) })
	}
	return http.Post(url, contentType, body)
}

// HTTPPostForm stands in for net/http.PostForm.
func (c Call) HTTPPostForm(url string, data url.Values) (*http.Response, error) {
	if h := active(); h != nil {
		return run1(c, h, opHTTPPostForm, func() (*http.Response, error) { return http.PostForm(url, data) })
	}
	return http.PostForm(url, data)
}

// HTTPListenAndServe stands in for net/http.ListenAndServe.
func (c Call) HTTPListenAndServe(addr string, handler http.Handler) error {
	if h := active(); h != nil {
		srv := &http.Server{Addr: addr, Handler: handler}
		return listenAndServe(c, h, opHTTPListenAndServe, srv, false, "", "", srv.ListenAndServe)
	}
	return http.ListenAndServe(addr, handler)
}

// HTTPListenAndServeTLS stands in for net/http.ListenAndServeTLS.
func (c Call) HTTPListenAndServeTLS(addr, certFile, keyFile string, handler http.Handler) error {
	if h := active(); h != nil {
		srv := &http.Server{Addr: addr, Handler: handler}
		return listenAndServe(c, h, opHTTPListenAndServeTLS, srv, true, certFile, keyFile, func() error { return srv.ListenAndServeTLS(certFile, keyFile) })
	}
	return http.ListenAndServeTLS(addr, certFile, keyFile, handler)
}

// HTTPServe stands in for net/http.Serve.
func (c Call) HTTPServe(l net.Listener, handler http.Handler) error {
	if h := active(); h != nil {
		return run(c, h, opHTTPServe, func() error { return http.Serve(l, handler) })
	}
	return http.Serve(l, handler)
}

// HTTPServeTLS stands in for net/http.ServeTLS.
func (c Call) HTTPServeTLS(l net.Listener, handler http.Handler, certFile, keyFile string) error {
	if h := active(); h != nil {
		return run(c, h, opHTTPServeTLS, func() error { return http.ServeTLS(l, handler, certFile, keyFile) })
	}
	return http.ServeTLS(l, handler, certFile, keyFile)
}

// ClientDo stands in for (*net/http.Client).Do.
func (c Call) ClientDo(client *http.Client, req *http.Request) (*http.Response, error) {
	if h := active(); h != nil {
		return run1(c, h, opClientDo, func() (*http.Response, error) { return client.Do(req) })
	}
	return client.Do(req)
}

// ClientGet stands in for (*net/http.Client).Get.
func (c Call) ClientGet(client *http.Client, url string) (*http.Response, error) {
	if h := active(); h != nil {
		return run1(c, h, opClientGet, func() (*http.Response, error) { return client.Get(url) })
	}
	return client.Get(url)
}

// ClientHead stands in for (*net/http.Client).Head.
func (c Call) ClientHead(client *http.Client, url string) (*http.Response, error) {
	if h := active(); h != nil {
		return run1(c, h, opClientHead, func() (*http.Response, error) { return client.Head(url) })
	}
	return client.Head(url)
}

// ClientPost stands in for (*net/http.Client).Post.
func (c Call) ClientPost(client *http.Client, url, contentType string, body io.Reader) (*http.Response, error) {
	if h := active(); h != nil {
		return run1(c, h, opClientPost, func() (*http.Response, error) { return client.Post(url, contentType, body) })
	}
	return client.Post(url, contentType, body)
}

// ClientPostForm stands in for (*net/http.Client).PostForm.
func (c Call) ClientPostForm(client *http.Client, url string, data url.Values) (*http.Response, error) {
	if h := active(); h != nil {
		return run1(c, h, opClientPostForm, func() (*http.Response, error) { return client.PostForm(url, data) })
	}
	return client.PostForm(url, data)
}

// ServerServe stands in for (*net/http.Server).Serve.
func (c Call) ServerServe(srv *http.Server, l net.Listener) error {
	if h := active(); h != nil {
		return run(c, h, opServerServe, func() error { return srv.Serve(l) })
	}
	return srv.Serve(l)
}

// ServerServeTLS stands in for (*net/http.Server).ServeTLS.
func (c Call) ServerServeTLS(srv *http.Server, l net.Listener, certFile, keyFile string) error {
	if h := active(); h != nil {
		return run(c, h, opServerServeTLS, func() error { return srv.ServeTLS(l, certFile, keyFile) })
	}
	return srv.ServeTLS(l, certFile, keyFile)
}

// ServerListenAndServe stands in for (*net/http.Server).ListenAndServe.
func (c Call) ServerListenAndServe(srv *http.Server) error {
	if h := active(); h != nil {
		return listenAndServe(c, h, opServerListenAndServe, srv, false, "", "", srv.ListenAndServe)
	}
	return srv.ListenAndServe()
}

// ServerListenAndServeTLS stands in for (*net/http.Server).ListenAndServeTLS.
func (c Call) ServerListenAndServeTLS(srv *http.Server, certFile, keyFile string) error {
	if h := active(); h != nil {
		return listenAndServe(c, h, opServerListenAndServeTLS, srv, true, certFile, keyFile, func() error { return srv.ListenAndServeTLS(certFile, keyFile) })
	}
	return srv.ListenAndServeTLS(certFile, keyFile)
}

// ServerShutdown stands in for (*net/http.Server).Shutdown.
func (c Call) ServerShutdown(srv *http.Server, ctx context.Context) error {
	if h := active(); h != nil {
		return run(c, h, opServerShutdown, func() error { return srv.Shutdown(ctx) })
	}
	return srv.Shutdown(ctx)
}
