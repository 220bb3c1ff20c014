package merge

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

var labels = Labels{Ours: "yours", Base: "v0.1.0", Theirs: "v0.2.0"}

func TestThree(t *testing.T) {
	base := "a\nb\nc\nd\ne\n"
	for _, tc := range []struct {
		name, ours, theirs, want string
		conflicts                int
	}{
		{"nobody changed", base, base, base, 0},
		{"only ours", "a\nB\nc\nd\ne\n", base, "a\nB\nc\nd\ne\n", 0},
		{"only theirs", base, "a\nb\nc\nD\ne\n", "a\nb\nc\nD\ne\n", 0},
		{"both, apart", "a\nB\nc\nd\ne\n", "a\nb\nc\nD\ne\n", "a\nB\nc\nD\ne\n", 0},
		{"both, the same", "a\nX\nc\nd\ne\n", "a\nX\nc\nd\ne\n", "a\nX\nc\nd\ne\n", 0},
		{"insertions at both ends", "0\n" + base, base + "f\n", "0\na\nb\nc\nd\ne\nf\n", 0},
		{"ours deletes, theirs edits elsewhere", "a\nc\nd\ne\n", "a\nb\nc\nd\nE\n", "a\nc\nd\nE\n", 0},
		{"both insert at one place", "a\nb\nours\nc\nd\ne\n", "a\nb\ntheirs\nc\nd\ne\n",
			"a\nb\n<<<<<<< yours\nours\n||||||| v0.1.0\n=======\ntheirs\n>>>>>>> v0.2.0\nc\nd\ne\n", 1},
		{"both edit one line", "a\nb\nC1\nd\ne\n", "a\nb\nC2\nd\ne\n",
			"a\nb\n<<<<<<< yours\nC1\n||||||| v0.1.0\nc\n=======\nC2\n>>>>>>> v0.2.0\nd\ne\n", 1},
		{"no final newline", "a\nb\nc\nd\nx", "a\nb\nc\nd\ny",
			"a\nb\nc\nd\n<<<<<<< yours\nx\n||||||| v0.1.0\ne\n=======\ny\n>>>>>>> v0.2.0\n", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Three([]byte(base), []byte(tc.ours), []byte(tc.theirs), labels, false)
			if string(got.Content) != tc.want || got.Conflicts != tc.conflicts {
				t.Errorf("got %d conflicts:\n%s\nwant %d:\n%s", got.Conflicts, got.Content, tc.conflicts, tc.want)
			}
			if HasConflicts(got.Content) != (tc.conflicts > 0) {
				t.Errorf("HasConflicts = %t", !(tc.conflicts > 0))
			}
		})
	}
}

func TestPreferTheirs(t *testing.T) {
	got := Three([]byte("a\nb\nc\n"), []byte("A\nb\nC1\n"), []byte("a\nb\nC2\n"), labels, true)
	if string(got.Content) != "A\nb\nC2\n" || got.Conflicts != 0 {
		t.Errorf("got %q, %d conflicts", got.Content, got.Conflicts)
	}
}

// A user's edits far from the template's change survive a large file.
// TestLargeFile merges edits spread through a file of 5000 distinct lines,
// so that neither a common prefix nor a common suffix covers them and the
// diff must find the thousands of unchanged lines between them: each side
// changes, removes and adds lines in its own places, and the merge must be
// exactly both edits applied.
func TestLargeFile(t *testing.T) {
	const n = 5000
	lines := make([]string, n)
	for i := range lines {
		lines[i] = fmt.Sprintf("line %d %s", i, strings.Repeat("x", i%7))
	}
	join := func(l []string) string { return strings.Join(l, "\n") + "\n" }
	edit := func(l []string, f func([]string) []string) []string { return f(slices.Clone(l)) }
	// Ours: change line 900, remove lines 2000-2009, add two lines after 3100.
	oursEdit := func(l []string) []string {
		l[900] += " // mine"
		l = slices.Delete(l, 2000, 2010)
		return slices.Insert(l, 3091, "added by us 1", "added by us 2")
	}
	// Theirs: add a line after 1500, change line 4000, remove line 4800.
	theirsEdit := func(l []string) []string {
		l[4000] += " // theirs"
		l = slices.Delete(l, 4800, 4801)
		return slices.Insert(l, 1501, "added by them")
	}
	base, ours, theirs := join(lines), join(edit(lines, oursEdit)), join(edit(lines, theirsEdit))
	want := lines
	want[900] += " // mine"
	want[4000] += " // theirs"
	want = slices.Delete(want, 4800, 4801)
	want = slices.Insert(want, 3101, "added by us 1", "added by us 2")
	want = slices.Delete(want, 2000, 2010)
	want = slices.Insert(want, 1501, "added by them")
	got := Three([]byte(base), []byte(ours), []byte(theirs), labels, false)
	if got.Conflicts != 0 {
		t.Fatalf("%d conflicts merging edits far apart", got.Conflicts)
	}
	if string(got.Content) != join(want) {
		g, w := strings.Split(string(got.Content), "\n"), strings.Split(join(want), "\n")
		for i := range min(len(g), len(w)) {
			if g[i] != w[i] {
				t.Fatalf("the merge differs from both edits applied at line %d: %q, want %q (%d lines, want %d)", i+1, g[i], w[i], len(g), len(w))
			}
		}
		t.Fatalf("the merge has %d lines, want %d", len(g), len(w))
	}
}
