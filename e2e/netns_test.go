package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// A pod's network namespace must be removable after a test runs `ip netns
// add` (as the doctor's subtest does while pods run). The pod's namespace is
// made as containerd's CNI code makes it: a file in netnsDir with the
// namespace bind-mounted on it; it is torn down as containerd tears it down:
// unmount, then remove. Before sharedNetnsDir, the removal failed with
// "device or resource busy" on a machine whose netnsDir was not yet a mount
// (any machine that had never run `ip netns add`).
func TestNodeNetnsTeardownAfterIPNetnsAdd(t *testing.T) {
	nodePrerequisites(t)
	sharedNetnsDir(t)
	pod := filepath.Join(netnsDir, fmt.Sprintf("cni-e2e-probe-%d", os.Getpid()))
	if err := os.WriteFile(pod, nil, 0o444); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Unmount(pod, syscall.MNT_DETACH)
		_ = os.Remove(pod)
	})
	run(t, "unshare", "--net="+pod, "true")
	other := fmt.Sprintf("e2e-probe-%d", os.Getpid())
	run(t, "ip", "netns", "add", other)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", other).Run() })

	if err := syscall.Unmount(pod, syscall.MNT_DETACH); err != nil {
		t.Fatalf("unmounting the pod's namespace: %v", err)
	}
	if err := os.Remove(pod); err != nil {
		t.Fatalf("removing the pod's namespace file after `ip netns add`: %v (the kubelet then never finishes the pod)", err)
	}
}
