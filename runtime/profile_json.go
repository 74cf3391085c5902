package gopatchrt

import (
	"encoding/json"
	"io"
	"time"
)

// jsonProfile is the JSON form of an observe profile, read by `gopatch report`.
type jsonProfile struct {
	Hub        string     `json:"hub"`
	Start      time.Time  `json:"start"`
	DurationNS int64      `json:"duration_ns"`
	Sites      []jsonSite `json:"sites"`
}

type jsonSite struct {
	Category string `json:"category"`
	Call     string `json:"call"`
	File     string `json:"file"`
	Line     int    `json:"line"`
	Function string `json:"function"`
	Package  string `json:"package"`
	Index    int    `json:"index"`
	Count    int64  `json:"count"`
	TotalNS  int64  `json:"total_ns"`
	MinNS    int64  `json:"min_ns"`
	MaxNS    int64  `json:"max_ns"`
	P50NS    int64  `json:"p50_ns"`
	P90NS    int64  `json:"p90_ns"`
	P99NS    int64  `json:"p99_ns"`
	Errors   int64  `json:"errors"`
}

// WriteJSON writes the observer's record as JSON: an object with "hub", "start",
// "duration_ns" and "sites", one object per call site with "category", "call",
// "file", "line", "function", "package", "index", "count", "total_ns", "min_ns",
// "max_ns", "p50_ns", "p90_ns", "p99_ns" and "errors", the longest total first.
func (o *Observer) WriteJSON(w io.Writer) error { return o.snapshot().writeJSON(w) }

func (p profileSnapshot) writeJSON(w io.Writer) error {
	out := jsonProfile{
		Hub:        ObserveHub,
		Start:      p.start.Round(0),
		DurationNS: int64(p.duration),
		Sites:      make([]jsonSite, 0, len(p.sites)),
	}
	for _, s := range p.sites {
		file, line, fn := s.Site.Position()
		out.Sites = append(out.Sites, jsonSite{
			Category: s.Op.Category,
			Call:     s.Op.Call,
			File:     file,
			Line:     line,
			Function: fn,
			Package:  s.Site.Pkg.Path,
			Index:    s.Site.Index,
			Count:    s.Count,
			TotalNS:  int64(s.Total),
			MinNS:    int64(s.Min),
			MaxNS:    int64(s.Max),
			P50NS:    int64(s.P50),
			P90NS:    int64(s.P90),
			P99NS:    int64(s.P99),
			Errors:   s.Errors,
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
