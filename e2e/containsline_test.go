package e2e

import "testing"

func TestContainsLine(t *testing.T) {
	out := "NAME         REPLICAS   READY     AGE\nbee-sample   3          Unknown   1s\n"
	for _, c := range []struct {
		f    []string
		want bool
	}{
		{[]string{"bee-sample", "1"}, false},
		{[]string{"bee-sample", "3", "Unknown"}, true},
		{[]string{"bee", "3"}, false},
		{[]string{"Unknown", "bee-sample"}, false},
	} {
		if got := containsLine(out, c.f...); got != c.want {
			t.Errorf("%v: %v", c.f, got)
		}
	}
}
