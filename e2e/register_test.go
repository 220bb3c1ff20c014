package e2e

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/apiserver-boot/apiserver-boot/internal/doctor"
)

// registeredKinds are the kinds of what a run local --register-into made (by its label).
const registeredKinds = "apiservices,services,endpointslices,clusterroles,clusterrolebindings,rolebindings,serviceaccounts"

// killedRegistration: a run local --register-into killed with SIGKILL cannot
// remove what it made, and the cluster keeps routing the API to a server
// that is gone. doctor finds that nothing answers, says the run is gone and
// how to remove what it made; the next run adopts what the killed one made,
// and on a clean exit nothing is left.
func killedRegistration(t *testing.T, bin, dir, admin string) {
	left := func() string {
		return strings.TrimSpace(mustKubectl(t, admin, "get", registeredKinds, "-A", "-l", "apiserver-boot.io/run-local", "-o", "name"))
	}
	// A namespace of its own: the one the earlier runs made stays
	// Terminating here (this control plane runs no namespace controller).
	const ns = "bees-killed"
	r := startRegistered(t, bin, dir, admin, "--namespace", ns)
	if err := r.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-r.exited
	if !strings.Contains(left(), "apiservice.apiregistration.k8s.io/v1alpha1.insect.example.com") {
		t.Fatalf("the killed run left no APIService behind (was it killed?):\n%s", left())
	}

	var out string
	waitFor(t, 2*time.Minute, func() bool {
		cmd := exec.Command(bin, "doctor", "--kubeconfig", admin, "-o", "json")
		cmd.Dir = dir
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		_ = cmd.Run()
		out = stdout.String() + stderr.String()
		var report doctor.Report
		if json.Unmarshal(stdout.Bytes(), &report) != nil || cmd.ProcessState.ExitCode() != 1 {
			return false
		}
		for _, f := range report.Findings {
			if f.Check == "certificate" && f.Severity == doctor.Error && strings.Contains(f.Message, "nothing answers at") &&
				strings.Contains(f.Fix, "is not running") && strings.Contains(f.Fix, "-l apiserver-boot.io/run-local=bees-apiserver") {
				return true
			}
		}
		return false
	}, func() string { return "doctor did not name the killed run:\n" + out })

	r = startRegistered(t, bin, dir, admin, "--namespace", ns)
	r.interrupt(t)
	if l := left(); l != "" {
		t.Errorf("after the next run's clean exit, left behind:\n%s", l)
	}
}
