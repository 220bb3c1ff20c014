package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// aggregatedAdmission: a server registered into a cluster runs the generic
// admission plugins (which read the cluster's namespaces, policies and
// webhooks) and its own, on requests kube-apiserver proxies.
func aggregatedAdmission(t *testing.T, admin string) {
	bee := func(name, namespace, spec string) string {
		path := filepath.Join(t.TempDir(), name+".yaml")
		writeFile(t, path, fmt.Sprintf("apiVersion: insect.example.com/v1alpha1\nkind: Bee\nmetadata:\n  name: %s\n  namespace: %s\nspec:\n%s", name, namespace, spec))
		return path
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	mustKubectl(t, admin, "create", "-f", bee("dup-a", "default", "  description: twin\n"))
	out, err := kubectl(ctx, admin, "create", "-f", bee("dup-b", "default", "  description: twin\n"))
	if err == nil || !strings.Contains(out, `bees.insect.example.com "dup-b" is forbidden: spec.description "twin" is already used by bee dup-a`) {
		t.Fatalf("BanDuplicates did not refuse through the aggregator (err %v):\n%s", err, out)
	}
	// NamespaceLifecycle: no objects in a namespace that does not exist.
	out, err = kubectl(ctx, admin, "create", "-f", bee("lost", "no-such-namespace", "  description: lost\n"))
	if err == nil || !strings.Contains(out, `namespaces "no-such-namespace" not found`) {
		t.Fatalf("NamespaceLifecycle did not refuse (err %v):\n%s", err, out)
	}
	// A ValidatingAdmissionPolicy of the cluster applies to this server's kind.
	policy := filepath.Join(t.TempDir(), "policy.yaml")
	writeFile(t, policy, `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: few-bees
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups: ["insect.example.com"]
      apiVersions: ["*"]
      operations: ["CREATE", "UPDATE"]
      resources: ["bees"]
  validations:
  - expression: "!has(object.spec.replicas) || object.spec.replicas <= 5"
    message: "at most 5 replicas"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: few-bees
spec:
  policyName: few-bees
  validationActions: ["Deny"]
`)
	mustKubectl(t, admin, "apply", "--server-side", "-f", policy)
	// The server's policy informer sees the policy within a few seconds.
	var last string
	waitFor(t, time.Minute, func() bool {
		name := fmt.Sprintf("many-%d", time.Now().UnixNano())
		last, err = kubectl(ctx, admin, "create", "-f", bee(name, "default", "  replicas: 9\n"))
		return err != nil && strings.Contains(last, "at most 5 replicas")
	}, func() string { return "the ValidatingAdmissionPolicy was not enforced:\n" + last })
	mustKubectl(t, admin, "create", "-f", bee("few", "default", "  replicas: 3\n"))
	mustKubectl(t, admin, "delete", "-f", policy)

	// The cluster's webhooks too: a mutating one's label is on the bee, a
	// validating one's refusal comes back through kube-apiserver.
	hooks, caPEM := admissionWebhooks(t)
	config := webhookConfigurations(t, hooks.URL, caPEM)
	mustKubectl(t, admin, "apply", "--server-side", "-f", config)
	defer mustKubectl(t, admin, "delete", "-f", config)
	waitFor(t, time.Minute, func() bool {
		name := fmt.Sprintf("wasp-%d", time.Now().UnixNano())
		last, err = kubectl(ctx, admin, "create", "-f", bee(name, "default", "  description: wasp\n"))
		return err != nil && strings.Contains(last, "the cluster's webhook refuses wasps")
	}, func() string { return "the validating webhook was not called:\n" + last })
	mustKubectl(t, admin, "create", "-f", bee("labelled", "default", "  description: honey\n"))
	if got := mustKubectl(t, admin, "get", "bee", "labelled", "-o", "jsonpath={.metadata.labels.mutated-by}"); got != "cluster-webhook" {
		t.Fatalf("the mutating webhook's label is missing: %q", got)
	}
}

// admissionWebhooks serves a cluster's admission webhooks for bees, on
// loopback over TLS: /mutate labels every bee mutated-by=cluster-webhook,
// /validate refuses a bee whose description is "wasp".
func admissionWebhooks(t *testing.T) (server *httptest.Server, caPEM []byte) {
	t.Helper()
	review := func(w http.ResponseWriter, r *http.Request, decide func(bee *unstructured.Unstructured, resp *admissionv1.AdmissionResponse)) {
		var in admissionv1.AdmissionReview
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Request == nil {
			http.Error(w, fmt.Sprintf("not an AdmissionReview: %v", err), http.StatusBadRequest)
			return
		}
		bee := &unstructured.Unstructured{}
		if err := bee.UnmarshalJSON(in.Request.Object.Raw); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		resp := &admissionv1.AdmissionResponse{UID: in.Request.UID, Allowed: true}
		decide(bee, resp)
		out := admissionv1.AdmissionReview{TypeMeta: in.TypeMeta, Response: resp}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/mutate", func(w http.ResponseWriter, r *http.Request) {
		review(w, r, func(bee *unstructured.Unstructured, resp *admissionv1.AdmissionResponse) {
			op := `{"op":"add","path":"/metadata/labels","value":{"mutated-by":"cluster-webhook"}}`
			if bee.GetLabels() != nil {
				op = `{"op":"add","path":"/metadata/labels/mutated-by","value":"cluster-webhook"}`
			}
			patchType := admissionv1.PatchTypeJSONPatch
			resp.Patch, resp.PatchType = []byte("["+op+"]"), &patchType
		})
	})
	mux.HandleFunc("/validate", func(w http.ResponseWriter, r *http.Request) {
		review(w, r, func(bee *unstructured.Unstructured, resp *admissionv1.AdmissionResponse) {
			if d, _, _ := unstructured.NestedString(bee.Object, "spec", "description"); d == "wasp" {
				resp.Allowed = false
				resp.Result = &metav1.Status{Code: http.StatusForbidden, Message: "the cluster's webhook refuses wasps"}
			}
		})
	})
	server = httptest.NewTLSServer(mux)
	t.Cleanup(server.Close)
	return server, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: server.Certificate().Raw})
}

// webhookConfigurations registers both webhooks for bees, failing closed.
func webhookConfigurations(t *testing.T, url string, caPEM []byte) string {
	t.Helper()
	hook := func(name, path string) string {
		return fmt.Sprintf(`webhooks:
- name: %s
  clientConfig:
    url: %s%s
    caBundle: %s
  rules:
  - apiGroups: ["insect.example.com"]
    apiVersions: ["*"]
    operations: ["CREATE", "UPDATE"]
    resources: ["bees"]
  failurePolicy: Fail
  sideEffects: None
  admissionReviewVersions: ["v1"]
`, name, url, path, base64.StdEncoding.EncodeToString(caPEM))
	}
	path := filepath.Join(t.TempDir(), "webhooks.yaml")
	writeFile(t, path, "apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\nmetadata:\n  name: bees-label\n"+
		hook("label.bees.example.com", "/mutate")+
		"---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata:\n  name: bees-no-wasps\n"+
		hook("no-wasps.bees.example.com", "/validate"))
	return path
}
