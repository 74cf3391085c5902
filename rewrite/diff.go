package rewrite

import (
	"bytes"
	"fmt"
)

// Diff renders changes as a unified diff with a/ and b/ prefixes, which
// `git apply` and `patch -p1` accept.
func Diff(changes []Change) []byte {
	var b bytes.Buffer
	for _, c := range changes {
		from, to := "a/"+slash(c.Name), "b/"+slash(c.Name)
		mode := 0o644
		if c.Mode&0o111 != 0 {
			mode = 0o755
		}
		if c.Old == nil {
			from = "/dev/null"
			fmt.Fprintf(&b, "diff --git a/%s b/%s\nnew file mode 100%o\n", slash(c.Name), slash(c.Name), mode)
		} else if c.New == nil {
			to = "/dev/null"
			fmt.Fprintf(&b, "diff --git a/%s b/%s\ndeleted file mode 100%o\n", slash(c.Name), slash(c.Name), mode)
		} else {
			fmt.Fprintf(&b, "diff --git a/%s b/%s\n", slash(c.Name), slash(c.Name))
		}
		fmt.Fprintf(&b, "--- %s\n+++ %s\n", from, to)
		writeHunks(&b, lines(c.Old), lines(c.New))
	}
	return b.Bytes()
}

func slash(name string) string {
	return string(bytes.ReplaceAll([]byte(name), []byte{'\\'}, []byte{'/'}))
}

// op is one line of an edit script: ' ', '-' or '+'.
type op struct {
	kind byte
	text []byte
}

// script returns the edit script from old to neu. Patches change lines in place
// and add or remove whole blocks, so the script is built from the common prefix
// and suffix and, where the lengths match, a line-by-line comparison between them.
func script(old, neu [][]byte) []op {
	pre := 0
	for pre < len(old) && pre < len(neu) && bytes.Equal(old[pre], neu[pre]) {
		pre++
	}
	suf := 0
	for suf < len(old)-pre && suf < len(neu)-pre && bytes.Equal(old[len(old)-1-suf], neu[len(neu)-1-suf]) {
		suf++
	}
	var ops []op
	for _, l := range old[:pre] {
		ops = append(ops, op{' ', l})
	}
	mo, mn := old[pre:len(old)-suf], neu[pre:len(neu)-suf]
	if len(mo) == len(mn) {
		for i := 0; i < len(mo); {
			if bytes.Equal(mo[i], mn[i]) {
				ops = append(ops, op{' ', mo[i]})
				i++
				continue
			}
			j := i
			for j < len(mo) && !bytes.Equal(mo[j], mn[j]) {
				j++
			}
			for _, l := range mo[i:j] {
				ops = append(ops, op{'-', l})
			}
			for _, l := range mn[i:j] {
				ops = append(ops, op{'+', l})
			}
			i = j
		}
	} else {
		for _, l := range mo {
			ops = append(ops, op{'-', l})
		}
		for _, l := range mn {
			ops = append(ops, op{'+', l})
		}
	}
	for _, l := range old[len(old)-suf:] {
		ops = append(ops, op{' ', l})
	}
	return ops
}

const diffContext = 3

func writeHunks(b *bytes.Buffer, old, neu [][]byte) {
	ops := script(old, neu)
	for i := 0; i < len(ops); {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		// A hunk runs from diffContext lines before the change to diffContext lines
		// after the last change within 2*diffContext lines of the previous one.
		start := i - diffContext
		if start < 0 {
			start = 0
		}
		end := i
		for j := i; j < len(ops); j++ {
			if ops[j].kind != ' ' {
				end = j + 1
			} else if j-end >= 2*diffContext {
				break
			}
		}
		stop := end + diffContext
		if stop > len(ops) {
			stop = len(ops)
		}
		oldStart, newStart := 1, 1
		for _, o := range ops[:start] {
			if o.kind != '+' {
				oldStart++
			}
			if o.kind != '-' {
				newStart++
			}
		}
		oldN, newN := 0, 0
		for _, o := range ops[start:stop] {
			if o.kind != '+' {
				oldN++
			}
			if o.kind != '-' {
				newN++
			}
		}
		if oldN == 0 {
			oldStart--
		}
		if newN == 0 {
			newStart--
		}
		fmt.Fprintf(b, "@@ -%s +%s @@\n", hunkRange(oldStart, oldN), hunkRange(newStart, newN))
		for _, o := range ops[start:stop] {
			b.WriteByte(o.kind)
			b.Write(o.text)
			if len(o.text) == 0 || o.text[len(o.text)-1] != '\n' {
				b.WriteString("\n\\ No newline at end of file\n")
			}
		}
		i = stop
	}
}

func hunkRange(start, n int) string {
	if n == 1 {
		return fmt.Sprint(start)
	}
	return fmt.Sprintf("%d,%d", start, n)
}
