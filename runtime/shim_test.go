package gopatchrt_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	goruntime "runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	gopatchrt "gopatch.dev/gopatch/runtime"
)

// errInjected is the error the injecting hub returns from Before.
var errInjected = errors.New("injected by the test hub")

// event is one Before or After that a recorder saw.
type event struct {
	site *gopatchrt.Site
	op   *gopatchrt.Op
	tok  gopatchrt.Token
	err  error
}

// recorder is a Hub that records every Before and After, and returns inject as the
// token's error.
type recorder struct {
	inject error

	mu            sync.Mutex
	before, after []event
}

func (r *recorder) Name() string { return "recorder" }

func (r *recorder) Before(site *gopatchrt.Site, op *gopatchrt.Op) gopatchrt.Token {
	r.mu.Lock()
	defer r.mu.Unlock()
	t := gopatchrt.Token{Start: int64(len(r.before) + 1), Err: r.inject}
	r.before = append(r.before, event{site: site, op: op, tok: t})
	return t
}

func (r *recorder) After(site *gopatchrt.Site, op *gopatchrt.Op, t gopatchrt.Token, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.after = append(r.after, event{site: site, op: op, tok: t, err: err})
}

func (r *recorder) events() (before, after []event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]event(nil), r.before...), append([]event(nil), r.after...)
}

// use puts h in force for the rest of the test.
func use(t *testing.T, h gopatchrt.Hub) {
	t.Helper()
	gopatchrt.Use(h)
	t.Cleanup(func() { gopatchrt.Use(nil) })
}

// shimCase tests one shim.
type shimCase struct {
	name   string // the Call method, the rule's replacement
	target string // the rule's target, which the shim's Op must name
	fails  bool   // the shim returns an error, which a hub can inject
	// run sets up, calls the shim exactly once through c, checks what the call did
	// (an error included) and returns the shim's error. inj says that the hub injects errInjected: an
	// operation that can fail then must not run, one that cannot must run anyway.
	run func(t *testing.T, c gopatchrt.Call, inj bool) error
}

// ok reports whether err is nil, so that the caller goes on to check results. An
// injected error is expected (the harness checks it); any other is reported.
func ok(t *testing.T, err error) bool {
	t.Helper()
	if err != nil && !errors.Is(err, errInjected) {
		t.Errorf("unexpected error: %v", err)
	}
	return err == nil
}

// zero checks that the results returned with an injected error are zero values, and
// returns err.
func zero(t *testing.T, err error, results ...any) error {
	t.Helper()
	if errors.Is(err, errInjected) {
		for i, r := range results {
			if v := reflect.ValueOf(r); v.IsValid() && !v.IsZero() {
				t.Errorf("result %d is %v with an injected error, want the zero value", i+1, r)
			}
		}
	}
	return err
}

// within fails the test unless ch delivers within a few seconds.
func within[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

var allCases []shimCase

func addCases(cs ...shimCase) { allCases = append(allCases, cs...) }

// testPkg numbers the shim cases' sites.
var testPkg *gopatchrt.Package

func TestShims(t *testing.T) {
	if testPkg == nil {
		testPkg = gopatchrt.NewPackage("gopatch.dev/gopatch/runtime_test", len(allCases), "dns,exec,http,net,os,sync,time,tls")
	}
	for i, sc := range allCases {
		i, sc := i, sc
		t.Run(sc.name, func(t *testing.T) {
			c := testPkg.At(i)
			t.Run("passthrough", func(t *testing.T) {
				gopatchrt.Use(nil)
				sc.run(t, c, false)
			})
			for _, inj := range []bool{false, true} {
				mode := "recorded"
				if inj {
					mode = "injected"
				}
				t.Run(mode, func(t *testing.T) {
					rec := &recorder{}
					if inj {
						rec.inject = errInjected
					}
					use(t, rec)
					err := sc.run(t, c, inj)
					gopatchrt.Use(nil)
					checkEvents(t, rec, c, sc, i, err)
					if inj && sc.fails && err != errInjected {
						t.Errorf("with an injected error the shim returned %v, want %v", err, errInjected)
					}
				})
			}
		})
	}
}

// checkEvents checks that the shim called Before and After once each, with its site
// and Op, and gave After the token from Before and the error it returned.
func checkEvents(t *testing.T, rec *recorder, c gopatchrt.Call, sc shimCase, index int, err error) {
	t.Helper()
	before, after := rec.events()
	if len(before) != 1 || len(after) != 1 {
		t.Fatalf("hub saw %d Before and %d After, want 1 and 1", len(before), len(after))
	}
	for _, ev := range []event{before[0], after[0]} {
		if ev.op == nil || ev.op.Call != sc.target {
			t.Errorf("hub saw op %+v, want Call %q", ev.op, sc.target)
		}
		if ev.site != c.Site() || ev.site.Index != index || ev.site.Pkg != testPkg {
			t.Errorf("hub saw site %p (index %d), want %p (index %d)", ev.site, ev.site.Index, c.Site(), index)
		}
	}
	if before[0].op != nil {
		seenOps.Store(sc.name, *before[0].op)
	}
	if before[0].op != after[0].op {
		t.Errorf("Before and After saw different ops")
	}
	if after[0].tok != before[0].tok {
		t.Errorf("After got token %+v, want Before's %+v", after[0].tok, before[0].tok)
	}
	wantErr := err
	if !sc.fails {
		wantErr = nil
	}
	if !sameError(after[0].err, wantErr) {
		t.Errorf("After saw error %v, want %v", after[0].err, wantErr)
	}
}

func sameError(a, b error) bool {
	if a == nil || b == nil {
		return a == b
	}
	return errors.Is(a, b) && errors.Is(b, a) && a.Error() == b.Error()
}

// seenOps holds the Op each case's shim gave the hub in TestShims, by case name.
var seenOps sync.Map

// TestShimsCoverCall checks that the table tests every shim, and that the ops match
// the rule catalog when the module sits in its repository.
func TestShimsCoverCall(t *testing.T) {
	methods := map[string]bool{}
	typ := reflect.TypeOf(gopatchrt.Call{})
	for i := 0; i < typ.NumMethod(); i++ {
		if name := typ.Method(i).Name; name != "Site" {
			methods[name] = true
		}
	}
	targets := map[string]string{}
	for _, sc := range allCases {
		if !methods[sc.name] {
			t.Errorf("case %s tests no method of Call", sc.name)
		}
		if _, dup := targets[sc.name]; dup {
			t.Errorf("case %s appears twice", sc.name)
		}
		targets[sc.name] = sc.target
		delete(methods, sc.name)
	}
	for name := range methods {
		t.Errorf("Call.%s has no case in TestShims", name)
	}

	files, _ := filepath.Glob("../rules/*.rules")
	if len(files) == 0 {
		t.Skip("no rule catalog beside the module")
	}
	rules := map[string]string{}
	categories := map[string]string{}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		category := ""
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			switch {
			case len(f) >= 2 && f[0] == "category":
				category = f[1]
			case len(f) >= 2 && f[0] == "construct":
				// A language construct, replaced by a generic function
				// (construct_test.go), not by a method of Call.
			case len(f) >= 2 && !strings.HasPrefix(f[0], "#"):
				rules[f[1]] = f[0]
				categories[f[1]] = category
			}
		}
	}
	for name, target := range targets {
		if rules[name] != target {
			t.Errorf("case %s expects op %q; the catalog's target is %q", name, target, rules[name])
		}
		if op, ok := seenOps.Load(name); ok && op.(gopatchrt.Op).Category != categories[name] {
			t.Errorf("Call.%s gives the hub category %q; the catalog's is %q", name, op.(gopatchrt.Op).Category, categories[name])
		}
	}
	if len(rules) != len(targets) {
		t.Errorf("catalog has %d rules, the table %d cases", len(rules), len(targets))
	}
}

// TestSitePosition checks that a hub sees the position of the patched call.
func TestSitePosition(t *testing.T) {
	pkg := gopatchrt.NewPackage("gopatch.dev/gopatch/runtime_test/position", 3, "time,sync,net")
	rec := &recorder{}
	use(t, rec)
	a, _ := tcpPair(t)
	var mu sync.Mutex

	_, _, line, _ := goruntime.Caller(0)
	pkg.At(0).Now()
	pkg.At(1).MutexLock(&mu)
	pkg.At(2).ConnWrite(a, []byte("x"))

	for i, s := range pkg.Sites() {
		file, l, fn := s.Position()
		if filepath.Base(file) != "shim_test.go" || l != line+1+i || !strings.HasSuffix(fn, ".TestSitePosition") {
			t.Errorf("site %d at %s:%d in %s, want shim_test.go:%d in TestSitePosition", i, file, l, fn, line+1+i)
		}
		if s.PC() == 0 {
			t.Errorf("site %d has no PC", i)
		}
	}
}

// TestErrorsPassThrough checks that a hub sees the error of an original that fails,
// and the caller gets it unchanged.
func TestErrorsPassThrough(t *testing.T) {
	pkg := gopatchrt.NewPackage("gopatch.dev/gopatch/runtime_test/errors", 5, "os,net,exec")
	closed, _ := tcpPair(t)
	closed.Close()
	for i, tc := range []struct {
		name string
		call func(c gopatchrt.Call) error
		want func(error) bool
	}{
		{"Open", func(c gopatchrt.Call) error {
			_, err := c.Open(filepath.Join(t.TempDir(), "missing"))
			return err
		}, func(err error) bool { return errors.Is(err, os.ErrNotExist) }},
		{"Dial", func(c gopatchrt.Call) error {
			_, err := c.Dial("tcp", closedPort(t))
			return err
		}, func(err error) bool { var op *net.OpError; return errors.As(err, &op) && op.Op == "dial" }},
		{"ConnRead", func(c gopatchrt.Call) error {
			_, err := c.ConnRead(closed, make([]byte, 1))
			return err
		}, func(err error) bool { return errors.Is(err, net.ErrClosed) }},
		{"CmdRun", func(c gopatchrt.Call) error {
			return c.CmdRun(exec.Command("sh", "-c", "exit 3"))
		}, func(err error) bool { var ee *exec.ExitError; return errors.As(err, &ee) && ee.ExitCode() == 3 }},
		{"HTTPListenAndServe", func(c gopatchrt.Call) error {
			l := listenTCP(t)
			return c.HTTPListenAndServe(l.Addr().String(), http.NotFoundHandler())
		}, isAddrInUse},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			use(t, rec)
			err := tc.call(pkg.At(i))
			gopatchrt.Use(nil)
			if !tc.want(err) {
				t.Fatalf("got error %v", err)
			}
			_, after := rec.events()
			if len(after) != 1 || after[0].err != err {
				t.Fatalf("After saw %+v, want one event with error %v", after, err)
			}
		})
	}
}

// TestZeroAllocs checks that passthrough allocates nothing.
func TestZeroAllocs(t *testing.T) {
	gopatchrt.Use(nil)
	c := gopatchrt.NewPackage("gopatch.dev/gopatch/runtime_test/allocs", 1, "").At(0)
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	conn, _ := tcpPair(t)
	var (
		mu  sync.Mutex
		wg  sync.WaitGroup
		t0  = time.Now()
		buf = []byte("x")
	)
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"Sleep", func() { c.Sleep(0) }},
		{"Now", func() { c.Now() }},
		{"Since", func() { c.Since(t0) }},
		{"MutexLockUnlock", func() { c.MutexLock(&mu); c.MutexUnlock(&mu) }},
		{"WaitGroupAddDone", func() { c.WaitGroupAdd(&wg, 1); c.WaitGroupDone(&wg) }},
		{"FileWrite", func() { c.FileWrite(f, buf) }},
		{"ConnWrite", func() { c.ConnWrite(conn, buf) }},
	} {
		if n := testing.AllocsPerRun(100, tc.f); n != 0 {
			t.Errorf("%s: %v allocations per call under passthrough, want 0", tc.name, n)
		}
	}
}

// overInlineBudget lists the shims too big for the inliner even as one call to a
// fwd helper (call.go): three results and three or more parameters. They cost
// passthrough a call, against a DNS lookup.
var overInlineBudget = map[string]bool{"LookupSRV": true, "ResolverLookupSRV": true}

// TestShimsInline checks, with the compiler's own report, that the passthrough
// path stays inlinable: At and every shim but those of overInlineBudget. A shim
// that stops being inlinable costs every patched call a call to the shim.
func TestShimsInline(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the package")
	}
	gobin := filepath.Join(goruntime.GOROOT(), "bin", "go")
	if _, err := os.Stat(gobin); err != nil {
		t.Skipf("no go command: %v", err)
	}
	out, err := exec.Command(gobin, "build", "-gcflags=-m", "-o", os.DevNull, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build -gcflags=-m: %v\n%s", err, out)
	}
	inlinable := map[string]bool{}
	for _, line := range strings.Split(string(out), "\n") {
		if _, after, ok := strings.Cut(line, ": can inline "); ok {
			inlinable[strings.Fields(after)[0]] = true
		}
	}
	if !inlinable["(*Package).At"] {
		t.Error("(*Package).At is not inlinable")
	}
	ct := reflect.TypeOf(gopatchrt.Call{})
	for i := 0; i < ct.NumMethod(); i++ {
		name := ct.Method(i).Name
		if name == "Site" {
			continue
		}
		if got, want := inlinable["Call."+name], !overInlineBudget[name]; got != want {
			t.Errorf("Call.%s inlinable: %v, want %v", name, got, want)
		}
	}
}

// ---- fixtures

func listenTCP(t testing.TB) *net.TCPListener {
	t.Helper()
	l, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// tcpPair returns the two ends of a loopback TCP connection.
func tcpPair(t testing.TB) (client, server *net.TCPConn) {
	t.Helper()
	l := listenTCP(t)
	client, err := net.DialTCP("tcp", nil, l.Addr().(*net.TCPAddr))
	if err != nil {
		t.Fatal(err)
	}
	server, err = l.AcceptTCP()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close(); server.Close() })
	return client, server
}

// acceptOne accepts one connection on l in the background.
func acceptOne(t *testing.T, l net.Listener) <-chan net.Conn {
	ch := make(chan net.Conn, 1)
	go func() {
		c, err := l.Accept()
		if err == nil {
			t.Cleanup(func() { c.Close() })
			ch <- c
		}
	}()
	return ch
}

// dialOne dials addr in the background and writes msg.
func dialOne(t *testing.T, network, addr, msg string) {
	go func() {
		c, err := net.Dial(network, addr)
		if err != nil {
			return
		}
		c.Write([]byte(msg))
		t.Cleanup(func() { c.Close() })
	}()
}

// readMsg reads what the peer wrote, expecting want.
func readMsg(t *testing.T, r io.Reader, want string) {
	t.Helper()
	if rc, ok := r.(interface{ SetReadDeadline(time.Time) error }); ok {
		rc.SetReadDeadline(time.Now().Add(5 * time.Second))
	}
	buf := make([]byte, len(want))
	if _, err := io.ReadFull(r, buf); err != nil || string(buf) != want {
		t.Errorf("peer got %q, %v; want %q", buf, err, want)
	}
}

func udpConn(t *testing.T) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// udpPair returns a UDP socket connected to another, unconnected one.
func udpPair(t *testing.T) (connected, other *net.UDPConn) {
	t.Helper()
	other = udpConn(t)
	connected, err := net.DialUDP("udp", nil, other.LocalAddr().(*net.UDPAddr))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { connected.Close() })
	return connected, other
}

func readUDP(t *testing.T, c *net.UDPConn, want string) *net.UDPAddr {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 64)
	n, addr, err := c.ReadFromUDP(buf)
	if err != nil || string(buf[:n]) != want {
		t.Errorf("peer got %q, %v; want %q", buf[:n], err, want)
	}
	return addr
}

func unixPath(t *testing.T) string {
	return filepath.Join(t.TempDir(), "s")
}

func listenUnix(t *testing.T) *net.UnixListener {
	t.Helper()
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: unixPath(t), Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func unixPair(t *testing.T) (client, server *net.UnixConn) {
	t.Helper()
	l := listenUnix(t)
	client, err := net.DialUnix("unix", nil, l.Addr().(*net.UnixAddr))
	if err != nil {
		t.Fatal(err)
	}
	server, err = l.AcceptUnix()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close(); server.Close() })
	return client, server
}

// closedPort returns a loopback address that nothing listens on.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func isAddrInUse(err error) bool {
	return err != nil && strings.Contains(err.Error(), "address already in use")
}

func tempFile(t *testing.T, content string) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return name
}

func openFile(t *testing.T, content string, flag int) *os.File {
	t.Helper()
	f, err := os.OpenFile(tempFile(t, content), flag, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func fileContent(t *testing.T, f *os.File) string {
	t.Helper()
	data, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// ---- TLS fixtures

var (
	certOnce                       sync.Once
	serverTLS, clientTLS           *tls.Config
	certFile, keyFile, certDirName string
)

// tlsConfigs returns a server and a client configuration around a self-signed
// certificate for 127.0.0.1 and localhost, whose PEM files are certFile and keyFile.
func tlsConfigs(t testing.TB) (server, client *tls.Config) {
	certOnce.Do(func() {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		tmpl := &x509.Certificate{
			SerialNumber:          big.NewInt(1),
			Subject:               pkix.Name{CommonName: "gopatch test"},
			NotBefore:             time.Now().Add(-time.Hour),
			NotAfter:              time.Now().Add(24 * time.Hour),
			KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
			ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			BasicConstraintsValid: true,
			IsCA:                  true,
			IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
			DNSNames:              []string{"localhost"},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			panic(err)
		}
		keyDER, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			panic(err)
		}
		certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
		keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
		cert, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			panic(err)
		}
		certDirName, err = os.MkdirTemp("", "gopatch-cert")
		if err != nil {
			panic(err)
		}
		certFile, keyFile = filepath.Join(certDirName, "cert.pem"), filepath.Join(certDirName, "key.pem")
		if os.WriteFile(certFile, certPEM, 0o600) != nil || os.WriteFile(keyFile, keyPEM, 0o600) != nil {
			panic("writing the certificate")
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(certPEM)
		serverTLS = &tls.Config{Certificates: []tls.Certificate{cert}}
		clientTLS = &tls.Config{RootCAs: pool}
	})
	return serverTLS, clientTLS
}

func TestMain(m *testing.M) {
	code := m.Run()
	if certDirName != "" {
		os.RemoveAll(certDirName)
	}
	os.Exit(code)
}

// tlsEcho serves TLS on a loopback listener, echoing what each connection sends.
func tlsEcho(t *testing.T) string {
	t.Helper()
	server, _ := tlsConfigs(t)
	l := tls.NewListener(listenTCP(t), server)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.Copy(c, c)
			}()
		}
	}()
	return l.Addr().String()
}

// tlsPair returns the client and server ends of a TLS connection over loopback TCP,
// with the handshake not yet run; the server handshakes in the background.
func tlsPair(t testing.TB) (client, server *tls.Conn) {
	t.Helper()
	sc, cc := tlsConfigs(t)
	a, b := tcpPair(t)
	cfg := cc.Clone()
	cfg.ServerName = "localhost"
	client, server = tls.Client(a, cfg), tls.Server(b, sc)
	go server.Handshake()
	return client, server
}

func checkTLSEcho(t *testing.T, conn net.Conn) {
	t.Helper()
	if _, err := conn.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	readMsg(t, conn, "ping")
	conn.Close()
}

// ---- HTTP fixtures

// echoServer answers each request with its method, path and body.
func echoServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(echo))
	t.Cleanup(srv.Close)
	return srv
}

func echo(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.ParseForm()
	fmt.Fprintf(w, "%s %s %s%s", r.Method, r.URL.Path, body, r.Form.Encode())
}

// checkResponse reads resp and compares its body with want.
func checkResponse(t *testing.T, resp *http.Response, err error, want string) error {
	t.Helper()
	if !ok(t, err) {
		return zero(t, err, resp)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if string(body) != want {
		t.Errorf("response %q, want %q", body, want)
	}
	return nil
}

// serveInBackground runs serve, which the test ends by closing l or shutting the
// server down, and returns its error once it ends.
func serveInBackground(serve func() error) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- serve() }()
	return ch
}

func getOK(t *testing.T, client *http.Client, url, want string) {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if string(body) != want {
		t.Errorf("GET %s: %q, want %q", url, body, want)
	}
}

var hello = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") })

func httpsClient(t *testing.T) *http.Client {
	_, cc := tlsConfigs(t)
	return &http.Client{Transport: &http.Transport{TLSClientConfig: cc, DisableKeepAlives: true}}
}

var plainClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

// waitUp polls url until a server answers.
func waitUp(t *testing.T, client *http.Client, url string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := client.Get(url); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no server at %s", url)
}

// ---- DNS fixtures

// fakeDNS answers every query for a name under gopatch.test. with one record of
// the asked type (none for AAAA), from a loopback UDP socket.
func fakeDNS(t *testing.T) *net.Resolver {
	t.Helper()
	pc := udpConn(t)
	go func() {
		buf := make([]byte, 1500)
		for {
			n, addr, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if resp := dnsAnswer(buf[:n]); resp != nil {
				pc.WriteTo(resp, addr)
			}
		}
	}()
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
			return net.DialUDP("udp", nil, pc.LocalAddr().(*net.UDPAddr))
		},
	}
}

// useFakeDNS points net.DefaultResolver, which the package-level lookups use, at
// fakeDNS for the rest of the test.
func useFakeDNS(t *testing.T) {
	r := fakeDNS(t)
	preferGo, dial := net.DefaultResolver.PreferGo, net.DefaultResolver.Dial
	net.DefaultResolver.PreferGo, net.DefaultResolver.Dial = true, r.Dial
	t.Cleanup(func() { net.DefaultResolver.PreferGo, net.DefaultResolver.Dial = preferGo, dial })
}

const (
	dnsA     = 1
	dnsNS    = 2
	dnsCNAME = 5
	dnsPTR   = 12
	dnsMX    = 15
	dnsTXT   = 16
	dnsAAAA  = 28
	dnsSRV   = 33
)

func dnsName(name string) []byte {
	var b []byte
	for _, label := range strings.Split(strings.TrimSuffix(name, "."), ".") {
		b = append(b, byte(len(label)))
		b = append(b, label...)
	}
	return append(b, 0)
}

// dnsAnswer builds the response to query q.
func dnsAnswer(q []byte) []byte {
	if len(q) < 12 {
		return nil
	}
	end := 12
	for end < len(q) && q[end] != 0 {
		end += int(q[end]) + 1
	}
	end += 5 // the root label, type and class
	if end > len(q) {
		return nil
	}
	qtype := binary.BigEndian.Uint16(q[end-4:])
	var rdata []byte
	switch qtype {
	case dnsA:
		rdata = []byte{127, 0, 0, 1}
	case dnsNS:
		rdata = dnsName("ns1.gopatch.test.")
	case dnsCNAME: // the name is canonical: the resolver asks in more than one way
		rdata = q[12 : end-4]
	case dnsPTR:
		rdata = dnsName("ptr.gopatch.test.")
	case dnsMX:
		rdata = append([]byte{0, 10}, dnsName("mail.gopatch.test.")...)
	case dnsTXT:
		rdata = append([]byte{7}, "gopatch"...)
	case dnsSRV:
		rdata = append([]byte{0, 0, 0, 5, 0x1f, 0x90}, dnsName("svc.gopatch.test.")...)
	}
	resp := append([]byte(nil), q[:end]...)
	flags := uint16(1<<15 | 1<<10 | 1<<7) // response, authoritative, recursion available
	flags |= binary.BigEndian.Uint16(q[2:]) & (1 << 8)
	binary.BigEndian.PutUint16(resp[2:], flags)
	binary.BigEndian.PutUint16(resp[4:], 1) // one question
	binary.BigEndian.PutUint16(resp[8:], 0)
	binary.BigEndian.PutUint16(resp[10:], 0)
	if rdata == nil {
		binary.BigEndian.PutUint16(resp[6:], 0)
		return resp
	}
	binary.BigEndian.PutUint16(resp[6:], 1)
	resp = append(resp, 0xc0, 12) // the question's name
	resp = binary.BigEndian.AppendUint16(resp, qtype)
	resp = binary.BigEndian.AppendUint16(resp, 1) // IN
	resp = binary.BigEndian.AppendUint32(resp, 60)
	resp = binary.BigEndian.AppendUint16(resp, uint16(len(rdata)))
	return append(resp, rdata...)
}

// sameLookup checks that the shim's result equals the direct call's and is not empty.
func sameLookup(t *testing.T, got, want any) {
	t.Helper()
	if reflect.ValueOf(got).IsZero() {
		t.Errorf("empty result")
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("shim returned %v, the original %v", got, want)
	}
}

func sortedStrings(s []string) []string {
	s = append([]string(nil), s...)
	sort.Strings(s)
	return s
}

// ---- cases: time

func init() {
	addCases(
		shimCase{"Sleep", "time.Sleep", false, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			d := 20 * time.Millisecond
			if inj {
				d = time.Hour // skipped
			}
			start := time.Now()
			c.Sleep(d)
			if el := time.Since(start); !inj && el < d || inj && el > time.Minute {
				t.Errorf("Sleep(%v) took %v", d, el)
			}
			return nil
		}},
		shimCase{"After", "time.After", false, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			start := time.Now()
			at := within(t, c.After(10*time.Millisecond), "After")
			if at.Sub(start) < 10*time.Millisecond {
				t.Errorf("After fired after %v", at.Sub(start))
			}
			return nil
		}},
		shimCase{"Tick", "time.Tick", false, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			ch := c.Tick(time.Millisecond)
			within(t, ch, "the first tick")
			within(t, ch, "the second tick")
			if time.Tick(0) != nil {
				t.Fatal("the original's Tick(0) is not nil") // the shim's is checked under a Clock
			}
			return nil
		}},
		shimCase{"NewTimer", "time.NewTimer", false, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			tm := c.NewTimer(time.Millisecond)
			within(t, tm.C, "the timer")
			return nil
		}},
		shimCase{"NewTicker", "time.NewTicker", false, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			tk := c.NewTicker(time.Millisecond)
			defer tk.Stop()
			within(t, tk.C, "the first tick")
			within(t, tk.C, "the second tick")
			return nil
		}},
		shimCase{"AfterFunc", "time.AfterFunc", false, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			ran := make(chan bool)
			tm := c.AfterFunc(time.Millisecond, func() { ran <- true })
			within(t, ran, "the function")
			if tm.Stop() {
				t.Error("the timer was still running after f ran")
			}
			return nil
		}},
		shimCase{"Now", "time.Now", false, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			before := time.Now()
			now := c.Now()
			after := time.Now()
			if now.Before(before) || now.After(after) {
				t.Errorf("Now %v not within [%v, %v]", now, before, after)
			}
			return nil
		}},
		shimCase{"Since", "time.Since", false, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			t0 := time.Now().Add(-time.Hour)
			if d := c.Since(t0); d < time.Hour || d > time.Hour+time.Minute {
				t.Errorf("Since(an hour ago) = %v", d)
			}
			return nil
		}},
		shimCase{"Until", "time.Until", false, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			t0 := time.Now().Add(time.Hour)
			if d := c.Until(t0); d > time.Hour || d < time.Hour-time.Minute {
				t.Errorf("Until(in an hour) = %v", d)
			}
			return nil
		}},
		shimCase{"ContextWithTimeout", "context.WithTimeout", false, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			ctx, cancel := c.ContextWithTimeout(context.Background(), time.Millisecond)
			defer cancel()
			within(t, ctx.Done(), "the context's deadline")
			if ctx.Err() != context.DeadlineExceeded {
				t.Errorf("ctx.Err() = %v, want DeadlineExceeded", ctx.Err())
			}
			return nil
		}},
		shimCase{"ContextWithDeadline", "context.WithDeadline", false, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			ctx, cancel := c.ContextWithDeadline(context.Background(), time.Now().Add(time.Hour))
			if d, ok := ctx.Deadline(); !ok || time.Until(d) < 59*time.Minute {
				t.Errorf("Deadline() = %v, %v; want an hour from now", d, ok)
			}
			cancel()
			if ctx.Err() != context.Canceled {
				t.Errorf("after cancel, ctx.Err() = %v", ctx.Err())
			}
			return nil
		}},
		shimCase{"TimerStop", "(*time.Timer).Stop", false, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			tm := time.NewTimer(time.Hour)
			if !c.TimerStop(tm) {
				t.Error("TimerStop of a running timer returned false")
			}
			if tm.Stop() {
				t.Error("the timer was still running after TimerStop")
			}
			return nil
		}},
		shimCase{"TimerReset", "(*time.Timer).Reset", false, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			tm := time.NewTimer(time.Hour)
			if !c.TimerReset(tm, time.Millisecond) {
				t.Error("TimerReset of a running timer returned false")
			}
			within(t, tm.C, "the reset timer")
			return nil
		}},
		shimCase{"TickerStop", "(*time.Ticker).Stop", false, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			tk := time.NewTicker(time.Millisecond)
			within(t, tk.C, "a tick")
			c.TickerStop(tk)
			select { // a tick sent before Stop may wait in the channel
			case <-tk.C:
			default:
			}
			select {
			case <-tk.C:
				t.Error("the ticker ticked after TickerStop")
			case <-time.After(20 * time.Millisecond):
			}
			return nil
		}},
		shimCase{"TickerReset", "(*time.Ticker).Reset", false, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			tk := time.NewTicker(time.Hour)
			defer tk.Stop()
			c.TickerReset(tk, time.Millisecond)
			within(t, tk.C, "a tick after TickerReset")
			return nil
		}},
	)
}

// ---- cases: sync

// blocked reports whether ch stays empty for a little while.
func blocked[T any](ch <-chan T) bool {
	select {
	case <-ch:
		return false
	case <-time.After(20 * time.Millisecond):
		return true
	}
}

// condWaiters starts n goroutines that wait on cond, and returns once all wait,
// with a channel that receives once per woken waiter.
func condWaiters(cond *sync.Cond, n int) <-chan bool {
	woke := make(chan bool, n)
	for i := 0; i < n; i++ {
		started := make(chan bool)
		go func() {
			cond.L.Lock()
			close(started)
			cond.Wait()
			cond.L.Unlock()
			woke <- true
		}()
		<-started
		cond.L.Lock() // held by the waiter until it is inside Wait
		cond.L.Unlock()
	}
	return woke
}

func init() {
	addCases(
		shimCase{"MutexLock", "(*sync.Mutex).Lock", false, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			var mu sync.Mutex
			c.MutexLock(&mu)
			if mu.TryLock() {
				t.Error("the mutex was free after MutexLock")
			}
			return nil
		}},
		shimCase{"MutexUnlock", "(*sync.Mutex).Unlock", false, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			var mu sync.Mutex
			mu.Lock()
			c.MutexUnlock(&mu)
			if !mu.TryLock() {
				t.Error("the mutex was held after MutexUnlock")
			}
			return nil
		}},
		shimCase{"RWMutexLock", "(*sync.RWMutex).Lock", false, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			var rw sync.RWMutex
			c.RWMutexLock(&rw)
			if rw.TryRLock() {
				t.Error("the RWMutex was free for reading after RWMutexLock")
			}
			return nil
		}},
		shimCase{"RWMutexUnlock", "(*sync.RWMutex).Unlock", false, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			var rw sync.RWMutex
			rw.Lock()
			c.RWMutexUnlock(&rw)
			if !rw.TryLock() {
				t.Error("the RWMutex was held after RWMutexUnlock")
			}
			return nil
		}},
		shimCase{"RWMutexRLock", "(*sync.RWMutex).RLock", false, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			var rw sync.RWMutex
			c.RWMutexRLock(&rw)
			if rw.TryLock() {
				t.Error("the RWMutex was free for writing after RWMutexRLock")
			}
			if !rw.TryRLock() {
				t.Error("the RWMutex was not shared after RWMutexRLock")
			}
			return nil
		}},
		shimCase{"RWMutexRUnlock", "(*sync.RWMutex).RUnlock", false, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			var rw sync.RWMutex
			rw.RLock()
			c.RWMutexRUnlock(&rw)
			if !rw.TryLock() {
				t.Error("the RWMutex was held after RWMutexRUnlock")
			}
			return nil
		}},
		shimCase{"WaitGroupAdd", "(*sync.WaitGroup).Add", false, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			var wg sync.WaitGroup
			c.WaitGroupAdd(&wg, 2)
			done := make(chan bool)
			go func() { wg.Wait(); close(done) }()
			wg.Done()
			if !blocked(done) {
				t.Error("Wait returned with the counter at 1")
			}
			wg.Done()
			within(t, done, "Wait")
			return nil
		}},
		shimCase{"WaitGroupDone", "(*sync.WaitGroup).Done", false, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			var wg sync.WaitGroup
			wg.Add(1)
			done := make(chan bool)
			go func() { wg.Wait(); close(done) }()
			c.WaitGroupDone(&wg)
			within(t, done, "Wait")
			return nil
		}},
		shimCase{"WaitGroupWait", "(*sync.WaitGroup).Wait", false, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			var wg sync.WaitGroup
			var finished bool
			wg.Add(1)
			go func() { time.Sleep(10 * time.Millisecond); finished = true; wg.Done() }()
			c.WaitGroupWait(&wg)
			if !finished {
				t.Error("WaitGroupWait returned before Done")
			}
			return nil
		}},
		shimCase{"CondWait", "(*sync.Cond).Wait", false, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			var mu sync.Mutex
			cond := sync.NewCond(&mu)
			signalled := false
			mu.Lock()
			go func() {
				mu.Lock() // only once CondWait has released it
				signalled = true
				cond.Signal()
				mu.Unlock()
			}()
			c.CondWait(cond)
			if !signalled {
				t.Error("CondWait returned without a signal")
			}
			if mu.TryLock() {
				t.Error("CondWait returned without the lock")
			}
			mu.Unlock()
			return nil
		}},
		shimCase{"CondSignal", "(*sync.Cond).Signal", false, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			cond := sync.NewCond(&sync.Mutex{})
			woke := condWaiters(cond, 2)
			c.CondSignal(cond)
			within(t, woke, "a waiter")
			if !blocked(woke) {
				t.Error("CondSignal woke two waiters")
			}
			cond.Signal()
			within(t, woke, "the other waiter")
			return nil
		}},
		shimCase{"CondBroadcast", "(*sync.Cond).Broadcast", false, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			cond := sync.NewCond(&sync.Mutex{})
			woke := condWaiters(cond, 2)
			c.CondBroadcast(cond)
			within(t, woke, "a waiter")
			within(t, woke, "the other waiter")
			return nil
		}},
		shimCase{"OnceDo", "(*sync.Once).Do", false, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			var once sync.Once
			n := 0
			c.OnceDo(&once, func() { n++ })
			once.Do(func() { n++ })
			if n != 1 {
				t.Errorf("f ran %d times", n)
			}
			return nil
		}},
	)
}

// ---- cases: os

func init() {
	addCases(
		shimCase{"ReadFile", "os.ReadFile", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			data, err := c.ReadFile(tempFile(t, "content"))
			if ok(t, err) && string(data) != "content" {
				t.Errorf("ReadFile = %q", data)
			}
			return zero(t, err, data)
		}},
		shimCase{"WriteFile", "os.WriteFile", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			name := filepath.Join(t.TempDir(), "f")
			err := c.WriteFile(name, []byte("content"), 0o640)
			if ok(t, err) {
				fi, err := os.Stat(name)
				data, _ := os.ReadFile(name)
				if err != nil || string(data) != "content" || fi.Mode().Perm() != 0o640&^umask(t) {
					t.Errorf("wrote %q, %v", data, err)
				}
			} else if _, err := os.Stat(name); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the file exists after an injected error: %v", err)
			}
			return err
		}},
		shimCase{"Open", "os.Open", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			f, err := c.Open(tempFile(t, "content"))
			if ok(t, err) {
				defer f.Close()
				if _, err := f.Write([]byte("x")); err == nil {
					t.Error("Open gave a writable file")
				}
				readMsg(t, f, "content")
			}
			return zero(t, err, f)
		}},
		shimCase{"Create", "os.Create", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			name := tempFile(t, "old content")
			f, err := c.Create(name)
			if ok(t, err) {
				defer f.Close()
				f.WriteString("new")
				if got := fileContent(t, f); got != "new" {
					t.Errorf("file holds %q after Create and a write", got)
				}
			}
			return zero(t, err, f)
		}},
		shimCase{"OpenFile", "os.OpenFile", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			name := tempFile(t, "a")
			f, err := c.OpenFile(name, os.O_WRONLY|os.O_APPEND, 0)
			if ok(t, err) {
				defer f.Close()
				f.WriteString("b")
				if got := fileContent(t, f); got != "ab" {
					t.Errorf("file holds %q after an append", got)
				}
			}
			return zero(t, err, f)
		}},
		shimCase{"ReadDir", "os.ReadDir", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			dir := t.TempDir()
			for _, n := range []string{"b", "a"} {
				os.WriteFile(filepath.Join(dir, n), nil, 0o600)
			}
			entries, err := c.ReadDir(dir)
			if ok(t, err) && (len(entries) != 2 || entries[0].Name() != "a" || entries[1].Name() != "b") {
				t.Errorf("ReadDir = %v", entries)
			}
			return zero(t, err, entries)
		}},
		shimCase{"FileRead", "(*os.File).Read", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			f := openFile(t, "content", os.O_RDONLY)
			buf := make([]byte, 16)
			n, err := c.FileRead(f, buf)
			if ok(t, err) && string(buf[:n]) != "content" {
				t.Errorf("read %q", buf[:n])
			}
			return zero(t, err, n)
		}},
		shimCase{"FileWrite", "(*os.File).Write", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			f := openFile(t, "", os.O_WRONLY)
			n, err := c.FileWrite(f, []byte("content"))
			want := "content"
			if !ok(t, err) {
				want = ""
			} else if n != 7 {
				t.Errorf("wrote %d bytes", n)
			}
			if got := fileContent(t, f); got != want {
				t.Errorf("file holds %q, want %q", got, want)
			}
			return zero(t, err, n)
		}},
		shimCase{"FileWriteString", "(*os.File).WriteString", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			f := openFile(t, "", os.O_WRONLY)
			n, err := c.FileWriteString(f, "content")
			if ok(t, err) && (n != 7 || fileContent(t, f) != "content") {
				t.Errorf("wrote %d bytes, file holds %q", n, fileContent(t, f))
			}
			return zero(t, err, n)
		}},
		shimCase{"FileReadAt", "(*os.File).ReadAt", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			f := openFile(t, "0123456789", os.O_RDONLY)
			buf := make([]byte, 3)
			n, err := c.FileReadAt(f, buf, 4)
			if ok(t, err) && string(buf[:n]) != "456" {
				t.Errorf("read %q at 4", buf[:n])
			}
			return zero(t, err, n)
		}},
		shimCase{"FileWriteAt", "(*os.File).WriteAt", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			f := openFile(t, "0123456789", os.O_WRONLY)
			n, err := c.FileWriteAt(f, []byte("abc"), 4)
			if ok(t, err) && (n != 3 || fileContent(t, f) != "0123abc789") {
				t.Errorf("wrote %d bytes at 4, file holds %q", n, fileContent(t, f))
			}
			return zero(t, err, n)
		}},
		shimCase{"FileSync", "(*os.File).Sync", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			f := openFile(t, "", os.O_WRONLY)
			f.WriteString("x")
			err := c.FileSync(f)
			ok(t, err)
			return err
		}},
	)
}

func umask(t *testing.T) os.FileMode {
	name := filepath.Join(t.TempDir(), "umask")
	os.WriteFile(name, nil, 0o777)
	fi, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	return 0o777 &^ fi.Mode().Perm()
}

// ---- cases: exec

func init() {
	addCases(
		shimCase{"CmdRun", "(*os/exec.Cmd).Run", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			name := filepath.Join(t.TempDir(), "out")
			err := c.CmdRun(exec.Command("sh", "-c", `echo ran > "$0"`, name))
			data, _ := os.ReadFile(name)
			if ok(t, err) && string(data) != "ran\n" {
				t.Errorf("the command wrote %q", data)
			} else if inj && len(data) != 0 {
				t.Errorf("the command ran despite an injected error")
			}
			return err
		}},
		shimCase{"CmdOutput", "(*os/exec.Cmd).Output", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			out, err := c.CmdOutput(exec.Command("sh", "-c", "echo out; echo err >&2"))
			if ok(t, err) && string(out) != "out\n" {
				t.Errorf("Output = %q", out)
			}
			return zero(t, err, out)
		}},
		shimCase{"CmdCombinedOutput", "(*os/exec.Cmd).CombinedOutput", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			out, err := c.CmdCombinedOutput(exec.Command("sh", "-c", "echo out; echo err >&2"))
			if ok(t, err) && string(out) != "out\nerr\n" {
				t.Errorf("CombinedOutput = %q", out)
			}
			return zero(t, err, out)
		}},
		shimCase{"CmdStart", "(*os/exec.Cmd).Start", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			cmd := exec.Command("sh", "-c", "exit 4")
			err := c.CmdStart(cmd)
			if ok(t, err) {
				var ee *exec.ExitError
				if err := cmd.Wait(); !errors.As(err, &ee) || ee.ExitCode() != 4 {
					t.Errorf("Wait after CmdStart: %v", err)
				}
			} else if cmd.Process != nil {
				t.Error("the command started despite an injected error")
			}
			return err
		}},
		shimCase{"CmdWait", "(*os/exec.Cmd).Wait", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			cmd := exec.Command("true")
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			err := c.CmdWait(cmd)
			if ok(t, err) && !cmd.ProcessState.Success() {
				t.Errorf("state %v", cmd.ProcessState)
			} else if inj {
				cmd.Wait()
			}
			return err
		}},
		shimCase{"ProcessWait", "(*os.Process).Wait", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			cmd := exec.Command("sh", "-c", "exit 2")
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			state, err := c.ProcessWait(cmd.Process)
			if ok(t, err) && state.ExitCode() != 2 {
				t.Errorf("exit code %d, want 2", state.ExitCode())
			} else if inj {
				cmd.Process.Wait()
			}
			return zero(t, err, state)
		}},
	)
}

// ---- cases: net

// checkConn checks that conn is connected to a peer that accept delivers.
func checkConn(t *testing.T, conn net.Conn, peer <-chan net.Conn) {
	t.Helper()
	defer conn.Close()
	p := within(t, peer, "the accepted connection")
	conn.Write([]byte("hi"))
	readMsg(t, p, "hi")
}

// checkListener checks that a dial to l's address reaches l.
func checkListener(t *testing.T, l net.Listener) {
	t.Helper()
	defer l.Close()
	dialOne(t, l.Addr().Network(), l.Addr().String(), "hi")
	conn, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	readMsg(t, conn, "hi")
}

// checkPacketConn checks that a datagram sent to pc arrives.
func checkPacketConn(t *testing.T, pc net.PacketConn) {
	t.Helper()
	defer pc.Close()
	from := udpConn(t)
	from.WriteTo([]byte("hi"), pc.LocalAddr())
	pc.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 8)
	n, addr, err := pc.ReadFrom(buf)
	if err != nil || string(buf[:n]) != "hi" || addr.String() != from.LocalAddr().String() {
		t.Errorf("got %q from %v, %v", buf[:n], addr, err)
	}
}

// checkAccepted checks that conn is the server end of a connection whose client
// wrote "hi".
func checkAccepted(t *testing.T, conn net.Conn) {
	t.Helper()
	defer conn.Close()
	readMsg(t, conn, "hi")
}

func init() {
	addCases(
		shimCase{"Dial", "net.Dial", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			l := listenTCP(t)
			peer := acceptOne(t, l)
			conn, err := c.Dial("tcp", l.Addr().String())
			if ok(t, err) {
				checkConn(t, conn, peer)
			}
			return zero(t, err, conn)
		}},
		shimCase{"DialTimeout", "net.DialTimeout", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			l := listenTCP(t)
			peer := acceptOne(t, l)
			conn, err := c.DialTimeout("tcp", l.Addr().String(), 5*time.Second)
			if ok(t, err) {
				checkConn(t, conn, peer)
			}
			return zero(t, err, conn)
		}},
		shimCase{"DialTCP", "net.DialTCP", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			l := listenTCP(t)
			peer := acceptOne(t, l)
			conn, err := c.DialTCP("tcp", nil, l.Addr().(*net.TCPAddr))
			if ok(t, err) {
				checkConn(t, conn, peer)
			}
			return zero(t, err, conn)
		}},
		shimCase{"DialUDP", "net.DialUDP", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			peer := udpConn(t)
			conn, err := c.DialUDP("udp", nil, peer.LocalAddr().(*net.UDPAddr))
			if ok(t, err) {
				defer conn.Close()
				conn.Write([]byte("hi"))
				readUDP(t, peer, "hi")
			}
			return zero(t, err, conn)
		}},
		shimCase{"DialUnix", "net.DialUnix", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			l := listenUnix(t)
			peer := acceptOne(t, l)
			conn, err := c.DialUnix("unix", nil, l.Addr().(*net.UnixAddr))
			if ok(t, err) {
				checkConn(t, conn, peer)
			}
			return zero(t, err, conn)
		}},
		shimCase{"Listen", "net.Listen", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			l, err := c.Listen("tcp", "127.0.0.1:0")
			if ok(t, err) {
				checkListener(t, l)
			}
			return zero(t, err, l)
		}},
		shimCase{"ListenPacket", "net.ListenPacket", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			pc, err := c.ListenPacket("udp", "127.0.0.1:0")
			if ok(t, err) {
				checkPacketConn(t, pc)
			}
			return zero(t, err, pc)
		}},
		shimCase{"ListenTCP", "net.ListenTCP", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			l, err := c.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
			if ok(t, err) {
				checkListener(t, l)
			}
			return zero(t, err, l)
		}},
		shimCase{"ListenUDP", "net.ListenUDP", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			pc, err := c.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
			if ok(t, err) {
				checkPacketConn(t, pc)
			}
			return zero(t, err, pc)
		}},
		shimCase{"ListenUnix", "net.ListenUnix", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			l, err := c.ListenUnix("unix", &net.UnixAddr{Name: unixPath(t), Net: "unix"})
			if ok(t, err) {
				checkListener(t, l)
			}
			return zero(t, err, l)
		}},
		shimCase{"DialerDial", "(*net.Dialer).Dial", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			l := listenTCP(t)
			peer := acceptOne(t, l)
			conn, err := c.DialerDial(&net.Dialer{Timeout: 5 * time.Second}, "tcp", l.Addr().String())
			if ok(t, err) {
				checkConn(t, conn, peer)
			}
			return zero(t, err, conn)
		}},
		shimCase{"DialerDialContext", "(*net.Dialer).DialContext", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			l := listenTCP(t)
			peer := acceptOne(t, l)
			conn, err := c.DialerDialContext(&net.Dialer{}, context.Background(), "tcp", l.Addr().String())
			if ok(t, err) {
				checkConn(t, conn, peer)
			}
			canceled, cancel := context.WithCancel(context.Background())
			cancel()
			if _, err := (&net.Dialer{}).DialContext(canceled, "tcp", l.Addr().String()); err == nil {
				t.Error("the original dialled with a cancelled context") // the shim's context is checked under a Network
			}
			return zero(t, err, conn)
		}},
		shimCase{"ListenConfigListen", "(*net.ListenConfig).Listen", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			l, err := c.ListenConfigListen(&net.ListenConfig{}, context.Background(), "tcp", "127.0.0.1:0")
			if ok(t, err) {
				checkListener(t, l)
			}
			return zero(t, err, l)
		}},
		shimCase{"ListenConfigListenPacket", "(*net.ListenConfig).ListenPacket", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			pc, err := c.ListenConfigListenPacket(&net.ListenConfig{}, context.Background(), "udp", "127.0.0.1:0")
			if ok(t, err) {
				checkPacketConn(t, pc)
			}
			return zero(t, err, pc)
		}},
		shimCase{"ListenerAccept", "(net.Listener).Accept", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			var l net.Listener = listenTCP(t)
			dialOne(t, "tcp", l.Addr().String(), "hi")
			conn, err := c.ListenerAccept(l)
			if ok(t, err) {
				checkAccepted(t, conn)
			}
			return zero(t, err, conn)
		}},
		shimCase{"TCPListenerAccept", "(*net.TCPListener).Accept", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			l := listenTCP(t)
			dialOne(t, "tcp", l.Addr().String(), "hi")
			conn, err := c.TCPListenerAccept(l)
			if ok(t, err) {
				checkAccepted(t, conn)
			}
			return zero(t, err, conn)
		}},
		shimCase{"TCPListenerAcceptTCP", "(*net.TCPListener).AcceptTCP", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			l := listenTCP(t)
			dialOne(t, "tcp", l.Addr().String(), "hi")
			conn, err := c.TCPListenerAcceptTCP(l)
			if ok(t, err) {
				checkAccepted(t, conn)
			}
			return zero(t, err, conn)
		}},
		shimCase{"UnixListenerAccept", "(*net.UnixListener).Accept", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			l := listenUnix(t)
			dialOne(t, "unix", l.Addr().String(), "hi")
			conn, err := c.UnixListenerAccept(l)
			if ok(t, err) {
				checkAccepted(t, conn)
			}
			return zero(t, err, conn)
		}},
		shimCase{"UnixListenerAcceptUnix", "(*net.UnixListener).AcceptUnix", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			l := listenUnix(t)
			dialOne(t, "unix", l.Addr().String(), "hi")
			conn, err := c.UnixListenerAcceptUnix(l)
			if ok(t, err) {
				checkAccepted(t, conn)
			}
			return zero(t, err, conn)
		}},
		shimCase{"ConnRead", "(net.Conn).Read", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			a, b := tcpPair(t)
			b.Write([]byte("hi"))
			buf := make([]byte, 8)
			n, err := c.ConnRead(net.Conn(a), buf)
			if ok(t, err) && string(buf[:n]) != "hi" {
				t.Errorf("read %q", buf[:n])
			}
			return zero(t, err, n)
		}},
		shimCase{"ConnWrite", "(net.Conn).Write", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			a, b := tcpPair(t)
			n, err := c.ConnWrite(net.Conn(a), []byte("hi"))
			if ok(t, err) {
				readMsg(t, b, "hi")
			} else {
				a.Close()
				if rest, _ := io.ReadAll(b); len(rest) != 0 {
					t.Errorf("the peer got %q despite an injected error", rest)
				}
			}
			return zero(t, err, n)
		}},
		shimCase{"TCPConnRead", "(*net.TCPConn).Read", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			a, b := tcpPair(t)
			b.Write([]byte("hi"))
			buf := make([]byte, 8)
			n, err := c.TCPConnRead(a, buf)
			if ok(t, err) && string(buf[:n]) != "hi" {
				t.Errorf("read %q", buf[:n])
			}
			return zero(t, err, n)
		}},
		shimCase{"TCPConnWrite", "(*net.TCPConn).Write", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			a, b := tcpPair(t)
			n, err := c.TCPConnWrite(a, []byte("hi"))
			if ok(t, err) {
				readMsg(t, b, "hi")
			}
			return zero(t, err, n)
		}},
		shimCase{"UDPConnRead", "(*net.UDPConn).Read", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			a, b := udpPair(t)
			b.WriteToUDP([]byte("hi"), a.LocalAddr().(*net.UDPAddr))
			buf := make([]byte, 8)
			a.SetReadDeadline(time.Now().Add(5 * time.Second))
			n, err := c.UDPConnRead(a, buf)
			if ok(t, err) && string(buf[:n]) != "hi" {
				t.Errorf("read %q", buf[:n])
			}
			return zero(t, err, n)
		}},
		shimCase{"UDPConnWrite", "(*net.UDPConn).Write", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			a, b := udpPair(t)
			n, err := c.UDPConnWrite(a, []byte("hi"))
			if ok(t, err) {
				readUDP(t, b, "hi")
			}
			return zero(t, err, n)
		}},
		shimCase{"UDPConnReadFromUDP", "(*net.UDPConn).ReadFromUDP", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			a, b := udpPair(t)
			a.Write([]byte("hi"))
			buf := make([]byte, 8)
			b.SetReadDeadline(time.Now().Add(5 * time.Second))
			n, addr, err := c.UDPConnReadFromUDP(b, buf)
			if ok(t, err) && (string(buf[:n]) != "hi" || addr.String() != a.LocalAddr().String()) {
				t.Errorf("read %q from %v", buf[:n], addr)
			}
			return zero(t, err, n, addr)
		}},
		shimCase{"UDPConnWriteToUDP", "(*net.UDPConn).WriteToUDP", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			a, b := udpConn(t), udpConn(t)
			n, err := c.UDPConnWriteToUDP(a, []byte("hi"), b.LocalAddr().(*net.UDPAddr))
			if ok(t, err) {
				if from := readUDP(t, b, "hi"); from.String() != a.LocalAddr().String() {
					t.Errorf("datagram from %v", from)
				}
			}
			return zero(t, err, n)
		}},
		shimCase{"UnixConnRead", "(*net.UnixConn).Read", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			a, b := unixPair(t)
			b.Write([]byte("hi"))
			buf := make([]byte, 8)
			n, err := c.UnixConnRead(a, buf)
			if ok(t, err) && string(buf[:n]) != "hi" {
				t.Errorf("read %q", buf[:n])
			}
			return zero(t, err, n)
		}},
		shimCase{"UnixConnWrite", "(*net.UnixConn).Write", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			a, b := unixPair(t)
			n, err := c.UnixConnWrite(a, []byte("hi"))
			if ok(t, err) {
				readMsg(t, b, "hi")
			}
			return zero(t, err, n)
		}},
		shimCase{"PacketConnReadFrom", "(net.PacketConn).ReadFrom", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			a, b := udpPair(t)
			a.Write([]byte("hi"))
			buf := make([]byte, 8)
			b.SetReadDeadline(time.Now().Add(5 * time.Second))
			n, addr, err := c.PacketConnReadFrom(net.PacketConn(b), buf)
			if ok(t, err) && (string(buf[:n]) != "hi" || addr.String() != a.LocalAddr().String()) {
				t.Errorf("read %q from %v", buf[:n], addr)
			}
			return zero(t, err, n, addr)
		}},
		shimCase{"PacketConnWriteTo", "(net.PacketConn).WriteTo", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			a, b := udpConn(t), udpConn(t)
			n, err := c.PacketConnWriteTo(net.PacketConn(a), []byte("hi"), b.LocalAddr())
			if ok(t, err) {
				readUDP(t, b, "hi")
			}
			return zero(t, err, n)
		}},
	)
}

// ---- cases: dns

// lookupCase tests a lookup shim against its original, both on the fake DNS server.
func lookupCase[R any](name, target string, shim func(gopatchrt.Call) (R, error), orig func() (R, error), norm func(R) R) shimCase {
	return shimCase{name, target, true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
		useFakeDNS(t)
		got, err := shim(c)
		if ok(t, err) {
			want, werr := orig()
			if werr != nil {
				t.Fatalf("the original failed: %v", werr)
			}
			if norm != nil {
				got, want = norm(got), norm(want)
			}
			sameLookup(t, got, want)
		}
		return zero(t, err, got)
	}}
}

// lookup2Case is lookupCase for lookups with two results.
func lookup2Case[R1, R2 any](name, target string, shim func(gopatchrt.Call) (R1, R2, error), orig func() (R1, R2, error)) shimCase {
	return shimCase{name, target, true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
		useFakeDNS(t)
		got1, got2, err := shim(c)
		if ok(t, err) {
			want1, want2, werr := orig()
			if werr != nil {
				t.Fatalf("the original failed: %v", werr)
			}
			sameLookup(t, got1, want1)
			sameLookup(t, got2, want2)
		}
		return zero(t, err, got1, got2)
	}}
}

const fakeName = "www.gopatch.test."

var bg = context.Background()

// resolver is the fake DNS server's resolver; net.DefaultResolver is pointed at the
// same server by each case, so the Resolver shims use it.
var resolver = net.DefaultResolver

func init() {
	addCases(
		lookupCase("LookupHost", "net.LookupHost",
			func(c gopatchrt.Call) ([]string, error) { return c.LookupHost("localhost") },
			func() ([]string, error) { return net.LookupHost("localhost") }, sortedStrings),
		lookupCase("LookupIP", "net.LookupIP",
			func(c gopatchrt.Call) ([]net.IP, error) { return c.LookupIP(fakeName) },
			func() ([]net.IP, error) { return net.LookupIP(fakeName) }, nil),
		lookupCase("LookupAddr", "net.LookupAddr",
			func(c gopatchrt.Call) ([]string, error) { return c.LookupAddr("127.0.0.1") },
			func() ([]string, error) { return net.LookupAddr("127.0.0.1") }, sortedStrings),
		lookupCase("LookupCNAME", "net.LookupCNAME",
			func(c gopatchrt.Call) (string, error) { return c.LookupCNAME(fakeName) },
			func() (string, error) { return net.LookupCNAME(fakeName) }, nil),
		lookupCase("LookupMX", "net.LookupMX",
			func(c gopatchrt.Call) ([]*net.MX, error) { return c.LookupMX(fakeName) },
			func() ([]*net.MX, error) { return net.LookupMX(fakeName) }, nil),
		lookupCase("LookupNS", "net.LookupNS",
			func(c gopatchrt.Call) ([]*net.NS, error) { return c.LookupNS(fakeName) },
			func() ([]*net.NS, error) { return net.LookupNS(fakeName) }, nil),
		lookupCase("LookupTXT", "net.LookupTXT",
			func(c gopatchrt.Call) ([]string, error) { return c.LookupTXT(fakeName) },
			func() ([]string, error) { return net.LookupTXT(fakeName) }, nil),
		lookupCase("LookupPort", "net.LookupPort",
			func(c gopatchrt.Call) (int, error) { return c.LookupPort("tcp", "http") },
			func() (int, error) { return net.LookupPort("tcp", "http") }, nil),
		lookup2Case("LookupSRV", "net.LookupSRV",
			func(c gopatchrt.Call) (string, []*net.SRV, error) { return c.LookupSRV("http", "tcp", "gopatch.test.") },
			func() (string, []*net.SRV, error) { return net.LookupSRV("http", "tcp", "gopatch.test.") }),
		lookupCase("ResolveTCPAddr", "net.ResolveTCPAddr",
			func(c gopatchrt.Call) (*net.TCPAddr, error) { return c.ResolveTCPAddr("tcp4", "localhost:http") },
			func() (*net.TCPAddr, error) { return net.ResolveTCPAddr("tcp4", "localhost:http") }, nil),
		lookupCase("ResolveUDPAddr", "net.ResolveUDPAddr",
			func(c gopatchrt.Call) (*net.UDPAddr, error) { return c.ResolveUDPAddr("udp4", fakeName+":53") },
			func() (*net.UDPAddr, error) { return net.ResolveUDPAddr("udp4", fakeName+":53") }, nil),
		lookupCase("ResolverLookupHost", "(*net.Resolver).LookupHost",
			func(c gopatchrt.Call) ([]string, error) { return c.ResolverLookupHost(resolver, bg, fakeName) },
			func() ([]string, error) { return resolver.LookupHost(bg, fakeName) }, nil),
		lookupCase("ResolverLookupIP", "(*net.Resolver).LookupIP",
			func(c gopatchrt.Call) ([]net.IP, error) { return c.ResolverLookupIP(resolver, bg, "ip4", fakeName) },
			func() ([]net.IP, error) { return resolver.LookupIP(bg, "ip4", fakeName) }, nil),
		lookupCase("ResolverLookupIPAddr", "(*net.Resolver).LookupIPAddr",
			func(c gopatchrt.Call) ([]net.IPAddr, error) { return c.ResolverLookupIPAddr(resolver, bg, fakeName) },
			func() ([]net.IPAddr, error) { return resolver.LookupIPAddr(bg, fakeName) }, nil),
		lookupCase("ResolverLookupNetIP", "(*net.Resolver).LookupNetIP",
			func(c gopatchrt.Call) ([]netip.Addr, error) {
				return c.ResolverLookupNetIP(resolver, bg, "ip4", fakeName)
			},
			func() ([]netip.Addr, error) { return resolver.LookupNetIP(bg, "ip4", fakeName) }, nil),
		lookupCase("ResolverLookupAddr", "(*net.Resolver).LookupAddr",
			func(c gopatchrt.Call) ([]string, error) { return c.ResolverLookupAddr(resolver, bg, "127.0.0.1") },
			func() ([]string, error) { return resolver.LookupAddr(bg, "127.0.0.1") }, sortedStrings),
		lookupCase("ResolverLookupCNAME", "(*net.Resolver).LookupCNAME",
			func(c gopatchrt.Call) (string, error) { return c.ResolverLookupCNAME(resolver, bg, fakeName) },
			func() (string, error) { return resolver.LookupCNAME(bg, fakeName) }, nil),
		lookupCase("ResolverLookupMX", "(*net.Resolver).LookupMX",
			func(c gopatchrt.Call) ([]*net.MX, error) { return c.ResolverLookupMX(resolver, bg, fakeName) },
			func() ([]*net.MX, error) { return resolver.LookupMX(bg, fakeName) }, nil),
		lookupCase("ResolverLookupNS", "(*net.Resolver).LookupNS",
			func(c gopatchrt.Call) ([]*net.NS, error) { return c.ResolverLookupNS(resolver, bg, fakeName) },
			func() ([]*net.NS, error) { return resolver.LookupNS(bg, fakeName) }, nil),
		lookupCase("ResolverLookupTXT", "(*net.Resolver).LookupTXT",
			func(c gopatchrt.Call) ([]string, error) { return c.ResolverLookupTXT(resolver, bg, fakeName) },
			func() ([]string, error) { return resolver.LookupTXT(bg, fakeName) }, nil),
		lookupCase("ResolverLookupPort", "(*net.Resolver).LookupPort",
			func(c gopatchrt.Call) (int, error) { return c.ResolverLookupPort(resolver, bg, "udp", "domain") },
			func() (int, error) { return resolver.LookupPort(bg, "udp", "domain") }, nil),
		lookup2Case("ResolverLookupSRV", "(*net.Resolver).LookupSRV",
			func(c gopatchrt.Call) (string, []*net.SRV, error) {
				return c.ResolverLookupSRV(resolver, bg, "http", "tcp", "gopatch.test.")
			},
			func() (string, []*net.SRV, error) { return resolver.LookupSRV(bg, "http", "tcp", "gopatch.test.") }),
	)
}

// ---- cases: http

// freeAddr returns a loopback address free to listen on.
func freeAddr(t *testing.T) string { return closedPort(t) }

// listenAndServeCase tests a shim that listens on an address and serves until the
// server is shut down; run starts it and returns the server to shut down.
func listenAndServeCase(name, target string, tls bool, start func(c gopatchrt.Call, srv *http.Server) error) shimCase {
	return shimCase{name, target, true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
		srv := &http.Server{Addr: freeAddr(t), Handler: hello}
		done := serveInBackground(func() error { return start(c, srv) })
		if inj {
			return within(t, done, "the server")
		}
		client, url := plainClient, "http://"+srv.Addr
		if tls {
			client, url = httpsClient(t), "https://"+srv.Addr
		}
		waitUp(t, client, url)
		getOK(t, client, url, "hello")
		srv.Shutdown(bg)
		err := within(t, done, "the server's end")
		if err != http.ErrServerClosed {
			t.Errorf("the server ended with %v", err)
		}
		return err
	}}
}

// serveCase tests a shim that serves on a listener until the listener closes.
func serveCase(name, target string, tls bool, serve func(c gopatchrt.Call, l net.Listener) error) shimCase {
	return shimCase{name, target, true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
		l := listenTCP(t)
		done := serveInBackground(func() error { return serve(c, l) })
		if inj {
			return within(t, done, "the server")
		}
		client, url := plainClient, "http://"+l.Addr().String()
		if tls {
			client, url = httpsClient(t), "https://"+l.Addr().String()
		}
		getOK(t, client, url, "hello")
		l.Close()
		err := within(t, done, "the server's end")
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("the server ended with %v", err)
		}
		return err
	}}
}

// requestCase tests a client shim against the echo server.
func requestCase(name, target string, do func(c gopatchrt.Call, client *http.Client, url string) (*http.Response, error), want string) shimCase {
	return shimCase{name, target, true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
		srv := echoServer(t)
		resp, err := do(c, srv.Client(), srv.URL+"/p")
		return checkResponse(t, resp, err, want)
	}}
}

var form = url.Values{"k": {"v"}}

func init() {
	addCases(
		requestCase("HTTPGet", "net/http.Get", func(c gopatchrt.Call, _ *http.Client, url string) (*http.Response, error) {
			return c.HTTPGet(url)
		}, "GET /p "),
		shimCase{"HTTPHead", "net/http.Head", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			srv := echoServer(t)
			resp, err := c.HTTPHead(srv.URL + "/p")
			if ok(t, err) {
				resp.Body.Close()
				if resp.Request.Method != "HEAD" || resp.ContentLength != int64(len("HEAD /p ")) {
					t.Errorf("HEAD answered %v with length %d", resp.Request.Method, resp.ContentLength)
				}
			}
			return zero(t, err, resp)
		}},
		requestCase("HTTPPost", "net/http.Post", func(c gopatchrt.Call, _ *http.Client, url string) (*http.Response, error) {
			return c.HTTPPost(url, "text/plain", strings.NewReader("body"))
		}, "POST /p body"),
		requestCase("HTTPPostForm", "net/http.PostForm", func(c gopatchrt.Call, _ *http.Client, url string) (*http.Response, error) {
			return c.HTTPPostForm(url, form)
		}, "POST /p k=v"),
		shimCase{"HTTPListenAndServe", "net/http.ListenAndServe", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			// The server cannot be stopped, so the case listens on a busy address.
			l := listenTCP(t)
			err := c.HTTPListenAndServe(l.Addr().String(), hello)
			if !inj && !isAddrInUse(err) {
				t.Errorf("ListenAndServe on a busy address: %v", err)
			}
			return err
		}},
		shimCase{"HTTPListenAndServeTLS", "net/http.ListenAndServeTLS", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			tlsConfigs(t)
			l := listenTCP(t)
			err := c.HTTPListenAndServeTLS(l.Addr().String(), certFile, keyFile, hello)
			if !inj && !isAddrInUse(err) {
				t.Errorf("ListenAndServeTLS on a busy address: %v", err)
			}
			return err
		}},
		serveCase("HTTPServe", "net/http.Serve", false, func(c gopatchrt.Call, l net.Listener) error {
			return c.HTTPServe(l, hello)
		}),
		serveCase("HTTPServeTLS", "net/http.ServeTLS", true, func(c gopatchrt.Call, l net.Listener) error {
			return c.HTTPServeTLS(l, hello, certFile, keyFile)
		}),
		requestCase("ClientDo", "(*net/http.Client).Do", func(c gopatchrt.Call, client *http.Client, url string) (*http.Response, error) {
			req, _ := http.NewRequest("PUT", url, strings.NewReader("body"))
			return c.ClientDo(client, req)
		}, "PUT /p body"),
		requestCase("ClientGet", "(*net/http.Client).Get", func(c gopatchrt.Call, client *http.Client, url string) (*http.Response, error) {
			return c.ClientGet(client, url)
		}, "GET /p "),
		shimCase{"ClientHead", "(*net/http.Client).Head", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			srv := echoServer(t)
			resp, err := c.ClientHead(srv.Client(), srv.URL+"/p")
			if ok(t, err) {
				resp.Body.Close()
				if resp.Request.Method != "HEAD" || resp.ContentLength != int64(len("HEAD /p ")) {
					t.Errorf("HEAD answered %v with length %d", resp.Request.Method, resp.ContentLength)
				}
			}
			return zero(t, err, resp)
		}},
		requestCase("ClientPost", "(*net/http.Client).Post", func(c gopatchrt.Call, client *http.Client, url string) (*http.Response, error) {
			return c.ClientPost(client, url, "text/plain", strings.NewReader("body"))
		}, "POST /p body"),
		requestCase("ClientPostForm", "(*net/http.Client).PostForm", func(c gopatchrt.Call, client *http.Client, url string) (*http.Response, error) {
			return c.ClientPostForm(client, url, form)
		}, "POST /p k=v"),
		serveCase("ServerServe", "(*net/http.Server).Serve", false, func(c gopatchrt.Call, l net.Listener) error {
			return c.ServerServe(&http.Server{Handler: hello}, l)
		}),
		serveCase("ServerServeTLS", "(*net/http.Server).ServeTLS", true, func(c gopatchrt.Call, l net.Listener) error {
			return c.ServerServeTLS(&http.Server{Handler: hello}, l, certFile, keyFile)
		}),
		listenAndServeCase("ServerListenAndServe", "(*net/http.Server).ListenAndServe", false, func(c gopatchrt.Call, srv *http.Server) error {
			return c.ServerListenAndServe(srv)
		}),
		listenAndServeCase("ServerListenAndServeTLS", "(*net/http.Server).ListenAndServeTLS", true, func(c gopatchrt.Call, srv *http.Server) error {
			return c.ServerListenAndServeTLS(srv, certFile, keyFile)
		}),
		shimCase{"ServerShutdown", "(*net/http.Server).Shutdown", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			l := listenTCP(t)
			srv := &http.Server{Handler: hello}
			done := serveInBackground(func() error { return srv.Serve(l) })
			getOK(t, plainClient, "http://"+l.Addr().String(), "hello")
			err := c.ServerShutdown(srv, bg)
			if ok(t, err) {
				if err := within(t, done, "the server's end"); err != http.ErrServerClosed {
					t.Errorf("the server ended with %v", err)
				}
			} else {
				if !blocked(done) {
					t.Error("the server ended despite an injected error")
				}
				srv.Close()
			}
			return err
		}},
	)
}

// ---- cases: tls

// tlsDialCase tests a TLS dial shim against the echo server.
func tlsDialCase[C net.Conn](name, target string, dial func(c gopatchrt.Call, addr string, cfg *tls.Config) (C, error)) shimCase {
	return shimCase{name, target, true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
		addr := tlsEcho(t)
		_, cfg := tlsConfigs(t)
		conn, err := dial(c, addr, cfg)
		if ok(t, err) {
			checkTLSEcho(t, conn)
		}
		return zero(t, err, conn)
	}}
}

func init() {
	addCases(
		tlsDialCase("TLSDial", "crypto/tls.Dial", func(c gopatchrt.Call, addr string, cfg *tls.Config) (*tls.Conn, error) {
			return c.TLSDial("tcp", addr, cfg)
		}),
		tlsDialCase("TLSDialWithDialer", "crypto/tls.DialWithDialer", func(c gopatchrt.Call, addr string, cfg *tls.Config) (*tls.Conn, error) {
			return c.TLSDialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr, cfg)
		}),
		tlsDialCase("TLSDialerDial", "(*crypto/tls.Dialer).Dial", func(c gopatchrt.Call, addr string, cfg *tls.Config) (net.Conn, error) {
			return c.TLSDialerDial(&tls.Dialer{Config: cfg}, "tcp", addr)
		}),
		tlsDialCase("TLSDialerDialContext", "(*crypto/tls.Dialer).DialContext", func(c gopatchrt.Call, addr string, cfg *tls.Config) (net.Conn, error) {
			return c.TLSDialerDialContext(&tls.Dialer{Config: cfg}, bg, "tcp", addr)
		}),
		shimCase{"TLSConnHandshake", "(*crypto/tls.Conn).Handshake", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			client, _ := tlsPair(t)
			err := c.TLSConnHandshake(client)
			if st := client.ConnectionState(); ok(t, err) != st.HandshakeComplete {
				t.Errorf("handshake complete: %v, with error %v", st.HandshakeComplete, err)
			}
			return err
		}},
		shimCase{"TLSConnHandshakeContext", "(*crypto/tls.Conn).HandshakeContext", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			client, _ := tlsPair(t)
			err := c.TLSConnHandshakeContext(client, bg)
			if st := client.ConnectionState(); ok(t, err) != st.HandshakeComplete {
				t.Errorf("handshake complete: %v, with error %v", st.HandshakeComplete, err)
			}
			return err
		}},
		shimCase{"TLSConnRead", "(*crypto/tls.Conn).Read", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			client, server := tlsPair(t)
			go server.Write([]byte("hi"))
			buf := make([]byte, 8)
			client.SetReadDeadline(time.Now().Add(5 * time.Second))
			n, err := c.TLSConnRead(client, buf)
			if ok(t, err) && string(buf[:n]) != "hi" {
				t.Errorf("read %q", buf[:n])
			}
			return zero(t, err, n)
		}},
		shimCase{"TLSConnWrite", "(*crypto/tls.Conn).Write", true, func(t *testing.T, c gopatchrt.Call, inj bool) error {
			client, server := tlsPair(t)
			n, err := c.TLSConnWrite(client, []byte("hi"))
			if ok(t, err) {
				readMsg(t, server, "hi")
			}
			return zero(t, err, n)
		}},
	)
}

// ---- hubs that take over a family: Clock, Scheduler, Network

// fakeClock is a recording hub with a Clock that logs each call and hands out the
// timer and ticker it was given.
type fakeClock struct {
	recorder
	now    time.Time
	timer  *time.Timer
	ticker *time.Ticker

	logMu sync.Mutex
	log   []string
}

func (f *fakeClock) logf(format string, args ...any) {
	f.logMu.Lock()
	defer f.logMu.Unlock()
	f.log = append(f.log, fmt.Sprintf(format, args...))
}

func (f *fakeClock) takeLog() []string {
	f.logMu.Lock()
	defer f.logMu.Unlock()
	l := f.log
	f.log = nil
	return l
}

func (f *fakeClock) Now() time.Time                              { f.logf("Now"); return f.now }
func (f *fakeClock) Sleep(site *gopatchrt.Site, d time.Duration) { f.logf("Sleep %v", d) }
func (f *fakeClock) StopTicker(t *time.Ticker)                   { f.logf("StopTicker") }
func (f *fakeClock) ResetTicker(t *time.Ticker, d time.Duration) { f.logf("ResetTicker %v", d) }
func (f *fakeClock) StopTimer(t *time.Timer) bool                { f.logf("StopTimer"); return false }
func (f *fakeClock) ResetTimer(t *time.Timer, d time.Duration) bool {
	f.logf("ResetTimer %v", d)
	return false
}
func (f *fakeClock) NewTicker(site *gopatchrt.Site, d time.Duration) *time.Ticker {
	f.logf("NewTicker %v", d)
	return f.ticker
}
func (f *fakeClock) NewTimer(site *gopatchrt.Site, d time.Duration) *time.Timer {
	f.logf("NewTimer %v", d)
	return f.timer
}
func (f *fakeClock) AfterFunc(site *gopatchrt.Site, d time.Duration, fn func()) *time.Timer {
	f.logf("AfterFunc %v", d)
	fn()
	return f.timer
}

func TestClock(t *testing.T) {
	clk := &fakeClock{
		now:    time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC),
		timer:  time.NewTimer(time.Hour),
		ticker: time.NewTicker(time.Hour),
	}
	defer clk.timer.Stop()
	defer clk.ticker.Stop()
	use(t, clk)
	c := gopatchrt.NewPackage("gopatch.dev/gopatch/runtime_test/clock", 1, "time").At(0)
	real := time.NewTimer(time.Hour)
	defer real.Stop()
	realTicker := time.NewTicker(time.Hour)
	defer realTicker.Stop()
	ran := false

	for _, tc := range []struct {
		name  string
		call  func() any
		want  any
		calls string
	}{
		{"Now", func() any { return c.Now() }, clk.now, "Now"},
		{"Since", func() any { return c.Since(clk.now.Add(-time.Minute)) }, time.Minute, "Now"},
		{"Until", func() any { return c.Until(clk.now.Add(time.Minute)) }, time.Minute, "Now"},
		{"Sleep", func() any { c.Sleep(time.Hour); return nil }, nil, "Sleep 1h0m0s"},
		{"After", func() any { return c.After(time.Second) }, (<-chan time.Time)(clk.timer.C), "NewTimer 1s"},
		{"Tick", func() any { return c.Tick(time.Second) }, (<-chan time.Time)(clk.ticker.C), "NewTicker 1s"},
		{"Tick(0)", func() any { return c.Tick(0) }, (<-chan time.Time)(nil), ""},
		{"NewTimer", func() any { return c.NewTimer(time.Second) }, clk.timer, "NewTimer 1s"},
		{"NewTicker", func() any { return c.NewTicker(time.Second) }, clk.ticker, "NewTicker 1s"},
		{"AfterFunc", func() any { return c.AfterFunc(time.Second, func() { ran = true }) }, clk.timer, "AfterFunc 1s"},
		{"TimerStop", func() any { return c.TimerStop(real) }, false, "StopTimer"},
		{"TimerReset", func() any { return c.TimerReset(real, time.Second) }, false, "ResetTimer 1s"},
		{"TickerStop", func() any { c.TickerStop(realTicker); return nil }, nil, "StopTicker"},
		{"TickerReset", func() any { c.TickerReset(realTicker, time.Second); return nil }, nil, "ResetTicker 1s"},
	} {
		clk.recorder = recorder{}
		start := time.Now()
		got := tc.call()
		if el := time.Since(start); el > time.Minute {
			t.Errorf("%s took %v of real time", tc.name, el)
		}
		if got != tc.want {
			t.Errorf("%s returned %v, want %v", tc.name, got, tc.want)
		}
		if log := strings.Join(clk.takeLog(), ","); log != tc.calls {
			t.Errorf("%s called the clock for %q, want %q", tc.name, log, tc.calls)
		}
		if before, after := clk.events(); len(before) != 1 || len(after) != 1 {
			t.Errorf("%s: hub saw %d Before and %d After, want 1 and 1", tc.name, len(before), len(after))
		}
	}
	if !ran {
		t.Error("the clock's AfterFunc did not get f")
	}
	// The real timer and ticker were left to the clock, which did not stop them.
	if !real.Stop() {
		t.Error("TimerStop stopped the timer itself instead of asking the clock")
	}
}

// fakeScheduler is a recording hub with a Scheduler that spins on try.
type fakeScheduler struct {
	recorder
	mu sync.Mutex
	n  map[string]int // Await calls by op
}

func (s *fakeScheduler) Await(site *gopatchrt.Site, op *gopatchrt.Op, try func() bool) {
	s.mu.Lock()
	s.n[op.Call]++
	s.mu.Unlock()
	for !try() {
		goruntime.Gosched()
	}
}

func TestScheduler(t *testing.T) {
	s := &fakeScheduler{n: map[string]int{}}
	use(t, s)
	c := gopatchrt.NewPackage("gopatch.dev/gopatch/runtime_test/scheduler", 1, "sync").At(0)

	var mu sync.Mutex
	mu.Lock()
	locked := make(chan bool)
	go func() { c.MutexLock(&mu); close(locked) }()
	if !blocked(locked) {
		t.Fatal("MutexLock took a held mutex")
	}
	mu.Unlock()
	within(t, locked, "MutexLock once the mutex is free")
	if mu.TryLock() {
		t.Error("the mutex was free after MutexLock")
	}
	c.MutexUnlock(&mu)

	var rw sync.RWMutex
	c.RWMutexRLock(&rw)
	c.RWMutexRLock(&rw)
	if rw.TryLock() {
		t.Error("the RWMutex was free after RWMutexRLock")
	}
	c.RWMutexRUnlock(&rw)
	c.RWMutexRUnlock(&rw)
	c.RWMutexLock(&rw)
	if rw.TryRLock() {
		t.Error("the RWMutex was free after RWMutexLock")
	}
	c.RWMutexUnlock(&rw)

	s.mu.Lock()
	defer s.mu.Unlock()
	want := map[string]int{"(*sync.Mutex).Lock": 1, "(*sync.RWMutex).RLock": 2, "(*sync.RWMutex).Lock": 1}
	if !reflect.DeepEqual(s.n, want) {
		t.Errorf("Await calls %v, want %v", s.n, want)
	}
	if before, after := s.events(); len(before) != 8 || len(after) != 8 {
		t.Errorf("hub saw %d Before and %d After, want 8 and 8", len(before), len(after))
	}
}

// fakeNetwork is a recording hub with a Network that logs each dial and listen and
// does them on the real loopback network.
type fakeNetwork struct {
	recorder
	mu        sync.Mutex
	log       []string
	listeners []net.Listener
}

type ctxKey struct{}

func describe(kind string, site *gopatchrt.Site, ctx context.Context, network, address string) string {
	_, deadline := ctx.Deadline()
	return fmt.Sprintf("%s %s %s site=%v deadline=%v value=%v", kind, network, address, site != nil, deadline, ctx.Value(ctxKey{}))
}

func (n *fakeNetwork) DialContext(site *gopatchrt.Site, ctx context.Context, network, address string) (net.Conn, error) {
	n.mu.Lock()
	n.log = append(n.log, describe("dial", site, ctx, network, address))
	n.mu.Unlock()
	return (&net.Dialer{}).DialContext(ctx, network, address)
}

func (n *fakeNetwork) Listen(site *gopatchrt.Site, ctx context.Context, network, address string) (net.Listener, error) {
	l, err := (&net.ListenConfig{}).Listen(ctx, network, "127.0.0.1:0")
	n.mu.Lock()
	defer n.mu.Unlock()
	n.log = append(n.log, describe("listen", site, ctx, network, address))
	if err == nil {
		n.listeners = append(n.listeners, l)
	}
	return l, err
}

func (n *fakeNetwork) take() (log []string, listeners []net.Listener) {
	n.mu.Lock()
	defer n.mu.Unlock()
	log, listeners = n.log, n.listeners
	n.log, n.listeners = nil, nil
	return log, listeners
}

func TestNetwork(t *testing.T) {
	nw := &fakeNetwork{}
	use(t, nw)
	c := gopatchrt.NewPackage("gopatch.dev/gopatch/runtime_test/network", 1, "net,http").At(0)
	l := listenTCP(t)
	addr := l.Addr().String()
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			conn.Close()
		}
	}()
	valued := context.WithValue(bg, ctxKey{}, "v")

	for _, tc := range []struct {
		name string
		dial func() (net.Conn, error)
		want string
	}{
		{"Dial", func() (net.Conn, error) { return c.Dial("tcp", addr) }, "dial tcp " + addr + " site=true deadline=false value=<nil>"},
		{"DialTimeout", func() (net.Conn, error) { return c.DialTimeout("tcp", addr, time.Minute) }, "dial tcp " + addr + " site=true deadline=true value=<nil>"},
		{"DialTimeout(0)", func() (net.Conn, error) { return c.DialTimeout("tcp", addr, 0) }, "dial tcp " + addr + " site=true deadline=false value=<nil>"},
		{"DialerDial", func() (net.Conn, error) { return c.DialerDial(&net.Dialer{Timeout: time.Minute}, "tcp", addr) }, "dial tcp " + addr + " site=true deadline=true value=<nil>"},
		{"DialerDialContext", func() (net.Conn, error) { return c.DialerDialContext(&net.Dialer{}, valued, "tcp", addr) }, "dial tcp " + addr + " site=true deadline=false value=v"},
	} {
		conn, err := tc.dial()
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		conn.Close()
		if log, _ := nw.take(); len(log) != 1 || log[0] != tc.want {
			t.Errorf("%s: network saw %q, want %q", tc.name, log, tc.want)
		}
	}

	for _, tc := range []struct {
		name   string
		listen func() (net.Listener, error)
		want   string
	}{
		{"Listen", func() (net.Listener, error) { return c.Listen("tcp", "127.0.0.1:1") }, "listen tcp 127.0.0.1:1 site=true deadline=false value=<nil>"},
		{"ListenConfigListen", func() (net.Listener, error) {
			return c.ListenConfigListen(&net.ListenConfig{}, valued, "tcp", "127.0.0.1:1")
		}, "listen tcp 127.0.0.1:1 site=true deadline=false value=v"},
	} {
		got, err := tc.listen()
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		log, ls := nw.take()
		if len(log) != 1 || log[0] != tc.want || len(ls) != 1 || ls[0] != got {
			t.Errorf("%s: network saw %q, want %q and its listener", tc.name, log, tc.want)
		}
		got.Close()
	}

	// The ListenAndServe shims serve on the network's listener.
	for _, tc := range []struct {
		name  string
		serve func() error
		want  string
		https bool
	}{
		{"HTTPListenAndServe", func() error { return c.HTTPListenAndServe("127.0.0.1:1", hello) }, "listen tcp 127.0.0.1:1", false},
		{"ServerListenAndServe", func() error { return c.ServerListenAndServe(&http.Server{Handler: hello}) }, "listen tcp :http", false},
		{"HTTPListenAndServeTLS", func() error {
			tlsConfigs(t)
			return c.HTTPListenAndServeTLS("127.0.0.1:1", certFile, keyFile, hello)
		}, "listen tcp 127.0.0.1:1", true},
		{"ServerListenAndServeTLS", func() error {
			return c.ServerListenAndServeTLS(&http.Server{Handler: hello}, certFile, keyFile)
		}, "listen tcp :https", true},
	} {
		done := serveInBackground(tc.serve)
		var ls []net.Listener
		var log []string
		for deadline := time.Now().Add(5 * time.Second); len(ls) == 0 && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
			l, ll := nw.take()
			log, ls = append(log, l...), append(ls, ll...)
		}
		if len(ls) != 1 || !strings.HasPrefix(log[0], tc.want+" ") {
			t.Fatalf("%s: network saw %q, want %q", tc.name, log, tc.want)
		}
		client, url := plainClient, "http://"+ls[0].Addr().String()
		if tc.https {
			client, url = httpsClient(t), "https://"+ls[0].Addr().String()
		}
		getOK(t, client, url, "hello")
		ls[0].Close()
		if err := within(t, done, "the server's end"); !errors.Is(err, net.ErrClosed) {
			t.Errorf("%s ended with %v", tc.name, err)
		}
	}
}
