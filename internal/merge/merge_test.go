package merge

import (
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
func TestLargeFile(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 3000; i++ {
		b.WriteString("line ")
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteString("\n")
	}
	base := b.String()
	ours := strings.Replace(base, "line xxx\n", "line xxx // mine\n", 1)
	theirs := base[:len(base)-len("line xxxxx\n")] + "new last line\n"
	got := Three([]byte(base), []byte(ours), []byte(theirs), labels, false)
	if got.Conflicts != 0 || !strings.Contains(string(got.Content), "// mine") || !strings.HasSuffix(string(got.Content), "new last line\n") {
		t.Fatalf("merge lost a side (%d conflicts)", got.Conflicts)
	}
}
