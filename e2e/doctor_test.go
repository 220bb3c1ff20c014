package e2e

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apiserver-boot/apiserver-boot/internal/certs"
	"github.com/apiserver-boot/apiserver-boot/internal/doctor"
	"github.com/apiserver-boot/apiserver-boot/internal/project"
)

// TestDoctor is the proof of the doctor issue: a generated server registered
// into a real kube-apiserver with run local --register-into is healthy (exit
// 0); then one thing at a time is broken — the server stopped, the
// APIService deleted or pointed at a missing Service, a wrong caBundle, a
// serving certificate without the <service>.<namespace>.svc name, the
// auth-delegator binding deleted, the auth-reader RoleBinding deleted — and
// for each, doctor exits 1 and names that cause first; restored, it exits 0
// again. A certificate that expires within 30 days is a warning (exit 0); a
// kind PROJECT lists and the running server lacks, a failing list. A cluster
// that cannot be reached is exit 2.
func TestDoctor(t *testing.T) {
	sideBySide(t)
	requireTool(t, "kubectl", "doctor's diagnoses against a real kube-apiserver")
	cp := startKubeAPIServer(t, startEtcd(t))
	admin := cp.kubeconfigs["admin"]
	bin, dir := newProject(t, createKind("Bee"), []string{"build", "executables"})
	const apiservice = "v1alpha1.insect.example.com"

	runDoctor := func() (int, *doctor.Report, string) {
		t.Helper()
		cmd := exec.Command(bin, "doctor", "--kubeconfig", admin, "-o", "json")
		cmd.Dir = dir
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		_ = cmd.Run()
		var r doctor.Report
		if err := json.Unmarshal(stdout.Bytes(), &r); err != nil && cmd.ProcessState.ExitCode() != 2 {
			t.Fatalf("doctor -o json is not JSON: %v\n%s\n%s", err, stdout.String(), stderr.String())
		}
		return cmd.ProcessState.ExitCode(), &r, stdout.String() + stderr.String()
	}
	firstError := func(r *doctor.Report) *doctor.Finding {
		for i := range r.Findings {
			if r.Findings[i].Severity == doctor.Error {
				return &r.Findings[i]
			}
		}
		return nil
	}
	healthy := func(t *testing.T) {
		t.Helper()
		var code int
		var out string
		waitFor(t, 2*time.Minute, func() bool { code, _, out = runDoctor(); return code == 0 },
			func() string { return "doctor did not report healthy (exit " + strconv.Itoa(code) + "):\n" + out })
	}
	// diagnose breaks something, requires doctor to exit 1 naming the cause
	// first (check and words), and restores it.
	// also, if given, must hold of the report too.
	diagnose := func(t *testing.T, check, words string, breakIt, restore func(), also ...func(*doctor.Report) bool) {
		t.Helper()
		breakIt()
		restored := false
		defer func() {
			if !restored { // a failed case must not break the next ones
				restore()
			}
		}()
		var code int
		var r *doctor.Report
		var out string
		waitFor(t, time.Minute, func() bool {
			code, r, out = runDoctor()
			f := firstError(r)
			ok := code == 1 && f != nil && f.Check == check && strings.Contains(f.Message, words)
			for _, a := range also {
				ok = ok && a(r)
			}
			return ok
		}, func() string {
			return "doctor (exit " + strconv.Itoa(code) + ") did not name " + check + " \"" + words + "\" first:\n" + out
		})
		if f := firstError(r); f.Fix == "" {
			t.Errorf("the finding has no fix: %+v", f)
		}
		restored = true
		restore()
		healthy(t)
	}

	reg := startRegistered(t, bin, dir, admin)
	t.Run("healthy", func(t *testing.T) {
		healthy(t)
		cmd := exec.Command(bin, "doctor", "--kubeconfig", admin)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "✓ apiservice") || !strings.Contains(string(out), "healthy") {
			t.Fatalf("doctor (text): %v\n%s", err, out)
		}
	})

	t.Run("missing Service", func(t *testing.T) {
		diagnose(t, "service", "does not exist",
			func() {
				mustKubectl(t, admin, "patch", "apiservice", apiservice, "--type=merge", "-p", `{"spec":{"service":{"name":"missing"}}}`)
			},
			func() {
				mustKubectl(t, admin, "patch", "apiservice", apiservice, "--type=merge", "-p", `{"spec":{"service":{"name":"bees-apiserver"}}}`)
			})
	})

	t.Run("wrong caBundle", func(t *testing.T) {
		original := mustKubectl(t, admin, "get", "apiservice", apiservice, "-o", "jsonpath={.spec.caBundle}")
		other, err := certs.NewCA("another-ca", certs.Options{})
		if err != nil {
			t.Fatal(err)
		}
		patch := func(caBundle string) {
			mustKubectl(t, admin, "patch", "apiservice", apiservice, "--type=merge", "-p", `{"spec":{"caBundle":"`+caBundle+`"}}`)
		}
		diagnose(t, "certificate", "caBundle does not verify",
			func() { patch(base64.StdEncoding.EncodeToString(other.CertPEM)) }, func() { patch(original) })
	})

	t.Run("certificate without the service name", func(t *testing.T) {
		ca, crt, key, origCrt, origKey := localServingPKI(t, dir)
		noSAN, err := ca.NewServing("localhost", []string{"localhost"}, []net.IP{net.IPv4(127, 0, 0, 1)}, certs.Options{})
		if err != nil {
			t.Fatal(err)
		}
		// The server reloads its serving certificate from disk.
		serve := func(certPEM, keyPEM []byte, wantSAN bool) {
			writeFile(t, key, string(keyPEM))
			writeFile(t, crt, string(certPEM))
			waitFor(t, 2*time.Minute, func() bool { return servesSAN(reg.securePort, "bees-apiserver.bees-system.svc") == wantSAN },
				func() string { return "the server did not reload its serving certificate" })
		}
		diagnose(t, "certificate", "not valid for bees-apiserver.bees-system.svc",
			func() { serve(noSAN.CertPEM, noSAN.KeyPEM, false) }, func() { serve(origCrt, origKey, true) })
	})

	t.Run("APIService missing", func(t *testing.T) {
		saved := apiServiceManifest(t, admin, apiservice)
		diagnose(t, "apiservice", "does not exist",
			func() { mustKubectl(t, admin, "delete", "apiservice", apiservice) },
			func() { mustKubectl(t, admin, "create", "-f", saved) })
	})

	t.Run("certificate expiring soon", func(t *testing.T) {
		// A warning, not an error: doctor names it and still exits 0.
		ca, crt, key, origCrt, origKey := localServingPKI(t, dir)
		block, _ := pem.Decode(origCrt)
		leaf, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		soon, err := ca.NewServing(leaf.Subject.CommonName, leaf.DNSNames, leaf.IPAddresses, certs.Options{Validity: 10 * 24 * time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, key, string(soon.KeyPEM))
		writeFile(t, crt, string(soon.CertPEM))
		var code int
		var out string
		waitFor(t, 2*time.Minute, func() bool {
			var r *doctor.Report
			code, r, out = runDoctor()
			f := r.FirstProblem()
			return code == 0 && r.Healthy && f != nil && f.Severity == doctor.Warning && f.Check == "certificate" &&
				strings.Contains(f.Message, "expires on") && f.Fix != ""
		}, func() string {
			return "doctor (exit " + strconv.Itoa(code) + ") did not warn of the expiry first:\n" + out
		})
		writeFile(t, key, string(origKey))
		writeFile(t, crt, string(origCrt))
		waitFor(t, 2*time.Minute, func() bool {
			_, r, _ := runDoctor()
			return r.FirstProblem() == nil
		}, func() string { return "the expiry warning stayed after the certificate was restored" })
	})

	// The RBAC cases restore with the command doctor gives as the fix.
	fixWith := func(t *testing.T, check, words, deleteArgs string) {
		var fix string
		diagnose(t, check, words,
			func() { mustKubectl(t, admin, strings.Fields(deleteArgs)...) },
			func() {
				_, r, _ := runDoctor()
				fix = firstError(r).Fix
				args := strings.Fields(fix)
				if len(args) == 0 || args[0] != "kubectl" {
					t.Fatalf("the fix is not a kubectl command: %q", fix)
				}
				mustKubectl(t, admin, args[1:]...)
			})
	}
	t.Run("auth-delegator binding deleted", func(t *testing.T) {
		fixWith(t, "rbac", "lacks system:auth-delegator", "delete clusterrolebinding bees-apiserver:system:auth-delegator")
	})
	t.Run("auth-reader RoleBinding deleted", func(t *testing.T) {
		fixWith(t, "rbac", "lacks extension-apiserver-authentication-reader", "-n kube-system delete rolebinding bees-apiserver:extension-apiserver-authentication-reader")
	})

	// (Before "server stopped": the server it restarts lives as long as that
	// subtest.) A PROJECT that lists a kind the running server lacks (added, not yet
	// redeployed): discovery works, the list of the new kind fails. Doctor
	// runs on a copy of PROJECT, so the running project is not touched.
	t.Run("a kind the server does not serve", func(t *testing.T) {
		p, err := project.Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		g := p.Group("insect")
		g.Kinds = append(g.Kinds, project.Kind{Kind: "Wasp", Package: "wasp", Plural: "wasps", Namespaced: true, Versions: []string{"v1alpha1"}})
		data, err := p.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		other := t.TempDir()
		writeFile(t, filepath.Join(other, project.FileName), string(data))
		cmd := exec.Command(bin, "doctor", "--kubeconfig", admin, "-o", "json")
		cmd.Dir = other
		out, _ := cmd.Output()
		var r doctor.Report
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatalf("doctor -o json: %v\n%s", err, out)
		}
		f := firstError(&r)
		if code := cmd.ProcessState.ExitCode(); code != 1 || f == nil || f.Check != "list" || f.Subject != "insect.example.com/v1alpha1/wasps" || f.Evidence == "" || f.Fix == "" {
			t.Fatalf("doctor with a kind the server lacks: exit %d, first error %+v, want the list of wasps failing:\n%s", code, f, out)
		}
		for _, g := range r.Findings {
			if (g.Check == "discovery" || g.Subject == "insect.example.com/v1alpha1/bees") && g.Severity != doctor.OK {
				t.Errorf("only the wasps' list should fail: %+v", g)
			}
		}
	})

	t.Run("server stopped", func(t *testing.T) {
		// SIGKILL: run local cannot unregister, so the APIService and the
		// Service stay while nothing serves behind them.
		diagnose(t, "certificate", "nothing answers at",
			func() {
				if err := reg.cmd.Process.Kill(); err != nil {
					t.Fatal(err)
				}
				<-reg.exited
			},
			func() { reg = startRegistered(t, bin, dir, admin) },
			// What clients see, after the cause: discovery through the aggregator fails.
			func(r *doctor.Report) bool {
				for _, f := range r.Findings {
					if f.Check == "discovery" && f.Severity == doctor.Error && strings.Contains(f.Message, "through the aggregator fails") && f.Evidence != "" {
						return true
					}
				}
				return false
			})
	})

	t.Run("cluster unreachable", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "kubeconfig")
		writeFile(t, bad, "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:"+strconv.Itoa(freePort(t))+"\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\nusers:\n- name: u\n  user:\n    token: x\ncurrent-context: c\n")
		cmd := exec.Command(bin, "doctor", "--kubeconfig", bad)
		cmd.Dir = dir
		out, _ := cmd.CombinedOutput()
		if code := cmd.ProcessState.ExitCode(); code != 2 || !strings.Contains(string(out), "the cluster cannot be reached") {
			t.Fatalf("doctor against a closed port: exit %d, want 2:\n%s", code, out)
		}
	})
}

// localServingPKI returns run local's CA and the paths and contents of the
// serving certificate and key it made, for a test to replace and restore.
func localServingPKI(t *testing.T, dir string) (ca *certs.KeyPair, crt, key string, crtPEM, keyPEM []byte) {
	t.Helper()
	pki := filepath.Join(dir, ".local", "run", "pki")
	ca, err := certs.Load(filepath.Join(pki, "ca.crt"), filepath.Join(pki, "ca.key"))
	if err != nil {
		t.Fatal(err)
	}
	crt, key = filepath.Join(pki, "apiserver.crt"), filepath.Join(pki, "apiserver.key")
	if crtPEM, err = os.ReadFile(crt); err != nil {
		t.Fatal(err)
	}
	if keyPEM, err = os.ReadFile(key); err != nil {
		t.Fatal(err)
	}
	return ca, crt, key, crtPEM, keyPEM
}

// apiServiceManifest saves an APIService to a file kubectl create can
// restore it from (without the fields the server sets).
func apiServiceManifest(t *testing.T, kubeconfig, name string) string {
	t.Helper()
	var obj map[string]any
	if err := json.Unmarshal([]byte(mustKubectl(t, kubeconfig, "get", "apiservice", name, "-o", "json")), &obj); err != nil {
		t.Fatal(err)
	}
	delete(obj, "status")
	metadata := obj["metadata"].(map[string]any)
	for _, k := range []string{"resourceVersion", "uid", "creationTimestamp", "managedFields", "generation"} {
		delete(metadata, k)
	}
	data, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name+".json")
	writeFile(t, path, string(data))
	return path
}

// servesSAN reports whether the server on port serves a certificate valid for host.
func servesSAN(port int, host string) bool {
	conn, err := tls.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port), &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // only the certificate's names are read
	if err != nil {
		return false
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].VerifyHostname(host) == nil
}
