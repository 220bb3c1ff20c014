package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"go/format"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// The declarative validation fixture: fields with +k8s: tags as a user writes
// them (fourteen tags with the scaffold's maxLength), added to kinds of group
// insect v1alpha1 before the project is built.
const (
	taggedVersionedFields = `	// Priority orders the work; 1 comes first.
	// +optional
	// +k8s:minimum=1
	// +k8s:maximum=10
	Priority int32 ` + "`json:\"priority,omitempty\"`" + `
	// Nickname is what the keeper calls it.
	// +optional
	// +k8s:minLength=3
	// +k8s:maxBytes=12
	Nickname string ` + "`json:\"nickname,omitempty\"`" + `
	// Keeper is the beekeeper's name.
	// +optional
	// +k8s:format=k8s-short-name
	Keeper string ` + "`json:\"keeper,omitempty\"`" + `
	// Caste is its role.
	// +optional
	Caste Caste ` + "`json:\"caste,omitempty\"`" + `
	// Flowers it visits.
	// +optional
	// +k8s:listType=set
	// +k8s:minItems=2
	// +k8s:maxItems=3
	// +k8s:eachVal=+k8s:minLength=2
	Flowers []string ` + "`json:\"flowers,omitempty\"`" + `
	// Origin is where it hatched.
	// +optional
	// +k8s:immutable
	Origin string ` + "`json:\"origin,omitempty\"`" + `
	// Colony, once set, cannot be cleared.
	// +optional
	// +k8s:update=NoUnset
	Colony string ` + "`json:\"colony,omitempty\"`" + `
`
	taggedInternalFields = "\tPriority int32\n\tNickname string\n\tKeeper string\n\tCaste Caste\n\tFlowers []string\n\tOrigin string\n\tColony string\n"
	casteVersioned       = `package v1alpha1

// Caste is a bee's role in the colony.
// +k8s:enum
type Caste string

// The castes.
const (
	CasteWorker Caste = "Worker"
	CasteDrone  Caste = "Drone"
	CasteQueen  Caste = "Queen"
)
`
	casteInternal = "package insect\n\n// Caste is a bee's role in the colony.\ntype Caste string\n"
)

// addTaggedFields puts the fixture's fields into the kinds' specs.
func addTaggedFields(t *testing.T, dir string, stems ...string) {
	t.Helper()
	writeFile(t, filepath.Join(dir, "pkg/apis/insect/v1alpha1/caste.go"), casteVersioned)
	writeFile(t, filepath.Join(dir, "pkg/apis/insect/caste.go"), casteInternal)
	for _, stem := range stems {
		for file, fields := range map[string]string{
			"pkg/apis/insect/v1alpha1/" + stem + "_types.go": taggedVersionedFields,
			"pkg/apis/insect/" + stem + "_types.go":          taggedInternalFields,
		} {
			path := filepath.Join(dir, file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			marker := "Spec struct {\n"
			if !bytes.Contains(data, []byte(marker)) {
				t.Fatalf("%s has no %q", file, marker)
			}
			// As the user's editor would, gofmt'd.
			formatted, err := format.Source([]byte(strings.Replace(string(data), marker, marker+fields, 1)))
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, path, string(formatted))
		}
	}
}

// declarativeValidation drives the tags of the fixture through real kubectl:
// every rule broken at once with kube-apiserver's messages, a valid object
// accepted, the update rules, and (with etcd, where an object breaking a rule
// can be stored behind the server's back) ratcheting.
func declarativeValidation(t *testing.T, kubeconfig string, r resourceUnderTest, etcdURL string) {
	requireTool(t, "kubectl", "the +k8s: tags are enforced for kubectl")
	ns := "dv-" + r.plural // the standalone server serves no namespaces: any name works
	manifest := func(name, spec string) string {
		path := filepath.Join(t.TempDir(), name+".yaml")
		writeFile(t, path, "apiVersion: "+r.group+"/"+r.version+"\nkind: "+r.kind+"\nmetadata:\n  name: "+name+"\n  namespace: "+ns+"\nspec:\n"+spec)
		return path
	}
	ctx := context.Background()
	refused := func(what string, args []string, want ...string) {
		t.Helper()
		out, err := kubectl(ctx, kubeconfig, args...)
		if err == nil {
			t.Errorf("%s was accepted:\n%s", what, out)
			return
		}
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: kubectl does not say %q:\n%s", what, w, out)
			}
		}
	}

	valid := "  priority: 3\n  nickname: buzzy\n  keeper: ann\n  caste: Worker\n  flowers: [rose, tulip]\n  origin: meadow\n  colony: north\n  description: valid\n"
	mustKubectl(t, kubeconfig, "create", "-f", manifest("valid", valid))

	refused("an object breaking every rule", []string{"create", "-f", manifest("invalid",
		"  priority: -3\n  nickname: ab\n  keeper: Bad_Name\n  caste: King\n  flowers: [rose, tulip, lily, daisy]\n  description: "+strings.Repeat("x", 257)+"\n")},
		"spec.priority: Invalid value: -3: must be greater than or equal to 1",
		"spec.nickname: Too short: must be at least 3 characters",
		`spec.keeper: Invalid value: "Bad_Name": a lowercase RFC 1123 label must consist of lower case alphanumeric characters`,
		`spec.caste: Unsupported value: "King": supported values: "Drone", "Queen", "Worker"`,
		"spec.flowers: Too many: 4: must have at most 3 items",
		"spec.description: Too long: may not be more than 256 characters")
	// Too many items stops the list's other checks (as in kube-apiserver):
	// the items' rules, on a list of three.
	refused("too high a priority, too long a nickname, a flower twice and one too short", []string{"create", "-f", manifest("invalid2",
		"  priority: 11\n  nickname: abcdefghijklm\n  flowers: [rose, rose, a]\n")},
		"spec.priority: Invalid value: 11: must be less than or equal to 10",
		"spec.nickname: Too long: may not be more than 12 bytes",
		`spec.flowers[1]: Duplicate value: "rose"`,
		"spec.flowers[2]: Too short: must be at least 2 characters")

	// minItems: an empty optional list is unset (which +optional lets
	// pass), so the fixture asks for two and one is refused.
	refused("a single flower", []string{"create", "-f", manifest("invalid3", "  flowers: [rose]\n")},
		"spec.flowers: Too few: 1: must have at least 2 items")

	// Update rules.
	refused("a change of the immutable origin", []string{"-n", ns, "patch", r.plural, "valid", "--type", "merge", "-p", `{"spec":{"origin":"forest"}}`},
		"spec.origin: Invalid value: ", "field is immutable")
	refused("clearing the colony", []string{"-n", ns, "patch", r.plural, "valid", "--type", "json", "-p", `[{"op":"remove","path":"/spec/colony"}]`},
		"spec.colony: Invalid value: ", "field cannot be cleared once set")
	mustKubectl(t, kubeconfig, "-n", ns, "patch", r.plural, "valid", "--type", "merge", "-p", `{"spec":{"priority":4,"colony":"south"}}`)

	if etcdURL == "" {
		return
	}
	// Ratcheting: an object stored before a rule (here: priority 50, over the
	// maximum) can still be updated elsewhere; changing that field must meet it.
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{etcdURL}, DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	keys, err := cli.Get(ctx, "/", clientv3.WithPrefix(), clientv3.WithKeysOnly())
	if err != nil {
		t.Fatal(err)
	}
	var key string
	for _, kv := range keys.Kvs {
		if strings.HasSuffix(string(kv.Key), "/"+r.plural+"/"+ns+"/valid") {
			key = string(kv.Key)
		}
	}
	if key == "" {
		t.Fatalf("no etcd key for %s/%s/valid", r.plural, ns)
	}
	// The server stores protobuf; the object is written back as JSON, as an
	// earlier release would have stored it (the server reads both).
	var stored map[string]any
	if err := json.Unmarshal([]byte(mustKubectl(t, kubeconfig, "-n", ns, "get", r.plural+"."+r.version+"."+r.group, "valid", "-o", "json")), &stored); err != nil {
		t.Fatal(err)
	}
	delete(stored["metadata"].(map[string]any), "resourceVersion")
	stored["spec"].(map[string]any)["priority"] = 50
	raw, _ := json.Marshal(stored)
	if _, err := cli.Put(ctx, key, string(raw)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, func() bool {
		out, _ := kubectl(ctx, kubeconfig, "-n", ns, "get", r.plural, "valid", "-o", "jsonpath={.spec.priority}")
		return out == "50"
	}, func() string { return "the server never saw priority 50" })
	mustKubectl(t, kubeconfig, "-n", ns, "label", r.plural, "valid", "team=a")
	refused("a change of the out-of-range priority", []string{"-n", ns, "patch", r.plural, "valid", "--type", "merge", "-p", `{"spec":{"priority":60}}`},
		"spec.priority: Invalid value: 60: must be less than or equal to 10")
}
