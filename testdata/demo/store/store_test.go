package store_test

import (
	"bufio"
	"net"
	"path/filepath"
	"testing"

	"example.com/demo/store"
)

func TestSaveLoad(t *testing.T) {
	s := store.New()
	s.AddAll([]string{"a", "b", "a"})
	path := filepath.Join(t.TempDir(), "counts.json")
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := store.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	got.Add("a", 1)
	if err := got.Save(path); err != nil {
		t.Fatal(err)
	}
}

func TestServe(t *testing.T) {
	s := store.New()
	s.Add("x", 3)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go s.Serve(l)
	conn, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("x\n")); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || line != "###\n" {
		t.Fatalf("got %q, %v", line, err)
	}
}

func TestEcho(t *testing.T) {
	out, err := store.Echo("a", "b")
	if err != nil || out != "a b" {
		t.Fatalf("Echo = %q, %v", out, err)
	}
}
