package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// nameCase is one create command of the awkward-names table: it either works
// (and the kind is then built and served) or is refused in one line that
// contains refused, with the tree unchanged.
type nameCase struct {
	args    []string
	refused string
	// For kinds that work: what kubectl calls them.
	plural, group string
}

func kindCase(group, kind string, extra ...string) nameCase {
	return nameCase{args: append([]string{"create", "group", "version", "resource", "--group", group, "--version", "v1", "--kind", kind, "--skip-go-mod-tidy"}, extra...)}
}

func refusedCase(want string, args ...string) nameCase {
	return nameCase{args: args, refused: want}
}

// long is a 60-character kind: its plural is still a valid resource name.
const long = "AVeryLongKindNameThatKeepsGoingAndGoingUntilItIsSixtyCharsXy"

// TestAwkwardNamesAndVariants is the names proof of the real-API issue and the
// variants proof of the test-honesty issue, in one project: kinds named like
// Go keywords, predeclared identifiers and packages the generated code
// imports, groups named like imported packages and versions, irregular
// plurals, digits, long names — each builds and serves, or is refused in one
// line with the tree unchanged. The same project holds every variant the tool
// emits (without status, without controller, cluster-scoped, two versions, a
// group without kinds),
// and its own go vet and gofmt pass, with go test on the variants.
func TestAwkwardNamesAndVariants(t *testing.T) {
	sideBySide(t)
	bin := buildCLI(t)
	dir := initProject(t, bin, "awkward")

	works := []nameCase{
		kindCase("net", "Router"),
		// Predeclared identifiers.
		kindCase("core", "String"), kindCase("core", "Error"), kindCase("core", "Any"), kindCase("core", "Len"),
		// Names of packages the generated code imports, as kinds and as groups.
		kindCase("runtime", "Runtime"), kindCase("runtime", "Field"), kindCase("runtime", "Label"), kindCase("runtime", "Context"),
		kindCase("func", "Scheme"), kindCase("func", "Strategy"), kindCase("func", "Storage"), kindCase("func", "Validation"),
		kindCase("meta", "Install"), kindCase("meta", "Rest"),
		// A group named like a version, one like a predeclared type; irregular plurals and digits.
		kindCase("v1", "Person"), kindCase("v1", "Mouse"), kindCase("v1", "Index"), kindCase("v1", "Ec2Instance"),
		kindCase("string", "DNSRecord"), kindCase("string", "V1Thing"),
		// The variants: cluster-scoped, without status, without controller, custom storage, a long name, a hyphenated group.
		kindCase("bee-keeping", "Hive", "--non-namespaced"),
		kindCase("bee-keeping", "Cell", "--with-status-subresource=false"),
		kindCase("bee-keeping", "Comb", "--controller=false", "--with-status-subresource=false", "--non-namespaced"),
		// Custom storage, cluster-scoped: its tests run the REST Tester in cluster scope.
		kindCase("bee-keeping", "Apiary", "--storage", "custom", "--non-namespaced"),
		kindCase("apps", long),
	}
	refused := []nameCase{
		refusedCase("cannot start with a digit", "create", "group", "--group", "3d"),
		refusedCase("invalid group \"Insect\"", "create", "group", "--group", "Insect"),
		refusedCase("invalid version \"v1.0\"", "create", "group", "version", "--group", "net", "--version", "v1.0"),
		refusedCase("every API package declares Kind", kindCase("net", "Kind").args...),
		refusedCase("every API package declares Resource", kindCase("net", "Resource").args...),
		refusedCase("every API package declares SchemeGroupVersion", kindCase("net", "SchemeGroupVersion").args...),
		refusedCase("reserved for the list type", kindCase("net", "RouteList").args...),
		refusedCase("reserved by Kubernetes", kindCase("net", "Status").args...),
		refusedCase("must be UpperCamelCase", kindCase("net", "bridge").args...),
		refusedCase("must be UpperCamelCase", kindCase("net", "Fire_Wall").args...),
		refusedCase("would clash with the Go types of kind Router", kindCase("net", "RouterSpec").args...),
		refusedCase("already exists in group net.example.com", kindCase("net", "Router").args...),
		refusedCase("kind names must be unique in a project", kindCase("core", "Router").args...),
		// Kinds whose lower-case form is a Go keyword: client-gen names variables after them.
		refusedCase(`"switch" is a Go keyword`, kindCase("net", "Switch").args...),
		refusedCase(`"type" is a Go keyword`, kindCase("net", "Type").args...),
		refusedCase(`"func" is a Go keyword`, kindCase("net", "Func").args...),
		refusedCase(`"map" is a Go keyword`, kindCase("net", "Map").args...),
		refusedCase(`"default" is a Go keyword`, kindCase("net", "Default").args...),
		refusedCase(`"select" is a Go keyword`, kindCase("net", "Select").args...),
		refusedCase(`"go" is a Go keyword`, kindCase("net", "Go").args...),
		refusedCase(`"interface" is a Go keyword`, kindCase("net", "Interface").args...),
		refusedCase("must be no more than 63 characters", kindCase("apps", long+"Abc").args...),
		refusedCase("the plural must differ from the singular", kindCase("apps", "Sheep").args...),
	}
	for _, c := range works {
		boot(t, bin, dir, c.args...)
	}
	for _, c := range refused {
		before := treeHash(t, dir)
		cmd := exec.Command(bin, c.args...)
		cmd.Dir = dir
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		msg := strings.TrimSpace(stderr.String())
		switch {
		case err == nil:
			t.Errorf("apiserver-boot %s: accepted, want refused with %q", strings.Join(c.args, " "), c.refused)
		case strings.Count(msg, "\n") != 0 || !strings.Contains(msg, c.refused):
			t.Errorf("apiserver-boot %s: %q, want one line containing %q", strings.Join(c.args, " "), msg, c.refused)
		case treeHash(t, dir) != before:
			t.Errorf("apiserver-boot %s changed the tree although it was refused", strings.Join(c.args, " "))
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	// A second version of a group: every kind is copied to it. And a group
	// with a version but no kind yet: the project must still build.
	boot(t, bin, dir, "create", "version", "--group", "bee-keeping", "--version", "v2")
	boot(t, bin, dir, "create", "group", "version", "--group", "pond", "--version", "v1")
	tidy := exec.Command("go", "mod", "tidy", "-e")
	tidy.Dir = dir
	if out, err := tidy.CombinedOutput(); err != nil {
		t.Fatalf("go mod tidy: %v\n%s", err, out)
	}
	boot(t, bin, dir, "build", "executables")

	// go vet type-checks every package and test; go test runs those of the
	// variants (bee-keeping: two versions, custom storage, cluster-scoped,
	// without status or controller), of a group named like an imported
	// package (runtime) and of the irregular plurals (group v1). The other
	// kinds' tests are the same templates under other names: vet checks
	// them, and kubectl below serves each kind. (Each test binary links the
	// Kubernetes libraries: running all of them cost minutes of CI.)
	t.Run("project tests", func(t *testing.T) {
		projectTests(t, dir, "./pkg/apis/beekeeping/...", "./pkg/apis/runtimeapi/...", "./pkg/cmd/...",
			"./pkg/registry/beekeeping/...", "./pkg/controller/beekeeping/...", "./pkg/registry/v1api/...")
	})

	requireTool(t, "kubectl", "every awkwardly named kind is served to kubectl")
	kubeconfig := startStandalone(t, dir, startEtcd(t))
	for _, c := range works {
		kind := c.args[slicesIndex(c.args, "--kind")+1]
		stem := strings.ToLower(kind)
		sample := filepath.Join(dir, "sample", stem+".yaml")
		mustKubectl(t, kubeconfig, "create", "-f", sample)
		out := mustKubectl(t, kubeconfig, "get", "-f", sample, "-o", "jsonpath={.kind} {.metadata.name} {.spec.replicas}")
		if out != kind+" "+stem+"-sample 1" {
			t.Errorf("kubectl get of the %s sample: %q", kind, out)
		}
		resource := strings.ToLower(mustKubectl(t, kubeconfig, "api-resources", "--api-group", groupOf(c)+".example.com", "--no-headers", "-o", "name"))
		if !strings.Contains(resource, ".") {
			t.Errorf("no resource of group %s: %q", groupOf(c), resource)
		}
		mustKubectl(t, kubeconfig, "delete", "-f", sample)
	}
	out := mustKubectl(t, kubeconfig, "explain", "people.spec.replicas")
	if !strings.Contains(out, "Replicas is the desired number") {
		t.Errorf("explain people.spec.replicas:\n%s", out)
	}
	if out := mustKubectl(t, kubeconfig, "get", "hives.v2.bee-keeping.example.com", "-o", "name"); out != "" {
		t.Errorf("hives in v2 after deleting the sample: %q", out)
	}
}

func groupOf(c nameCase) string { return c.args[slicesIndex(c.args, "--group")+1] }

func slicesIndex(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

// treeHash identifies every file's path and content under dir.
func treeHash(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		h.Write([]byte(rel + "\n"))
		if !d.IsDir() {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			h.Write(data)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}
