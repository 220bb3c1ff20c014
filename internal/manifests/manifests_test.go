package manifests

import (
	"crypto/x509"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apiserver-boot/apiserver-boot/internal/certs"
	"github.com/apiserver-boot/apiserver-boot/internal/model"
	"github.com/apiserver-boot/apiserver-boot/internal/project"
	"github.com/apiserver-boot/apiserver-boot/internal/scaffold"
)

func options(dir string) Options {
	p := &project.Project{
		Layout: project.Layout, Domain: "example.com", Module: "example.com/bees",
		Groups: []project.Group{{
			Name:     "insect",
			Versions: []project.Version{{Name: "v1alpha1", StorageVersion: true}, {Name: "v1"}},
			Kinds:    []project.Kind{{Kind: "Bee", Plural: "bees", Namespaced: true, Versions: []string{"v1alpha1", "v1"}}},
		}},
	}
	return Options{
		Deployment: Deployment{Name: "bees-apiserver", Namespace: "bees", Image: "bees:dev", ServiceAccount: "bees-sa", EtcdImage: DefaultEtcdImage, Project: model.New(p)},
		Dir:        dir, OutputDir: "config", KeyType: certs.ECDSA, ExternalEtcdServers: "https://etcd.example.com:2379",
	}
}

func render(t *testing.T, dir, kustomization string) string {
	t.Helper()
	out, err := Render(filepath.Join(dir, "config", kustomization))
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestLayout(t *testing.T) {
	dir := t.TempDir()
	res, err := Write(options(dir))
	if err != nil {
		t.Fatal(err)
	}
	if !res.CertsCreated {
		t.Fatal("no certificates were made")
	}
	base := render(t, dir, "base")
	objs, err := Decode([]byte(base))
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, o := range objs {
		kinds[o.GetKind()]++
	}
	for kind, n := range map[string]int{"Namespace": 1, "ServiceAccount": 2, "ClusterRole": 2, "ClusterRoleBinding": 3, "Role": 1, "RoleBinding": 2,
		"Secret": 3, "Service": 2, "Deployment": 2, "StatefulSet": 1, "APIService": 2, "PodDisruptionBudget": 0} {
		if kinds[kind] != n {
			t.Errorf("%d %s objects, want %d (all: %v)", kinds[kind], kind, n, kinds)
		}
	}
	for _, want := range []string{
		"name: extension-apiserver-authentication-reader",
		"name: system:auth-delegator",
		"caBundle: ",
		"path: /readyz", "path: /livez",
		"readOnlyRootFilesystem: true", "runAsNonRoot: true",
		"memory: 128Mi", "memory: 512Mi",
		"image: " + DefaultEtcdImage,
		"storage: 1Gi",
		// The node e2e proves every pod is admitted under it.
		"pod-security.kubernetes.io/enforce: restricted",
		// etcd's pods hold no ServiceAccount token.
		"automountServiceAccountToken: false",
	} {
		if !strings.Contains(base, want) {
			t.Errorf("the rendered base lacks %q", want)
		}
	}
	// Every binding's subject follows --namespace and --service-account:
	// three for the apiserver, two for the manager's identity beside it.
	if n := strings.Count(base, "- kind: ServiceAccount\n  name: bees-sa\n  namespace: bees\n"); n != 3 {
		t.Errorf("%d bindings to ServiceAccount bees/bees-sa, want 3", n)
	}
	if n := strings.Count(base, "- kind: ServiceAccount\n  name: bees-sa-controller-manager\n  namespace: bees\n"); n != 2 {
		t.Errorf("%d bindings to ServiceAccount bees/bees-sa-controller-manager, want 2", n)
	}
	if strings.Contains(base, "insecureSkipTLSVerify") {
		t.Error("insecureSkipTLSVerify in the base")
	}
	if info, err := os.Stat(filepath.Join(dir, "config/base/certificates/tls.key")); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("tls.key: %v %v, want mode 0600", err, info)
	}

	cm := render(t, dir, "overlays/cert-manager")
	if !strings.Contains(cm, "cert-manager.io/inject-ca-from: bees/bees-apiserver-serving-cert") || strings.Contains(cm, "caBundle") ||
		!strings.Contains(cm, "kind: Certificate") || strings.Contains(cm, "kind: Secret\nmetadata:\n  name: bees-apiserver-serving-cert") {
		t.Errorf("cert-manager overlay:\n%s", cm)
	}
	ext := render(t, dir, "overlays/external-etcd")
	if strings.Contains(ext, "kind: StatefulSet") || !strings.Contains(ext, "--etcd-servers=https://etcd.example.com:2379") ||
		strings.Contains(ext, "name: bees-apiserver-etcd-client\n") || !strings.Contains(ext, "name: bees-apiserver-external-etcd-client") {
		t.Errorf("external-etcd overlay:\n%s", ext)
	}
}

func TestCertificatesAreReusedUntilRotated(t *testing.T) {
	dir := t.TempDir()
	o := options(dir)
	if _, err := Write(o); err != nil {
		t.Fatal(err)
	}
	ca1, _ := os.ReadFile(filepath.Join(dir, "config/base/certificates/ca.crt"))
	base1 := render(t, dir, "base")

	res, err := Write(o)
	if err != nil {
		t.Fatal(err)
	}
	if res.CertsCreated || scaffold.Pending(res.Changes) {
		t.Fatal("a second run with the same flags changed something")
	}
	if base2 := render(t, dir, "base"); base2 != base1 {
		t.Fatal("the rendered YAML changed although the certificates were reused")
	}

	// Another service name does not fit the serving certificate.
	o.Name = "other"
	if _, err := Write(o); err == nil || !strings.Contains(err.Error(), "--rotate-certs") {
		t.Fatalf("renaming the service: %v, want an error naming --rotate-certs", err)
	}
	o.RotateCerts = true
	if res, err := Write(o); err != nil || !res.CertsCreated {
		t.Fatalf("rotation: %v", err)
	}
	ca2, _ := os.ReadFile(filepath.Join(dir, "config/base/certificates/ca.crt"))
	if string(ca1) == string(ca2) {
		t.Fatal("--rotate-certs kept the CA")
	}
	loaded, err := certs.Load(filepath.Join(dir, "config/base/certificates/tls.crt"), filepath.Join(dir, "config/base/certificates/tls.key"))
	if err != nil || loaded.Cert.DNSNames[0] != "other.bees.svc" {
		t.Fatalf("serving certificate after rotation: %v %v", err, loaded.Cert.DNSNames)
	}
}

// TestSQLStorage: with SQLite the apiserver is one replica on a volume and
// there is no etcd; with Postgres its DSN comes from a Secret made from
// base/storage.env, which build config writes once and then leaves alone.
func TestSQLStorage(t *testing.T) {
	dir := t.TempDir()
	o := options(dir)
	o.Backend = model.BackendSQLite
	if _, err := Write(o); err != nil {
		t.Fatal(err)
	}
	base := render(t, dir, "base")
	for _, want := range []string{"kind: PersistentVolumeClaim", "name: bees-apiserver-data", "--storage=sqlite", "--storage-dsn=/var/lib/apiserver/state.db", "type: Recreate", "claimName: bees-apiserver-data"} {
		if !strings.Contains(base, want) {
			t.Errorf("sqlite base lacks %q", want)
		}
	}
	if strings.Contains(base, "StatefulSet") || strings.Contains(base, "--etcd-servers") {
		t.Errorf("sqlite base still has etcd:\n%s", base)
	}
	if _, err := os.Stat(filepath.Join(dir, "config", "overlays", "external-etcd")); err == nil {
		t.Error("an external-etcd overlay was written for sqlite")
	}

	dir = t.TempDir()
	o = options(dir)
	o.Backend, o.BackendDSN = model.BackendPostgres, "postgres://kine@db:5432/bees"
	if _, err := Write(o); err != nil {
		t.Fatal(err)
	}
	base = render(t, dir, "base")
	for _, want := range []string{"name: bees-apiserver-storage", "--storage=postgres", "name: STORAGE_DSN", "key: dsn"} {
		if !strings.Contains(base, want) {
			t.Errorf("postgres base lacks %q", want)
		}
	}
	// The server reads the DSN from its environment: an argument would put
	// it in the pod's spec and in /proc/<pid>/cmdline on the node.
	if strings.Contains(base, "--storage-dsn") {
		t.Error("the postgres apiserver takes its DSN as an argument")
	}
	envFile := filepath.Join(dir, "config", "base", "storage.env")
	if info, err := os.Stat(envFile); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("storage.env holds the DSN and must be 0600: %v %v", info.Mode(), err)
	}
	// One a user (or an earlier release) left readable by all is tightened.
	if err := os.WriteFile(envFile, []byte("dsn=postgres://kine:secret@prod:5432/bees\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(envFile, 0o644); err != nil {
		t.Fatal(err)
	}
	o.BackendDSN = "postgres://other@elsewhere/bees"
	if _, err := Write(o); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(envFile); string(got) != "dsn=postgres://kine:secret@prod:5432/bees\n" {
		t.Errorf("build config overwrote the user's storage.env: %q", got)
	}
	if info, err := os.Stat(envFile); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("a storage.env left 0644 was not tightened to 0600: %v %v", info.Mode(), err)
	}
	if base = render(t, dir, "base"); !strings.Contains(base, "cG9zdGdyZXM6Ly9raW5lOnNlY3JldEBwcm9kOjU0MzIvYmVlcw==") {
		t.Errorf("the Secret does not hold the DSN of storage.env:\n%s", base)
	}
}

// TestHA renders --replicas 3 --etcd-members 3 (and 5) and checks what makes
// it survive a node's loss.
func TestHA(t *testing.T) {
	dir := t.TempDir()
	o := options(dir)
	o.Replicas, o.EtcdMembers = 3, 3
	res, err := Write(o)
	if err != nil {
		t.Fatal(err)
	}
	if !res.EtcdCertsCreated {
		t.Fatal("no etcd certificates were made")
	}
	base := render(t, dir, "base")
	objs, err := Decode([]byte(base))
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]map[string]any{}
	for _, obj := range objs {
		byName[obj.GetKind()+"/"+obj.GetName()] = obj.Object
	}
	get := func(key string, path ...string) any {
		var v any = byName[key]
		for _, p := range path {
			m, _ := v.(map[string]any)
			v = m[p]
		}
		return v
	}
	for key, want := range map[string]any{
		"Deployment/bees-apiserver-apiserver":          int64(3),
		"Deployment/bees-apiserver-controller-manager": int64(2),
		"StatefulSet/bees-apiserver-etcd":              int64(3),
	} {
		if got := get(key, "spec", "replicas"); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s replicas %v, want %v", key, got, want)
		}
	}
	for key, want := range map[string]string{
		"PodDisruptionBudget/bees-apiserver-apiserver":          "maxUnavailable 1",
		"PodDisruptionBudget/bees-apiserver-controller-manager": "maxUnavailable 1",
		"PodDisruptionBudget/bees-apiserver-etcd":               "minAvailable 2",
	} {
		field, value, _ := strings.Cut(want, " ")
		if got := get(key, "spec", field); got == nil || strings.TrimSpace(strings.Trim(toString(got), "\"")) != value {
			t.Errorf("%s spec.%s = %v, want %s", key, field, got, value)
		}
	}
	if get("StatefulSet/bees-apiserver-etcd", "spec", "podManagementPolicy") != "Parallel" ||
		get("Service/bees-apiserver-etcd", "spec", "publishNotReadyAddresses") != true {
		t.Error("the etcd members must start together and resolve each other before they are ready")
	}
	for _, want := range []string{
		"--initial-cluster=bees-apiserver-etcd-0=https://bees-apiserver-etcd-0.bees-apiserver-etcd.bees.svc:2380,bees-apiserver-etcd-1=https://bees-apiserver-etcd-1.bees-apiserver-etcd.bees.svc:2380,bees-apiserver-etcd-2=https://bees-apiserver-etcd-2.bees-apiserver-etcd.bees.svc:2380",
		"--client-cert-auth", "--peer-client-cert-auth", "--listen-peer-urls=https://0.0.0.0:2380",
		"--etcd-servers=https://bees-apiserver-etcd-0.bees-apiserver-etcd.bees.svc:2379,https://bees-apiserver-etcd-1.bees-apiserver-etcd.bees.svc:2379,https://bees-apiserver-etcd-2.bees-apiserver-etcd.bees.svc:2379",
		"--etcd-certfile=/var/run/etcd-client/tls.crt",
		"--shutdown-delay-duration=15s", "--shutdown-watch-termination-grace-period=10s", "terminationGracePeriodSeconds: 60",
		"topologyKey: topology.kubernetes.io/zone", "topologyKey: kubernetes.io/hostname",
		"podAntiAffinity:",
		"--leader-elect",
	} {
		if !strings.Contains(base, want) {
			t.Errorf("the rendered base lacks %q", want)
		}
	}
	// 429 with Retry-After: 5 during a rollout: clients wait 5 s (the node e2e measured it).
	if strings.Contains(base, "--shutdown-send-retry-after") {
		t.Error("the apiserver answers 429 Retry-After while it drains")
	}
	if strings.Contains(base, "http://bees-apiserver-etcd") {
		t.Error("etcd is reached over plain HTTP")
	}

	// The member certificate serves every member's name and is a peer
	// client too; the apiserver's is a client certificate of the same CA.
	certsDir := filepath.Join(dir, "config/base/certificates")
	ca, err := certs.Load(filepath.Join(certsDir, "etcd-ca.crt"), filepath.Join(certsDir, "etcd-ca.key"))
	if err != nil {
		t.Fatal(err)
	}
	server, err := certs.Load(filepath.Join(certsDir, "etcd-server.crt"), filepath.Join(certsDir, "etcd-server.key"))
	if err != nil {
		t.Fatal(err)
	}
	client, err := certs.Load(filepath.Join(certsDir, "etcd-client.crt"), filepath.Join(certsDir, "etcd-client.key"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	for i := range 3 {
		host := fmt.Sprintf("bees-apiserver-etcd-%d.bees-apiserver-etcd.bees.svc", i)
		if _, err := server.Cert.Verify(x509.VerifyOptions{DNSName: host, Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
			t.Errorf("member certificate for %s: %v", host, err)
		}
	}
	for name, c := range map[string]*certs.KeyPair{"member": server, "apiserver": client} {
		if _, err := c.Cert.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
			t.Errorf("%s client certificate: %v", name, err)
		}
	}
	// Reused: a second run changes nothing.
	res, err = Write(o)
	if err != nil || res.EtcdCertsCreated || scaffold.Pending(res.Changes) {
		t.Errorf("a second run: %v, created %t, changes pending %t", err, res.EtcdCertsCreated, scaffold.Pending(res.Changes))
	}

	ext := render(t, dir, "overlays/external-etcd")
	for _, gone := range []string{"kind: StatefulSet", "name: bees-apiserver-etcd\n", "name: bees-apiserver-etcd-tls", "name: bees-apiserver-etcd-client\n"} {
		if strings.Contains(ext, gone) {
			t.Errorf("the external-etcd overlay still has %q", gone)
		}
	}
	for _, want := range []string{"name: bees-apiserver-external-etcd-ca", "name: bees-apiserver-external-etcd-client", "--etcd-servers=https://etcd.example.com:2379", "--etcd-cafile=/var/run/etcd-client/ca.crt"} {
		if !strings.Contains(ext, want) {
			t.Errorf("the external-etcd overlay lacks %q", want)
		}
	}

	o.EtcdMembers = 5
	if _, err := Write(o); err != nil {
		t.Fatal(err)
	}
	if five := render(t, dir, "base"); !strings.Contains(five, "minAvailable: 3") || !strings.Contains(five, "bees-apiserver-etcd-4=https://") {
		t.Error("5 members: want a quorum of 3 in the budget and member 4 in the initial cluster")
	}
}

func toString(v any) string { return fmt.Sprint(v) }

// TestExternalEtcdServersCannotInjectPatchOperations: a quote in
// --external-etcd-servers stays inside the argument's value (it used to be
// formatted into the JSON patch, where it could add operations).
func TestExternalEtcdServersCannotInjectPatchOperations(t *testing.T) {
	dir := t.TempDir()
	o := options(dir)
	o.ExternalEtcdServers = `https://etcd:2379"}, {"op": "remove", "path": "/spec/template/spec/securityContext`
	if _, err := Write(o); err != nil {
		t.Fatal(err)
	}
	ext := render(t, dir, "overlays/external-etcd")
	if !strings.Contains(ext, "runAsNonRoot: true") {
		t.Errorf("the injected operation removed the pod's securityContext:\n%s", ext)
	}
	if !strings.Contains(ext, `{"op": "remove"`) {
		t.Errorf("the servers' text was not kept whole in the argument:\n%s", ext)
	}
}

// TestSecretsIgnoredWhereverTheLayoutIs: the layout's own .gitignore keeps
// its private keys and DSN out of git in any --output-dir.
func TestSecretsIgnoredWhereverTheLayoutIs(t *testing.T) {
	dir := t.TempDir()
	o := options(dir)
	o.OutputDir = "deploy/prod"
	if _, err := Write(o); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("git", "init", "-q", dir).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	keys, _ := filepath.Glob(filepath.Join(dir, "deploy/prod/base/certificates/*.key"))
	if len(keys) == 0 {
		t.Fatal("no keys were written")
	}
	for _, f := range append(keys, filepath.Join(dir, "deploy/prod/base/certificates/tls.crt")) {
		rel, _ := filepath.Rel(dir, f)
		err := exec.Command("git", "-C", dir, "check-ignore", "-q", rel).Run()
		if ignored := err == nil; ignored != strings.HasSuffix(f, ".key") {
			t.Errorf("%s: ignored by git %v", rel, ignored)
		}
	}
}
