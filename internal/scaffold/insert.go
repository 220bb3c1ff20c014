package scaffold

import (
	"fmt"
	"strings"
)

// Insert puts each fragment that src does not already contain on its own
// line(s) just above the line holding marker, with the marker's indentation.
// Go source is reformatted afterwards.
func Insert(p string, src []byte, marker string, fragments []string, local string) ([]byte, error) {
	lines := strings.SplitAfter(string(src), "\n")
	at := -1
	for i, l := range lines {
		if strings.Contains(l, marker) {
			at = i
			break
		}
	}
	if at < 0 {
		return nil, fmt.Errorf("%s: marker %q not found; it tells apiserver-boot where to add code, put it back (see the file as first generated) or add the code by hand", p, marker)
	}
	indent := lines[at][:len(lines[at])-len(strings.TrimLeft(lines[at], " \t"))]
	var add strings.Builder
	for _, frag := range fragments {
		if containsFragment(string(src), frag) || strings.Contains(add.String(), frag) {
			continue
		}
		for _, l := range strings.Split(strings.TrimRight(frag, "\n"), "\n") {
			if l == "" {
				add.WriteString("\n")
				continue
			}
			add.WriteString(indent + l + "\n")
		}
	}
	if add.Len() == 0 {
		return src, nil
	}
	out := strings.Join(lines[:at], "") + add.String() + strings.Join(lines[at:], "")
	return FormatIfGo(p, []byte(out), local)
}

// containsFragment reports whether src contains frag, ignoring differences in
// indentation and spacing that gofmt may have introduced.
func containsFragment(src, frag string) bool {
	return strings.Contains(squash(src), squash(frag))
}

func squash(s string) string { return strings.Join(strings.Fields(s), " ") }
