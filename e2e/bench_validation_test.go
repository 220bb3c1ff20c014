package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/apiserver-boot/apiserver-boot/internal/benchload"
)

// handWrittenRules turns a fresh project's Bee back to how releases before
// the tags validated it: no +k8s: tags, no declarative validation in the
// strategy, the same four rules in Go in validation.go.
func handWrittenRules(t testing.TB, dir string) {
	t.Helper()
	edit := func(rel string, pairs ...string) {
		path := filepath.Join(dir, rel)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		s := string(data)
		for i := 0; i < len(pairs); i += 2 {
			if !strings.Contains(s, pairs[i]) {
				t.Fatalf("%s has no %q", rel, pairs[i])
			}
			s = strings.Replace(s, pairs[i], pairs[i+1], 1)
		}
		writeFile(t, path, s)
	}
	edit("pkg/apis/insect/v1alpha1/doc.go", "// +k8s:validation-gen=TypesWithField=TypeMeta\n", "")
	edit("pkg/apis/insect/v1alpha1/bee_types.go", "\t// +k8s:minimum=0\n", "", "\t// +k8s:maxLength=256\n", "",
		"\t// +k8s:format=k8s-short-name\n", "", "// +k8s:enum\n", "")
	edit("pkg/registry/insect/bee/strategy.go", "\trest.DeclarativeValidation\n", "", "\t\"k8s.io/apiserver/pkg/registry/rest\"\n", "",
		", DeclarativeValidation: rest.DeclarativeValidation{Scheme: scheme}", "")
	edit("pkg/registry/insect/bee/status.go", "\t\"k8s.io/apimachinery/pkg/api/operation\"\n", "",
		"func (s statusStrategy) ValidateDeclaratively(ctx context.Context, obj, old runtime.Object, errs field.ErrorList, op operation.Type, config rest.DeclarativeValidationConfig) field.ErrorList {\n\treturn s.strategy.ValidateDeclaratively(asMainResource(ctx), obj, old, errs, op, config)\n}\n", "")
	edit("pkg/apis/insect/validation/bee.go",
		"\tvar allErrs field.ErrorList\n\treturn allErrs\n",
		"\tvar allErrs field.ErrorList\n"+
			"\tif spec.Replicas != nil && *spec.Replicas < 0 {\n\t\tallErrs = append(allErrs, field.Invalid(fldPath.Child(\"replicas\"), *spec.Replicas, \"must be greater than or equal to 0\"))\n\t}\n"+
			"\tif len(spec.Description) > 256 {\n\t\tallErrs = append(allErrs, field.TooLong(fldPath.Child(\"description\"), spec.Description, 256))\n\t}\n"+
			"\tswitch spec.UpdatePolicy {\n\tcase \"\", \"Recreate\", \"RollingUpdate\":\n\tdefault:\n"+
			"\t\tallErrs = append(allErrs, field.NotSupported(fldPath.Child(\"updatePolicy\"), spec.UpdatePolicy, []string{\"Recreate\", \"RollingUpdate\"}))\n\t}\n"+
			"\tif spec.Owner != \"\" {\n\t\tfor _, msg := range apimachineryvalidation.NameIsDNSLabel(spec.Owner, false) {\n"+
			"\t\t\tallErrs = append(allErrs, field.Invalid(fldPath.Child(\"owner\"), spec.Owner, msg))\n\t\t}\n\t}\n"+
			"\treturn allErrs\n")
}

// BenchmarkDeclarativeValidation compares create throughput and latency of
// the scaffold's Bee validated by its four +k8s: tags with the same Bee
// validated by the same four rules written in Go and no declarative
// validation (as releases before the tags did), each a standalone server on
// its own embedded etcd. Two rounds, the order swapped
// in the second; bench/validation.sh runs it and prints the ratios.
func BenchmarkDeclarativeValidation(b *testing.B) {
	bin, tagged := newProject(b, createKind("Bee"))
	_, handWritten := newProject(b, createKind("Bee"))
	handWrittenRules(b, handWritten)
	for _, dir := range []string{tagged, handWritten} {
		boot(b, bin, dir, "build", "executables")
	}
	gvr := schema.GroupVersionResource{Group: "insect.example.com", Version: "v1alpha1", Resource: "bees"}
	target := func(name, dir string) benchload.Target {
		srv := startServer(b, dir, "--etcd-servers", startEtcd(b))
		cfg, err := clientcmd.BuildConfigFromFlags("", srv.kubeconfig)
		if err != nil {
			b.Fatal(err)
		}
		cfg.QPS, cfg.Burst = -1, 0
		cfg.WarningHandler = rest.NoWarnings{}
		dyn, err := dynamic.NewForConfig(cfg)
		if err != nil {
			b.Fatal(err)
		}
		watch, err := benchload.RawWatch(cfg, gvr, metav1.NamespaceDefault)
		if err != nil {
			b.Fatal(err)
		}
		// A warm-up in another namespace, so that neither server is measured cold.
		warm := dyn.Resource(gvr).Namespace("warm-up")
		for i := range 500 {
			obj := &unstructured.Unstructured{Object: map[string]any{
				"apiVersion": "insect.example.com/v1alpha1", "kind": "Bee",
				"metadata": map[string]any{"name": fmt.Sprintf("warm-%d", i)},
				"spec":     map[string]any{"replicas": int64(1)},
			}}
			if _, err := warm.Create(context.Background(), obj, metav1.CreateOptions{}); err != nil {
				b.Fatal(err)
			}
		}
		return benchload.Target{Name: name, Res: dyn.Resource(gvr).Namespace(metav1.NamespaceDefault), Watch: watch, Object: func(i int) *unstructured.Unstructured {
			return &unstructured.Unstructured{Object: map[string]any{
				"apiVersion": "insect.example.com/v1alpha1", "kind": "Bee",
				"metadata": map[string]any{"name": fmt.Sprintf("bee-%d", i)},
				"spec":     map[string]any{"replicas": int64(1), "description": fmt.Sprintf("bee number %d", i)},
			}}
		}}
	}
	// The CPU each create spends in the strategy, with and without the
	// declarative step: finer than the servers' throughput can resolve.
	writeFile(b, filepath.Join(tagged, "pkg/registry/insect/bee/cost_bench_test.go"), strategyCostBenchmark)
	cost := exec.Command("go", "test", "-run", "^$", "-bench", "BeforeCreate", "-benchmem", "-count", "3", "./pkg/registry/insect/bee/")
	cost.Dir = tagged
	out, err := cost.CombinedOutput()
	if err != nil {
		b.Fatalf("the strategy's benchmark: %v\n%s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "BenchmarkBeforeCreate") {
			fmt.Println(line)
		}
	}
	for b.Loop() {
		fmt.Printf("machine: %d cores; 500 creates to warm up, then 2000 creates by 16 workers per server, standalone on embedded etcd\n", numCPU())
		var ratios []string
		for round := range 2 {
			order := [][2]string{{"tags", tagged}, {"hand-written", handWritten}}
			if round == 1 {
				order[0], order[1] = order[1], order[0]
			}
			figures := map[string]benchload.Figures{}
			for _, o := range order {
				f, err := benchload.Measure(context.Background(), target(o[0], o[1]),
					benchload.Options{Creates: 2000, Total: 2000, Watchers: 1, Events: 1, SettleFor: 2 * time.Second})
				if err != nil {
					b.Fatal(err)
				}
				fmt.Printf("round %d %-13s creates/s %6.0f  p50 %5.1f ms  p99 %5.1f ms\n", round+1, o[0], f.Throughput, f.P50, f.P99)
				figures[o[0]] = f
			}
			tags, hand := figures["tags"], figures["hand-written"]
			ratios = append(ratios, fmt.Sprintf("create-throughput %.2f p99 %.2f", tags.Throughput/hand.Throughput, tags.P99/hand.P99))
		}
		fmt.Printf("ratios tags vs hand-written: %s\n", strings.Join(ratios, " | "))
	}
}

// strategyCostBenchmark times rest.BeforeCreate of a Bee through the
// scaffold's strategy, and through the same strategy without its declarative
// step (the interface that opts in hidden behind a plain wrapper).
const strategyCostBenchmark = `package bee

import (
	"testing"

	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/utils/ptr"
)

func BenchmarkBeforeCreate(b *testing.B) {
	s := newTestStrategy()
	type withoutDeclarative struct{ rest.RESTCreateStrategy }
	for name, st := range map[string]rest.RESTCreateStrategy{"tags": s, "without-declarative": withoutDeclarative{s}} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				obj := newBee()
				obj.Spec.Replicas = ptr.To[int32](2)
				rest.FillObjectMetaSystemFields(obj)
				if err := rest.BeforeCreate(st, requestContext(), obj); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
`
