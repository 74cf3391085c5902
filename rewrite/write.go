package rewrite

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
)

// Write commits a run's changes all or nothing. It first checks that every file
// can be written and writes each new content to a temporary file beside it (with
// the original's mode); only when all are written does it rename them into place,
// holding off SIGINT and SIGTERM meanwhile. If anything fails before the renames
// nothing has changed; if a rename fails, the files already renamed are put back.
func Write(changes []Change) error {
	for _, c := range changes {
		if c.Old == nil {
			continue
		}
		fi, err := os.Stat(c.Path)
		if err != nil {
			return fmt.Errorf("%s: %v", c.Name, errors.Unwrap(err))
		}
		if fi.Mode().Perm()&0o200 == 0 {
			return fmt.Errorf("%s:1: file is read-only; nothing was written", c.Name)
		}
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)

	type staged struct {
		c   Change
		tmp string
	}
	var done []staged
	cleanup := func() {
		for _, s := range done {
			if s.tmp != "" {
				os.Remove(s.tmp)
			}
		}
	}
	for _, c := range changes {
		select {
		case sig := <-sigs:
			cleanup()
			return fmt.Errorf("interrupted by %v; nothing was written", sig)
		default:
		}
		if c.New == nil {
			done = append(done, staged{c: c})
			continue
		}
		tmp, err := writeTemp(c)
		if err != nil {
			cleanup()
			return fmt.Errorf("%s: %v; nothing was written", c.Name, err)
		}
		done = append(done, staged{c, tmp})
	}
	if afterStaging != nil {
		afterStaging()
	}
	select {
	case sig := <-sigs:
		cleanup()
		return fmt.Errorf("interrupted by %v; nothing was written", sig)
	default:
	}

	for i, s := range done {
		var err error
		if s.c.New == nil {
			err = os.Remove(s.c.Path)
		} else {
			err = os.Rename(s.tmp, s.c.Path)
		}
		if err != nil {
			rollback(changes[:i])
			for _, rest := range done[i:] {
				if rest.tmp != "" {
					os.Remove(rest.tmp)
				}
			}
			return fmt.Errorf("%s: %v; the files written before it were restored", s.c.Name, err)
		}
	}
	select {
	case sig := <-sigs:
		return fmt.Errorf("interrupted by %v after the changes were complete", sig)
	default:
	}
	return nil
}

// afterStaging, when set by a test, runs once every temporary file is written and
// before any is renamed.
var afterStaging func()

func writeTemp(c Change) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(c.Path), ".gopatch-*.tmp")
	if err != nil {
		return "", err
	}
	if _, err := f.Write(c.New); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", err
	}
	mode := c.Mode
	if mode == 0 {
		mode = 0o644
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), f.Close()
}

// rollback puts back the original content of changes already committed.
func rollback(changes []Change) {
	for _, c := range changes {
		if c.Old == nil {
			os.Remove(c.Path)
			continue
		}
		undo := Change{Path: c.Path, Name: c.Name, New: c.Old, Mode: c.Mode}
		if tmp, err := writeTemp(undo); err == nil {
			os.Rename(tmp, c.Path)
		}
	}
}
