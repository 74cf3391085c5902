// Package store keeps counters in memory and snapshots them to a file.
package store

import (
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
)

// Store is a set of named counters safe for concurrent use.
type Store struct {
	sync.Mutex
	counts map[string]int
	wg     sync.WaitGroup
}

// New returns an empty store.
func New() *Store { return &Store{counts: map[string]int{}} }

// Add adds n to the counter called name.
func (s *Store) Add(name string, n int) {
	s.Lock()
	defer s.Unlock()
	s.counts[name] += n
}

// AddAll adds to several counters concurrently and waits for them.
func (s *Store) AddAll(names []string) {
	for _, name := range names {
		s.wg.Add(1)
		go func(name string) {
			defer s.wg.Done()
			s.Add(name, 1)
		}(name)
	}
	s.wg.Wait()
}

// Save writes the counters to path as JSON.
func (s *Store) Save(path string) error {
	s.Lock()
	data, err := json.Marshal(s.counts)
	s.Unlock()
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// Load reads counters written by Save.
func Load(path string) (*Store, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s := New()
	return s, json.Unmarshal(data, &s.counts)
}

// Serve answers each connection on l with the value of the counter it names.
func (s *Store) Serve(l net.Listener) error {
	for {
		conn, err := l.Accept()
		if err != nil {
			return err
		}
		go func(conn net.Conn) {
			defer conn.Close()
			buf := make([]byte, 64)
			n, err := conn.Read(buf)
			if err != nil {
				return
			}
			s.Lock()
			v := s.counts[strings.TrimSpace(string(buf[:n]))]
			s.Unlock()
			conn.Write([]byte(strings.Repeat("#", v) + "\n"))
		}(conn)
	}
}

// Echo runs the echo command with the counters' names, as a subprocess would.
func Echo(names ...string) (string, error) {
	out, err := exec.Command("echo", names...).Output()
	return strings.TrimSpace(string(out)), err
}
