// Package cluster talks to a Kubernetes cluster with client-go: server-side
// apply of rendered objects, waiting for APIServices to become Available, and
// deleting what was applied.
package cluster

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	aggregator "k8s.io/kube-aggregator/pkg/client/clientset_generated/clientset"
)

// FieldManager is the server-side apply field manager of apiserver-boot.
const FieldManager = "apiserver-boot"

// Config loads a client configuration like kubectl does: an explicit
// kubeconfig or the default loading rules ($KUBECONFIG, ~/.kube/config), and
// an optional context.
func Config(kubeconfig, kubeContext string) (*rest.Config, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = kubeconfig
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: kubeContext}).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("loading the kubeconfig: %w", err)
	}
	return cfg, nil
}

// Client applies and deletes objects.
type Client struct {
	dynamic dynamic.Interface
	mapper  meta.ResettableRESTMapper
	agg     aggregator.Interface
}

// Connect returns a client for the cluster a kubeconfig and context select
// (see Config).
func Connect(kubeconfig, kubeContext string) (*Client, error) {
	cfg, err := Config(kubeconfig, kubeContext)
	if err != nil {
		return nil, err
	}
	return New(cfg)
}

// New returns a client for cfg.
func New(cfg *rest.Config) (*Client, error) {
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	agg, err := aggregator.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &Client{dynamic: dyn, mapper: restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc)), agg: agg}, nil
}

// applyOrder is the order kinds are applied in: what others refer to first.
var applyOrder = []string{
	"Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding",
	"Secret", "ConfigMap", "Service", "EndpointSlice", "StatefulSet", "Deployment", "APIService",
}

func rank(kind string) int {
	if i := slices.Index(applyOrder, kind); i >= 0 {
		return i
	}
	return len(applyOrder)
}

// Sort orders objects for applying.
func Sort(objs []*unstructured.Unstructured) {
	sort.SliceStable(objs, func(i, j int) bool { return rank(objs[i].GetKind()) < rank(objs[j].GetKind()) })
}

func (c *Client) resource(obj *unstructured.Unstructured) (dynamic.ResourceInterface, error) {
	gvk := obj.GroupVersionKind()
	mapping, err := c.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if meta.IsNoMatchError(err) {
		c.mapper.Reset()
		mapping, err = c.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	}
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", gvk.Kind, obj.GetName(), err)
	}
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		return c.dynamic.Resource(mapping.Resource).Namespace(obj.GetNamespace()), nil
	}
	return c.dynamic.Resource(mapping.Resource), nil
}

// Apply server-side applies objects in dependency order, taking ownership of
// the fields apiserver-boot sets. report is called for each object applied.
func (c *Client) Apply(ctx context.Context, objs []*unstructured.Unstructured, report func(string)) error {
	objs = slices.Clone(objs)
	Sort(objs)
	for _, obj := range objs {
		r, err := c.resource(obj)
		if err != nil {
			return err
		}
		if _, err := r.Apply(ctx, obj.GetName(), obj, metav1.ApplyOptions{FieldManager: FieldManager, Force: true}); err != nil {
			return fmt.Errorf("applying %s %s: %w", obj.GetKind(), describe(obj), err)
		}
		if report != nil {
			report(fmt.Sprintf("%s %s", strings.ToLower(obj.GetKind()), describe(obj)))
		}
	}
	return nil
}

// Get reads the object in the cluster that obj names.
func (c *Client) Get(ctx context.Context, obj *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	r, err := c.resource(obj)
	if err != nil {
		return nil, err
	}
	return r.Get(ctx, obj.GetName(), metav1.GetOptions{})
}

// Delete deletes objects in reverse dependency order; missing ones are fine.
func (c *Client) Delete(ctx context.Context, objs []*unstructured.Unstructured) error {
	objs = slices.Clone(objs)
	Sort(objs)
	slices.Reverse(objs)
	var errs []string
	for _, obj := range objs {
		r, err := c.resource(obj)
		if err == nil {
			err = r.Delete(ctx, obj.GetName(), metav1.DeleteOptions{})
		}
		if err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, err.Error())
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("deleting: %s", strings.Join(errs, "; "))
	}
	return nil
}

func describe(obj *unstructured.Unstructured) string {
	if ns := obj.GetNamespace(); ns != "" {
		return ns + "/" + obj.GetName()
	}
	return obj.GetName()
}

// WaitAvailable waits until every named APIService has condition Available=True.
// On timeout, the error quotes each unavailable APIService's condition
// (e.g. FailedDiscoveryCheck: x509: certificate is valid for …).
func (c *Client) WaitAvailable(ctx context.Context, names []string, timeout time.Duration) error {
	status := map[string]string{}
	err := wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		done := true
		for _, name := range names {
			svc, err := c.agg.ApiregistrationV1().APIServices().Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				// Keep the last condition seen: a failed Get (often the final
				// one, cut short by the timeout) says nothing about the APIService.
				if _, seen := status[name]; !seen {
					status[name] = err.Error()
				}
				done = false
				continue
			}
			status[name] = "no Available condition yet"
			for _, cond := range svc.Status.Conditions {
				if cond.Type == apiregistrationv1.Available {
					status[name] = fmt.Sprintf("%s %s: %s", cond.Status, cond.Reason, cond.Message)
					if cond.Status != apiregistrationv1.ConditionTrue {
						done = false
					}
				}
			}
			if status[name] == "no Available condition yet" {
				done = false
			}
		}
		return done, nil
	})
	if err != nil {
		var lines []string
		for _, name := range names {
			lines = append(lines, fmt.Sprintf("  %s: Available=%s", name, status[name]))
		}
		return fmt.Errorf("APIServices not Available after %s:\n%s", timeout, strings.Join(lines, "\n"))
	}
	return nil
}

// APIServiceNames returns the names of the APIServices among objs.
func APIServiceNames(objs []*unstructured.Unstructured) []string {
	var out []string
	for _, o := range objs {
		if o.GetKind() == "APIService" {
			out = append(out, o.GetName())
		}
	}
	return out
}

// WaitRolledOut waits until every Deployment and StatefulSet among objs has
// rolled out what was applied, as `kubectl rollout status` judges it: the
// controller saw the new generation, every replica runs the new template and
// is available, and no old replica is left. Only then does an Available
// APIService say that this server answers: one that was Available before the
// apply (an earlier deployment, another Service) says nothing about it.
func (c *Client) WaitRolledOut(ctx context.Context, objs []*unstructured.Unstructured, timeout time.Duration, report func(string)) error {
	var workloads []*unstructured.Unstructured
	for _, o := range objs {
		if k := o.GetKind(); k == "Deployment" || k == "StatefulSet" {
			workloads = append(workloads, o)
		}
	}
	waiting := map[string]string{} // what each one last waited for; "" once rolled out
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		done := true
		for _, o := range workloads {
			res, err := c.resource(o)
			if err != nil {
				return false, err
			}
			live, err := res.Get(ctx, o.GetName(), metav1.GetOptions{})
			name := describe(o)
			if err != nil {
				// Keep what it last waited for: a failed Get (often the final
				// one, cut short by the timeout) says nothing about the rollout.
				if _, seen := waiting[name]; !seen {
					waiting[name] = err.Error()
				}
				done = false
				continue
			}
			msg, ok, err := rolloutStatus(live)
			if err != nil {
				return false, fmt.Errorf("%s: %w", name, err)
			}
			if !ok {
				if waiting[name] != msg {
					report(name + ": " + msg)
				}
				waiting[name] = msg
				done = false
				continue
			}
			if msg, seen := waiting[name]; !seen || msg != "" {
				report(name + ": rolled out")
			}
			waiting[name] = ""
		}
		return done, nil
	})
	if err != nil {
		var lines []string
		for name, msg := range waiting {
			if msg != "" {
				lines = append(lines, "  "+name+": "+msg)
			}
		}
		sort.Strings(lines)
		return fmt.Errorf("not rolled out after %s (kubectl describe and kubectl get events say why):\n%s", timeout, strings.Join(lines, "\n"))
	}
	return nil
}

// rolloutStatus says whether a Deployment or StatefulSet has rolled out,
// what it is waiting for if not, and an error if it never will.
func rolloutStatus(o *unstructured.Unstructured) (string, bool, error) {
	num := func(path ...string) int64 {
		v, _, _ := unstructured.NestedInt64(o.Object, path...)
		return v
	}
	want := int64(1)
	if r, found, _ := unstructured.NestedInt64(o.Object, "spec", "replicas"); found {
		want = r
	}
	if num("status", "observedGeneration") < o.GetGeneration() {
		return "waiting for the controller to see the new spec", false, nil
	}
	updated, total := num("status", "updatedReplicas"), num("status", "replicas")
	if o.GetKind() == "Deployment" {
		conds, _, _ := unstructured.NestedSlice(o.Object, "status", "conditions")
		for _, c := range conds {
			if m, ok := c.(map[string]any); ok && m["type"] == "Progressing" && m["reason"] == "ProgressDeadlineExceeded" {
				return "", false, fmt.Errorf("the rollout exceeded its progress deadline: %v", m["message"])
			}
		}
		available := num("status", "availableReplicas")
		switch {
		case updated < want:
			return fmt.Sprintf("%d of %d replicas updated", updated, want), false, nil
		case total > updated:
			return fmt.Sprintf("%d old replicas pending termination", total-updated), false, nil
		case available < updated:
			return fmt.Sprintf("%d of %d updated replicas available", available, updated), false, nil
		}
		return "", true, nil
	}
	ready := num("status", "readyReplicas")
	if ready < want {
		return fmt.Sprintf("%d of %d pods ready", ready, want), false, nil
	}
	current, _, _ := unstructured.NestedString(o.Object, "status", "currentRevision")
	update, _, _ := unstructured.NestedString(o.Object, "status", "updateRevision")
	if update != "" && current != update && updated < want {
		return fmt.Sprintf("%d of %d pods updated", updated, want), false, nil
	}
	return "", true, nil
}
