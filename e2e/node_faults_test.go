package e2e

import (
	"strings"
	"testing"
	"time"
)

// deletePod deletes a pod and returns once it is gone: its object removed
// or, for a StatefulSet's pod (which comes back under the same name),
// replaced by one with another uid. The time returned is when the fault had
// happened, not when it was asked for.
func (n *node) deletePod(t *testing.T, ns, pod string) time.Time {
	t.Helper()
	uid := mustKubectl(t, n.admin, "-n", ns, "get", "pod", pod, "-o", "jsonpath={.metadata.uid}")
	mustKubectl(t, n.admin, "-n", ns, "delete", "pod", pod, "--wait=false")
	n.waitPodGone(t, ns, pod, uid)
	return time.Now()
}

// waitPodGone waits until the pod named pod (the one with uid, when given)
// no longer exists.
func (n *node) waitPodGone(t *testing.T, ns, pod, uid string) {
	t.Helper()
	waitFor(t, 2*time.Minute, func() bool {
		out, err := kubectlOut(n.admin, "-n", ns, "get", "pod", pod, "-o", "jsonpath={.metadata.uid}")
		if err != nil {
			return strings.Contains(out, "NotFound")
		}
		return uid != "" && out != uid
	}, func() string { return "pod " + ns + "/" + pod + " is still there" })
}
