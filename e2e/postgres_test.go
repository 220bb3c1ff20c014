package e2e

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// postgresBin finds a program of Debian's postgresql package (its binaries
// are not on PATH), or fails under CI / skips elsewhere like requireTool.
func postgresBin(t testing.TB, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name); len(matches) > 0 {
		return matches[len(matches)-1]
	}
	return requireTool(t, name, "kine on a real Postgres server (Debian's postgresql package)")
}

// startPostgres runs a throwaway PostgreSQL server on a free loopback port
// for the test (as the postgres user when the test runs as root: postgres
// refuses root) and returns a DSN for a superuser "kine" with trust auth.
func startPostgres(t testing.TB) string {
	t.Helper()
	initdb, postgres := postgresBin(t, "initdb"), postgresBin(t, "postgres")
	// Not t.TempDir: its parent is private to root, and postgres may run as
	// another user.
	dir, err := os.MkdirTemp("", "e2e-postgres-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root needs the postgres user (Debian's postgresql package makes it): %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	data := filepath.Join(dir, "data")
	run := func(name string, args ...string) *exec.Cmd {
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGKILL}
		return cmd
	}
	if out, err := run(initdb, "-D", data, "-U", "kine", "--auth=trust", "--no-sync", "-E", "UTF8").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	port := freePort(t)
	cmd := run(postgres, "-D", data, "-h", "127.0.0.1", "-p", strconv.Itoa(port), "-k", dir,
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	log := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGINT) // fast shutdown
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("postgres log (last 2 KiB):\n%s", tail([]byte(log.String()), 2048))
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for !strings.Contains(log.String(), "ready to accept connections") {
		select {
		case <-exited:
			t.Fatalf("postgres exited:\n%s", log.String())
		case <-ctx.Done():
			t.Fatalf("postgres is not ready after a minute:\n%s", log.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
	if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err != nil {
		t.Fatalf("postgres does not listen on %d: %v", port, err)
	} else {
		c.Close()
	}
	return fmt.Sprintf("postgres://kine@127.0.0.1:%d/kine?sslmode=disable", port)
}
