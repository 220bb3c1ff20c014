package manifests

import (
	"fmt"
	"slices"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/apiserver-boot/apiserver-boot/internal/model"
)

// TestHostNetwork: with a host port the apiserver's pod is on its node's
// network, listens on that port of the node's address only, still resolves
// cluster names, rolls one node at a time, and the Service follows the
// port; the namespace enforces the privileged standard, which host
// namespaces need. Without it, none of that.
func TestHostNetwork(t *testing.T) {
	for _, tc := range []struct {
		name     string
		hostPort int32
		backend  string
	}{{"pod network", 0, model.BackendEtcd}, {"host network", 4443, model.BackendEtcd}, {"host network with a DSN", 9443, model.BackendPostgres}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			o := options(dir)
			o.Replicas, o.EtcdMembers, o.HostPort, o.Backend = 2, 1, tc.hostPort, tc.backend
			if tc.backend == model.BackendPostgres {
				o.BackendDSN = "postgres://u:p@db:5432/bees"
			}
			if _, err := Write(o); err != nil {
				t.Fatal(err)
			}
			objs, err := Decode([]byte(render(t, dir, "base")))
			if err != nil {
				t.Fatal(err)
			}
			var dep appsv1.Deployment
			var svc corev1.Service
			var ns corev1.Namespace
			for _, obj := range objs {
				var into any
				switch obj.GetKind() + "/" + obj.GetName() {
				case "Deployment/bees-apiserver-apiserver":
					into = &dep
				case "Service/bees-apiserver":
					into = &svc
				case "Namespace/bees":
					into = &ns
				default:
					continue
				}
				if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, into); err != nil {
					t.Fatal(err)
				}
			}
			pod, c := dep.Spec.Template.Spec, dep.Spec.Template.Spec.Containers[0]
			port := tc.hostPort
			if port == 0 {
				port = securePort
			}
			if got := c.Ports[0].ContainerPort; got != port || svc.Spec.Ports[0].TargetPort.IntVal != port {
				t.Fatalf("container port %d, Service targetPort %v, want %d", got, svc.Spec.Ports[0].TargetPort, port)
			}
			if !slices.Contains(c.Args, "--secure-port="+itoa(port)) {
				t.Fatalf("args %v, want --secure-port=%d", c.Args, port)
			}
			onHost := tc.hostPort != 0
			bound := slices.Contains(c.Args, "--bind-address=$(POD_IP)")
			hasPodIP := slices.ContainsFunc(c.Env, func(e corev1.EnvVar) bool {
				return e.Name == "POD_IP" && e.ValueFrom != nil && e.ValueFrom.FieldRef != nil && e.ValueFrom.FieldRef.FieldPath == "status.podIP"
			})
			if pod.HostNetwork != onHost || bound != onHost || hasPodIP != onHost || (pod.DNSPolicy == corev1.DNSClusterFirstWithHostNet) != onHost {
				t.Fatalf("hostNetwork %v, --bind-address=$(POD_IP) %v, POD_IP %v, dnsPolicy %q; want all on the node's network: %v", pod.HostNetwork, bound, hasPodIP, pod.DNSPolicy, onHost)
			}
			if tc.backend == model.BackendPostgres && !slices.ContainsFunc(c.Env, func(e corev1.EnvVar) bool { return e.Name == "STORAGE_DSN" }) {
				t.Fatal("the DSN's variable is gone")
			}
			surge := dep.Spec.Strategy.RollingUpdate != nil && dep.Spec.Strategy.RollingUpdate.MaxSurge != nil && dep.Spec.Strategy.RollingUpdate.MaxSurge.IntVal == 0
			if surge != onHost {
				t.Fatalf("strategy %+v: a replica on the node's port must go before its successor starts", dep.Spec.Strategy)
			}
			enforce := ns.Labels["pod-security.kubernetes.io/enforce"]
			if want := map[bool]string{true: "privileged", false: "restricted"}[onHost]; enforce != want || ns.Labels["pod-security.kubernetes.io/warn"] != "restricted" {
				t.Fatalf("namespace labels %v, want enforce=%s and warn=restricted", ns.Labels, want)
			}
		})
	}
}

func itoa(i int32) string { return fmt.Sprint(i) }
