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
	"Secret", "ConfigMap", "Service", "StatefulSet", "Deployment", "APIService",
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
