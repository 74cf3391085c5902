package gopatchrt

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// The environment variables that direct the process observer's profile files.
const (
	// EnvProfile names the pprof profile file; the JSON file goes beside it
	// (see ProfilePaths). Default: DefaultProfile in the working directory at
	// process start.
	EnvProfile = "GOPATCH_PROFILE"
	// EnvProfileInterval is how often the profile is rewritten while calls are
	// being recorded, as a time.ParseDuration string; 0 or "off" turns the
	// periodic write off. Default: DefaultProfileInterval.
	EnvProfileInterval = "GOPATCH_PROFILE_INTERVAL"
	// EnvProfileSignal names a signal (USR1, USR2 or HUP) on which the profile
	// is written. Unset, no signal handling changes.
	EnvProfileSignal = "GOPATCH_PROFILE_SIGNAL"
)

// DefaultProfile is the profile file written when GOPATCH_PROFILE is unset.
const DefaultProfile = "gopatch.pprof"

// DefaultProfileInterval is the period of the profile writes when
// GOPATCH_PROFILE_INTERVAL is unset.
const DefaultProfileInterval = time.Second

type exportConfig struct {
	path     string        // absolute pprof file path
	interval time.Duration // 0: no periodic write
	signal   string        // "" or a signal name
}

// profilePathFromEnv returns the absolute path of the profile file GOPATCH_PROFILE
// names, or of DefaultProfile.
func profilePathFromEnv() string {
	p := os.Getenv(EnvProfile)
	if p == "" {
		p = DefaultProfile
	}
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	return p
}

func exportConfigFromEnv() exportConfig {
	c := exportConfig{path: profilePathFromEnv(), interval: DefaultProfileInterval}
	if v := strings.TrimSpace(os.Getenv(EnvProfileInterval)); v != "" {
		switch d, err := time.ParseDuration(v); {
		case v == "0" || v == "off":
			c.interval = 0
		case err != nil || d < 0:
			fmt.Fprintf(os.Stderr, "gopatch: %s=%q is not a duration; writing the profile every %v\n",
				EnvProfileInterval, v, c.interval)
		default:
			c.interval = d
		}
	}
	c.signal = strings.TrimSpace(os.Getenv(EnvProfileSignal))
	return c
}

// export starts what writes the process observer's profile: the periodic writer
// and the signal handler, as the configuration asks.
func (o *Observer) export(c exportConfig) {
	o.path = c.path
	if c.interval > 0 {
		go o.flushEvery(c.interval)
	}
	if c.signal != "" {
		if err := notifyProfileSignal(c.signal, func() { o.writeReport(o.path) }); err != nil {
			fmt.Fprintf(os.Stderr, "gopatch: %s: %v\n", EnvProfileSignal, err)
		}
	}
}

// flushEvery rewrites the profile every interval while calls are being recorded.
func (o *Observer) flushEvery(interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	var last int64
	for range tick.C {
		if n := o.calls(); n != last {
			last = n
			o.writeReport(o.path)
		}
	}
}

// writeReport writes the profile files and reports a failure on standard error,
// once per distinct message, for writers that have no caller to return it to.
func (o *Observer) writeReport(path string) {
	err := o.WriteFiles(path)
	if err == nil {
		return
	}
	msg := err.Error()
	o.writeMu.Lock()
	seen := msg == o.lastErr
	o.lastErr = msg
	o.writeMu.Unlock()
	if !seen {
		fmt.Fprintln(os.Stderr, "gopatch: writing the observe profile:", msg)
	}
}

// ProfilePaths returns the pprof and JSON files that WriteFiles writes for path:
// path itself, which should end in .pprof or .pb.gz, and the same name ending in
// .json instead (gopatch.pprof → gopatch.json). A path ending in .json names the
// JSON file, and the pprof file takes .pprof instead.
func ProfilePaths(path string) (pprofPath, jsonPath string) {
	if strings.HasSuffix(path, ".json") {
		return strings.TrimSuffix(path, ".json") + ".pprof", path
	}
	base := path
	for _, ext := range []string{".pb.gz", ".pprof", ".prof", ".pb", ".gz"} {
		if strings.HasSuffix(base, ext) && len(base) > len(ext) {
			base = strings.TrimSuffix(base, ext)
			break
		}
	}
	return path, base + ".json"
}

// WriteFiles writes the observer's record, as of now, to the two files
// ProfilePaths names for path. Each file is written to a temporary file in its
// directory and renamed into place, so that a reader never sees half a profile.
func (o *Observer) WriteFiles(path string) error {
	o.writeMu.Lock()
	defer o.writeMu.Unlock()
	pprofPath, jsonPath := ProfilePaths(path)
	snap := o.snapshot()
	var pb, js bytes.Buffer
	if err := snap.writePprof(&pb); err != nil {
		return err
	}
	if err := snap.writeJSON(&js); err != nil {
		return err
	}
	if err := writeFileAtomic(pprofPath, pb.Bytes()); err != nil {
		return err
	}
	return writeFileAtomic(jsonPath, js.Bytes())
}

func writeFileAtomic(path string, data []byte) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// exportState is the part of an Observer that writes files.
type exportState struct {
	path    string     // the process observer's profile file
	writeMu sync.Mutex // one write at a time
	lastErr string     // the last write error reported, under writeMu
}
