// Package report reads the profiles that the observe hub of the gopatch runtime
// writes and renders them as the table of `gopatch report`: the call sites that
// blocked longest, with their counts, latency percentiles and errors, and the
// blocked time of each category.
//
// The observe hub writes each profile twice, as pprof (for `go tool pprof`) and as
// JSON beside it; this package reads the JSON.
package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strings"
	"time"
)

// Profile is an observe profile: what the observe hub recorded for every patched
// call site of a run.
type Profile struct {
	Hub        string    `json:"hub"`         // the hub that recorded it, "observe"
	Start      time.Time `json:"start"`       // when recording started
	DurationNS int64     `json:"duration_ns"` // how long it had recorded when written
	Sites      []Site    `json:"sites"`       // one per call site that was called
}

// Site is the record of one patched call site.
type Site struct {
	Category string `json:"category"` // rule category, e.g. "net"
	Call     string `json:"call"`     // the patched call, e.g. "(net.Conn).Read"
	File     string `json:"file"`     // file of the call site
	Line     int    `json:"line"`     // line of the call site
	Function string `json:"function"` // function that makes the call
	Package  string `json:"package"`  // import path of the patched package
	Index    int    `json:"index"`    // the site's number in its package
	Count    int64  `json:"count"`    // calls that returned
	TotalNS  int64  `json:"total_ns"` // time blocked, summed over the calls
	MinNS    int64  `json:"min_ns"`   // shortest call
	MaxNS    int64  `json:"max_ns"`   // longest call
	P50NS    int64  `json:"p50_ns"`   // median call
	P90NS    int64  `json:"p90_ns"`   // 90th percentile
	P99NS    int64  `json:"p99_ns"`   // 99th percentile
	Errors   int64  `json:"errors"`   // calls that returned an error
}

// MeanNS returns the mean time a call blocked.
func (s Site) MeanNS() int64 {
	if s.Count == 0 {
		return 0
	}
	return s.TotalNS / s.Count
}

// Read decodes a JSON profile.
func Read(r io.Reader) (*Profile, error) {
	var p Profile
	dec := json.NewDecoder(r)
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("not an observe profile: %w", err)
	}
	if p.Hub == "" && p.Sites == nil {
		return nil, fmt.Errorf("not an observe profile: no hub and no sites")
	}
	return &p, nil
}

// JSONPath returns the JSON file that the observe hub writes beside the pprof file
// path: the same name ending in .json instead of .pprof, .pb.gz, .prof, .pb or .gz
// (gopatch.pprof → gopatch.json), or with .json added. It mirrors
// gopatchrt.ProfilePaths.
func JSONPath(path string) string {
	if strings.HasSuffix(path, ".json") {
		return path
	}
	for _, ext := range []string{".pb.gz", ".pprof", ".prof", ".pb", ".gz"} {
		if strings.HasSuffix(path, ext) && len(path) > len(ext) {
			return strings.TrimSuffix(path, ext) + ".json"
		}
	}
	return path + ".json"
}

// Load reads the profile in the file path. Given the pprof file of a profile, it
// reads the JSON file written beside it (see JSONPath), as it does when path does
// not exist but that JSON file does.
func Load(path string) (*Profile, error) {
	data, err := os.ReadFile(path)
	js := JSONPath(path)
	switch {
	case err != nil && js != path && errors.Is(err, fs.ErrNotExist):
		if d, jerr := os.ReadFile(js); jerr == nil {
			data, err, path = d, nil, js
		}
	case err == nil && bytes.HasPrefix(data, []byte{0x1f, 0x8b}): // gzip: pprof
		if js == path {
			return nil, fmt.Errorf("%s: a pprof profile, not JSON", path)
		}
		if data, err = os.ReadFile(js); err != nil {
			return nil, fmt.Errorf("%s is a pprof profile (open it with go tool pprof); "+
				"its JSON form: %w", path, err)
		}
		path = js
	}
	if err != nil {
		return nil, err
	}
	p, err := Read(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// Totals sums the profile's sites: calls, blocked time and errors.
func (p *Profile) Totals() (count, totalNS, errors int64) {
	for _, s := range p.Sites {
		count += s.Count
		totalNS += s.TotalNS
		errors += s.Errors
	}
	return
}

// Category is the sum of the sites of one category.
type Category struct {
	Name    string // the category, e.g. "os"
	Sites   int    // call sites
	Count   int64  // calls
	TotalNS int64  // time blocked
	Errors  int64  // calls that returned an error
}

// Categories sums the sites by category, the longest blocked time first.
func (p *Profile) Categories() []Category {
	by := map[string]*Category{}
	var out []*Category
	for _, s := range p.Sites {
		c := by[s.Category]
		if c == nil {
			c = &Category{Name: s.Category}
			by[s.Category] = c
			out = append(out, c)
		}
		c.Sites++
		c.Count += s.Count
		c.TotalNS += s.TotalNS
		c.Errors += s.Errors
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].TotalNS != out[j].TotalNS {
			return out[i].TotalNS > out[j].TotalNS
		}
		return out[i].Name < out[j].Name
	})
	res := make([]Category, len(out))
	for i, c := range out {
		res[i] = *c
	}
	return res
}

// SortKeys lists the orders Options.Sort accepts.
var SortKeys = []string{"total", "count", "mean", "max", "p99", "errors"}

// Sorted returns the sites in descending order of key (one of SortKeys; "" is
// "total"), ties broken by total blocked time and then by position.
func (p *Profile) Sorted(key string) ([]Site, error) {
	var val func(Site) int64
	switch key {
	case "", "total":
		val = func(s Site) int64 { return s.TotalNS }
	case "count":
		val = func(s Site) int64 { return s.Count }
	case "mean":
		val = Site.MeanNS
	case "max":
		val = func(s Site) int64 { return s.MaxNS }
	case "p99":
		val = func(s Site) int64 { return s.P99NS }
	case "errors":
		val = func(s Site) int64 { return s.Errors }
	default:
		return nil, fmt.Errorf("unknown sort key %q (have %s)", key, strings.Join(SortKeys, ", "))
	}
	out := append([]Site(nil), p.Sites...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if va, vb := val(a), val(b); va != vb {
			return va > vb
		}
		if a.TotalNS != b.TotalNS {
			return a.TotalNS > b.TotalNS
		}
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
	return out, nil
}
