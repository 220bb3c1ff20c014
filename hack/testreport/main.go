// Command testreport reads `go test -json` from a file and prints what a CI
// log needs: the output of every failed test (or package), then how long
// each package took and, for the slowest packages, each top-level test.
// Its exit status is go test's own, which the caller keeps.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

type result struct {
	name    string
	elapsed float64
	failed  bool
	done    bool // passed, failed or skipped: a test without is one a timeout stopped
	output  []string
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: testreport go-test.json")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer f.Close()
	if err := report(f, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}

func report(r io.Reader, w io.Writer) error {
	packages := map[string]*result{}
	tests := map[string]map[string]*result{} // package → top-level test
	get := func(pkg, test string) *result {
		if test == "" {
			if packages[pkg] == nil {
				packages[pkg] = &result{name: pkg}
			}
			return packages[pkg]
		}
		if tests[pkg] == nil {
			tests[pkg] = map[string]*result{}
		}
		if tests[pkg][test] == nil {
			tests[pkg][test] = &result{name: test}
		}
		return tests[pkg][test]
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var e event
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			fmt.Fprintln(w, sc.Text()) // not an event
			continue
		}
		if e.Package == "" { // a build's output or failure
			fmt.Fprint(w, e.Output)
			continue
		}
		// Subtests' output and results count for their top-level test.
		top, _, _ := strings.Cut(e.Test, "/")
		res := get(e.Package, top)
		switch e.Action {
		case "output":
			res.output = append(res.output, e.Output)
		case "fail":
			if e.Test == top {
				res.failed, res.done, res.elapsed = true, true, e.Elapsed
			}
		case "pass", "skip":
			if e.Test == top {
				res.done, res.elapsed = true, e.Elapsed
				res.output = nil // only failures are printed
			}
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}

	var pkgs []*result
	for _, p := range packages {
		pkgs = append(pkgs, p)
	}
	sort.Slice(pkgs, func(i, j int) bool { return pkgs[i].elapsed > pkgs[j].elapsed })
	for _, p := range pkgs {
		for _, t := range sorted(tests[p.name]) {
			switch {
			case t.failed:
				fmt.Fprintf(w, "--- FAIL: %s %s (%.0fs)\n%s", p.name, t.name, t.elapsed, strings.Join(t.output, ""))
			case !t.done:
				fmt.Fprintf(w, "--- DID NOT FINISH: %s %s\n%s", p.name, t.name, strings.Join(t.output, ""))
			}
		}
		if p.failed {
			fmt.Fprintf(w, "FAIL %s\n%s", p.name, strings.Join(p.output, ""))
		}
	}
	fmt.Fprintln(w, "\nseconds per package, and per top-level test where the package took over a minute:")
	for _, p := range pkgs {
		status := "ok  "
		if p.failed {
			status = "FAIL"
		}
		fmt.Fprintf(w, "%s %6.0f  %s\n", status, p.elapsed, p.name)
		if p.elapsed < 60 {
			continue
		}
		for _, t := range sorted(tests[p.name]) {
			fmt.Fprintf(w, "       %6.0f    %s\n", t.elapsed, t.name)
		}
	}
	return nil
}

func sorted(m map[string]*result) []*result {
	var out []*result
	for _, r := range m {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].elapsed > out[j].elapsed })
	return out
}
