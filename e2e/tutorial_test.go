package e2e

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A step of an executable page: a shell block to run (in the background
// until its output says something), a Go block to insert into a file, or
// the text the previous shell block must print.
type step struct {
	line   int // of the block's opening fence
	kind   string
	body   string
	until  string // background: the output that says it is ready
	file   string // insert: the file and the line after which the block goes
	anchor string
}

var directive = regexp.MustCompile(`^<!-- tutorial: (?:background until "([^"]+)"|insert into (\S+) after "([^"]+)"|(ctrl-c)|cluster (\S+)) -->$`)

// parseTutorial reads the fenced blocks of a page: sh, text and go (the
// latter only under an insert directive), with their line numbers.
func parseTutorial(page string) ([]step, error) {
	var steps []step
	var pending *step
	var cur *step
	sc := bufio.NewScanner(strings.NewReader(page))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur != nil && line == "```":
			steps = append(steps, *cur)
			cur = nil
		case cur != nil:
			cur.body += line + "\n"
		case strings.HasPrefix(line, "<!-- tutorial:"):
			m := directive.FindStringSubmatch(line)
			if m == nil {
				return nil, fmt.Errorf("line %d: unknown directive %q", n, line)
			}
			if m[4] != "" {
				// Ctrl-C to what runs in the background, where the page says so.
				steps = append(steps, step{line: n, kind: "ctrl-c"})
				continue
			}
			if m[5] != "" {
				// The reader's cluster from here on: ~/.kube/config.
				steps = append(steps, step{line: n, kind: "cluster", body: m[5]})
				continue
			}
			pending = &step{until: m[1], file: m[2], anchor: m[3]}
		case strings.HasPrefix(line, "```"):
			lang := strings.TrimPrefix(line, "```")
			s := step{line: n, kind: lang}
			if pending != nil {
				s.until, s.file, s.anchor = pending.until, pending.file, pending.anchor
				pending = nil
			}
			switch {
			case lang == "go" && s.file == "":
				return nil, fmt.Errorf("line %d: a go block without an insert directive", n)
			case lang != "sh" && lang != "text" && lang != "go":
				return nil, fmt.Errorf("line %d: a %q block: the tutorial runs sh, checks text and inserts go", n, lang)
			}
			cur = &s
		}
	}
	return steps, sc.Err()
}

// runTutorial runs a page's steps in order in dir and returns the first
// failure as page:line.
func runTutorial(t *testing.T, name, page, dir string, env []string, clusters map[string]string) error {
	steps, err := parseTutorial(page)
	if err != nil {
		return fmt.Errorf("%s: %v", name, err)
	}
	cwd := dir
	var background []func() error // Ctrl-C to each background step, last first
	var last string
	var lastLine int
	for _, s := range steps {
		where := fmt.Sprintf("%s:%d", name, s.line)
		switch {
		case s.kind == "go":
			path := filepath.Join(cwd, s.file)
			data, err := os.ReadFile(path)
			if err != nil {
				return fmt.Errorf("%s: %v", where, err)
			}
			i := bytes.Index(data, []byte(s.anchor))
			if i < 0 {
				return fmt.Errorf("%s: %s has no %q to insert after", where, s.file, s.anchor)
			}
			eol := i + bytes.IndexByte(data[i:], '\n') + 1
			data = append(data[:eol:eol], append([]byte(s.body), data[eol:]...)...)
			if err := os.WriteFile(path, data, 0o644); err != nil {
				return err
			}
			t.Logf("%s: inserted into %s", where, s.file)
		case s.kind == "text":
			rest := last
			for _, want := range strings.Split(strings.TrimSpace(s.body), "\n") {
				i := strings.Index(rest, strings.TrimSpace(want))
				if i < 0 {
					return fmt.Errorf("%s: the block at line %d did not print %q (in this order); it printed:\n%s", where, lastLine, want, last)
				}
				rest = rest[i+len(strings.TrimSpace(want)):]
			}
		case s.kind == "cluster":
			kubeconfig, ok := clusters[s.body]
			if !ok {
				return fmt.Errorf("%s: no cluster %q in this test", where, s.body)
			}
			data, err := os.ReadFile(kubeconfig)
			if err != nil {
				return err
			}
			home := ""
			for _, kv := range env {
				if v, ok := strings.CutPrefix(kv, "HOME="); ok {
					home = v
				}
			}
			writeFile(t, filepath.Join(home, ".kube", "config"), string(data))
			t.Logf("%s: ~/.kube/config is the %s cluster's", where, s.body)
		case s.kind == "ctrl-c":
			if len(background) == 0 {
				return fmt.Errorf("%s: Ctrl-C, but nothing runs in the background", where)
			}
			if err := background[len(background)-1](); err != nil {
				return fmt.Errorf("%s: %v", where, err)
			}
			background = background[:len(background)-1]
		case s.until != "":
			cmd := exec.Command("bash", "-euo", "pipefail", "-c", s.body)
			cmd.Dir, cmd.Env = cwd, env
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			out := &syncBuffer{}
			cmd.Stdout, cmd.Stderr = out, out
			if err := cmd.Start(); err != nil {
				return fmt.Errorf("%s: %v", where, err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			stopped := false
			// Ctrl-C, as the page says, to the whole process group.
			stop := func() error {
				if stopped {
					return nil
				}
				stopped = true
				syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
				select {
				case err := <-exited:
					t.Logf("%s: stopped with Ctrl-C (%v)", where, err)
					return nil
				case <-time.After(60 * time.Second):
					syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
					return fmt.Errorf("%s still running 60 s after Ctrl-C:\n%s", strings.TrimSpace(s.body), out.String())
				}
			}
			t.Cleanup(func() {
				if err := stop(); err != nil {
					t.Error(err)
				}
			})
			background = append(background, stop)
			start := time.Now()
			for !strings.Contains(out.String(), s.until) {
				select {
				case err := <-exited:
					return fmt.Errorf("%s: exited (%v) before printing %q:\n%s", where, err, s.until, out.String())
				case <-time.After(200 * time.Millisecond):
				}
				if time.Since(start) > 10*time.Minute {
					return fmt.Errorf("%s: did not print %q in 10 minutes:\n%s", where, s.until, out.String())
				}
			}
			t.Logf("%s: %s running in the background (ready after %s)", where, strings.TrimSpace(s.body), time.Since(start).Round(time.Second))
		default:
			pwd := filepath.Join(t.TempDir(), "pwd")
			cmd := exec.Command("bash", "-euo", "pipefail", "-c", s.body+"\npwd > "+strconv.Quote(pwd))
			cmd.Dir, cmd.Env = cwd, env
			start := time.Now()
			out, err := cmd.CombinedOutput()
			if err != nil {
				return fmt.Errorf("%s: %v\n%s", where, err, out)
			}
			t.Logf("%s: %s (%s)", where, strings.ReplaceAll(strings.TrimSpace(s.body), "\n", "; "), time.Since(start).Round(100*time.Millisecond))
			if p, err := os.ReadFile(pwd); err == nil {
				cwd = strings.TrimSpace(string(p))
			}
			last, lastLine = string(out), s.line
		}
	}
	return nil
}

// tutorialEnv is the reader's environment: apiserver-boot (this tree's) and
// kubectl on the PATH; run local's ports, which the page leaves at their
// defaults, set through APISERVER_BOOT_* (as a reader's shell may); and a
// home of its own (~/.kube/config is the page's cluster, see runTutorial),
// with the Go and apiserver-boot caches left where they are.
func tutorialEnv(t *testing.T, bin string) []string {
	etcdPort, ports := runLocalPorts(t, 2)
	home := t.TempDir()
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(),
		"PATH="+filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"),
		"HOME="+home,
		"XDG_CACHE_HOME="+cache,
		"APISERVER_BOOT_ETCD_PORT="+strconv.Itoa(etcdPort),
		"APISERVER_BOOT_SECURE_PORT="+strconv.Itoa(ports[0]),
		"APISERVER_BOOT_MANAGER_PROBE_PORT="+strconv.Itoa(ports[1]),
	)
	for _, name := range []string{"GOPATH", "GOMODCACHE", "GOCACHE"} {
		env = append(env, name+"="+goEnv(t, name))
	}
	return env
}

// TestTutorial runs docs/tutorial.md as a reader would, block by block, in
// an empty folder, and checks the output it shows. The page's clusters
// (<!-- tutorial: cluster NAME --> makes one the reader's ~/.kube/config):
// "aggregation", a kube-apiserver as the e2e suite runs it, for run local
// --register-into; and "node", the real one-node cluster TestNode runs, for
// run in-cluster, whose loopback registry is $REGISTRY. Nothing outside
// reaches the node, so what a reader's cluster pulls from public registries
// comes from that registry: the base image is none
// (APISERVER_BOOT_BASE=scratch) and etcd's image the one built here
// (APISERVER_BOOT_ETCD_IMAGE), flag defaults set off the page.
func TestTutorial(t *testing.T) {
	requireTool(t, "kubectl", "the tutorial's kubectl steps")
	page, err := os.ReadFile("../docs/tutorial.md")
	if err != nil {
		t.Fatal(err)
	}
	n := startNode(t)
	n.localVolumes(t, "tutorial-etcd", 1)
	cp := startKubeAPIServer(t, startEtcd(t))
	bin := buildCLI(t)
	env := append(tutorialEnv(t, bin),
		"REGISTRY="+n.registry,
		"APISERVER_BOOT_BASE=scratch",
		"APISERVER_BOOT_ETCD_IMAGE="+n.etcdImage,
	)
	clusters := map[string]string{"aggregation": cp.kubeconfigs["admin"], "node": n.admin}
	if err := runTutorial(t, "docs/tutorial.md", string(page), t.TempDir(), env, clusters); err != nil {
		t.Fatal(err)
	}
}

// TestTutorialBreakNamesTheLine: a flag renamed in a copy of the page fails
// the run at that block, naming the page and its line.
func TestTutorialBreakNamesTheLine(t *testing.T) {
	page, err := os.ReadFile("../docs/tutorial.md")
	if err != nil {
		t.Fatal(err)
	}
	const flag = "--kind Bee"
	i := bytes.Index(page, []byte(flag))
	if i < 0 {
		t.Fatalf("docs/tutorial.md has no %q to break", flag)
	}
	line := bytes.Count(page[:bytes.LastIndex(page[:i], []byte("```sh"))], []byte("\n")) + 1
	broken := bytes.Replace(page, []byte(flag), []byte("--knd Bee"), 1)
	bin := buildCLI(t)
	err = runTutorial(t, "docs/tutorial.md", string(broken), t.TempDir(), tutorialEnv(t, bin), nil)
	if err == nil || !strings.HasPrefix(err.Error(), fmt.Sprintf("docs/tutorial.md:%d: ", line)) || !strings.Contains(err.Error(), "unknown flag: --knd") {
		t.Fatalf("a renamed flag at line %d: %v; want the failure at docs/tutorial.md:%d naming the flag", line, err, line)
	}
}
