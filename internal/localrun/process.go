package localrun

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/apiserver-boot/apiserver-boot/internal/model"
)

// child is a supervised process.
type child struct {
	name   string
	cmd    *exec.Cmd
	exited chan struct{} // closed when the process has exited
	err    error         // its exit error, valid once exited is closed
}

// startChild starts a process in its own process group (so a Ctrl-C in the
// terminal reaches only apiserver-boot, which stops children in order) that
// the kernel kills if apiserver-boot dies, even by SIGKILL. env is added to
// apiserver-boot's own environment.
func startChild(name, path string, args, env []string, dir string, log io.Writer) (*child, error) {
	cmd := exec.Command(path, args...)
	cmd.Dir = dir
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = childAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	c := &child{name: name, cmd: cmd, exited: make(chan struct{})}
	go func() {
		c.err = cmd.Wait()
		close(c.exited)
	}()
	return c, nil
}

// stop sends SIGTERM to the child's process group and waits up to grace for
// it to exit, then SIGKILLs the group. It returns when the process is gone.
func (c *child) stop(grace time.Duration) {
	select {
	case <-c.exited:
		return
	default:
	}
	pgid := c.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-c.exited:
	case <-time.After(grace):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-c.exited
	}
}

// ChildExitError reports that a process of the local control plane died.
// Its exit code tells which: 3 etcd, 4 apiserver, 5 controller-manager.
type ChildExitError struct {
	Name string
	Err  error
}

func (e *ChildExitError) Error() string {
	if e.Err == nil {
		return e.Name + " exited unexpectedly"
	}
	return fmt.Sprintf("%s exited unexpectedly: %v", e.Name, e.Err)
}

// ExitCode is the exit code of apiserver-boot for this error.
func (e *ChildExitError) ExitCode() int {
	switch e.Name {
	case "etcd":
		return 3
	case model.APIServer.Name:
		return 4
	case model.Manager.Name:
		return 5
	}
	return 1
}

// prefixWriter writes each line it is given, prefixed with a (coloured) name.
type prefixWriter struct {
	mu     *sync.Mutex // shared by all writers to one output, so lines never interleave
	out    io.Writer
	prefix []byte
	buf    []byte
}

var colours = map[string]string{"etcd": "33", model.APIServer.Name: "36", model.Manager.Name: "35"}

func newPrefixWriter(mu *sync.Mutex, out io.Writer, name string, colour bool) *prefixWriter {
	label := fmt.Sprintf("[%s]", name)
	if name == model.Manager.Name {
		label = "[manager]"
	}
	if colour {
		label = "\x1b[" + colours[name] + "m" + label + "\x1b[0m"
	}
	return &prefixWriter{mu: mu, out: out, prefix: []byte(label + " ")}
}

func (w *prefixWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		line := append(append([]byte(nil), w.prefix...), w.buf[:i+1]...)
		w.buf = w.buf[i+1:]
		if _, err := w.out.Write(line); err != nil {
			return len(p), err
		}
	}
	return len(p), nil
}

// isTerminal reports whether w is a character device (a terminal), for colour.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("NO_COLOR") != "" {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// errContext reports whether err is only the context ending.
func errContext(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
