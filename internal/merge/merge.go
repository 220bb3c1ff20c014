// Package merge is a line-based three-way merge (diff3): given a common
// base and two descendants, it keeps every change either side made to the
// base and marks, git-style, the regions both changed differently.
package merge

import (
	"bytes"
	"strings"
)

// Labels name the three inputs in conflict markers.
type Labels struct {
	Ours, Base, Theirs string
}

// Result is a merged file.
type Result struct {
	Content []byte
	// Conflicts is the number of regions marked for the user to resolve.
	Conflicts int
}

// ConflictMarker starts every conflicted region; a file still holding one at
// the start of a line has not been resolved.
const ConflictMarker = "<<<<<<< "

// Three merges ours and theirs, both descended from base. A region changed on
// one side only takes that side; changed identically on both, it is taken
// once; changed differently, it is written as
//
//	<<<<<<< ours
//	…
//	||||||| base
//	…
//	=======
//	…
//	>>>>>>> theirs
//
// unless preferTheirs, which resolves it to theirs.
func Three(base, ours, theirs []byte, l Labels, preferTheirs bool) Result {
	b, o, t := lines(base), lines(ours), lines(theirs)
	mo, mt := match(b, o), match(b, t)
	var out bytes.Buffer
	var res Result
	write := func(ls []string) {
		for _, s := range ls {
			out.WriteString(s)
		}
	}
	i, j, k := 0, 0, 0 // next line of base, ours, theirs
	for {
		// The longest run where base, ours and theirs agree is stable.
		for i < len(b) && mo[i] == j && mt[i] == k {
			out.WriteString(b[i])
			i, j, k = i+1, j+1, k+1
		}
		if i == len(b) && j == len(o) && k == len(t) {
			break
		}
		// The unstable region ends at the next base line matched on both sides.
		ni := i
		for ni < len(b) && (mo[ni] < 0 || mt[ni] < 0) {
			ni++
		}
		nj, nk := len(o), len(t)
		if ni < len(b) {
			nj, nk = mo[ni], mt[ni]
		}
		bc, oc, tc := b[i:ni], o[j:nj], t[k:nk]
		switch {
		case equal(oc, bc):
			write(tc)
		case equal(tc, bc), equal(oc, tc):
			write(oc)
		case preferTheirs:
			write(tc)
		default:
			res.Conflicts++
			out.WriteString(ConflictMarker + l.Ours + "\n")
			write(terminated(oc))
			out.WriteString("||||||| " + l.Base + "\n")
			write(terminated(bc))
			out.WriteString("=======\n")
			write(terminated(tc))
			out.WriteString(">>>>>>> " + l.Theirs + "\n")
		}
		i, j, k = ni, nj, nk
	}
	res.Content = out.Bytes()
	return res
}

// HasConflicts reports whether content still holds a conflict marker line.
func HasConflicts(content []byte) bool {
	return bytes.HasPrefix(content, []byte(ConflictMarker)) || bytes.Contains(content, []byte("\n"+ConflictMarker))
}

// lines splits s after each newline; the last line may lack one.
func lines(s []byte) []string {
	if len(s) == 0 {
		return nil
	}
	return strings.SplitAfter(string(s), "\n")[:bytes.Count(s, []byte("\n"))+boolInt(s[len(s)-1] != '\n')]
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// terminated ends the last line with a newline, so a marker that follows
// starts a line of its own.
func terminated(ls []string) []string {
	if n := len(ls); n > 0 && !strings.HasSuffix(ls[n-1], "\n") {
		ls = append(ls[:n-1:n-1], ls[n-1]+"\n")
	}
	return ls
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// match returns, for each line of a, the index of the line of b it is paired
// with in a longest common subsequence, or -1. Common leading and trailing
// lines are paired first, so the quadratic table covers only the middle.
func match(a, b []string) []int {
	m := make([]int, len(a))
	for i := range m {
		m[i] = -1
	}
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		m[pre] = pre
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		m[len(a)-1-suf] = len(b) - 1 - suf
		suf++
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	// lcs[x][y]: length of the LCS of ma[x:] and mb[y:].
	w := len(mb) + 1
	lcs := make([]int32, (len(ma)+1)*w)
	for x := len(ma) - 1; x >= 0; x-- {
		for y := len(mb) - 1; y >= 0; y-- {
			switch {
			case ma[x] == mb[y]:
				lcs[x*w+y] = lcs[(x+1)*w+y+1] + 1
			case lcs[(x+1)*w+y] >= lcs[x*w+y+1]:
				lcs[x*w+y] = lcs[(x+1)*w+y]
			default:
				lcs[x*w+y] = lcs[x*w+y+1]
			}
		}
	}
	for x, y := 0, 0; x < len(ma) && y < len(mb); {
		switch {
		case ma[x] == mb[y]:
			m[pre+x] = pre + y
			x, y = x+1, y+1
		case lcs[(x+1)*w+y] >= lcs[x*w+y+1]:
			x++
		default:
			y++
		}
	}
	return m
}
