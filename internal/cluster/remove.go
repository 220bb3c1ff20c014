package cluster

import (
	"context"
	"fmt"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"
)

// Remove deletes one object with foreground propagation, so that it stays
// until what it owns (a Deployment's ReplicaSets and pods) is gone: waiting
// for it to disappear waits for those too. It reports whether there was
// anything to delete; a kind the cluster does not serve (cert-manager's, once
// cert-manager is gone) holds nothing.
func (c *Client) Remove(ctx context.Context, obj *unstructured.Unstructured) (bool, error) {
	r, err := c.resource(obj)
	if meta.IsNoMatchError(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	err = r.Delete(ctx, obj.GetName(), metav1.DeleteOptions{PropagationPolicy: ptr.To(metav1.DeletePropagationForeground)})
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("deleting %s %s: %w", obj.GetKind(), describe(obj), err)
	}
	return true, nil
}

// WaitGone waits until none of objs exists any more.
func (c *Client) WaitGone(ctx context.Context, objs []*unstructured.Unstructured, timeout time.Duration) error {
	var left []string
	err := wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		left = left[:0]
		for _, obj := range objs {
			if _, err := c.Get(ctx, obj); err == nil || !apierrors.IsNotFound(err) {
				left = append(left, strings.ToLower(obj.GetKind())+" "+describe(obj))
			}
		}
		return len(left) == 0, nil
	})
	if err != nil {
		return fmt.Errorf("still there after %s: %s", timeout, strings.Join(left, ", "))
	}
	return nil
}

// List returns the objects of a kind in a namespace that carry every label
// of selector.
func (c *Client) List(ctx context.Context, gvk schema.GroupVersionKind, namespace string, selector map[string]string) ([]*unstructured.Unstructured, error) {
	mapping, err := c.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return nil, err
	}
	var sel []string
	for k, v := range selector {
		sel = append(sel, k+"="+v)
	}
	list, err := c.dynamic.Resource(mapping.Resource).Namespace(namespace).List(ctx, metav1.ListOptions{LabelSelector: strings.Join(sel, ",")})
	if err != nil {
		return nil, err
	}
	out := make([]*unstructured.Unstructured, 0, len(list.Items))
	for i := range list.Items {
		item := &list.Items[i]
		item.SetAPIVersion(gvk.GroupVersion().String())
		item.SetKind(gvk.Kind)
		out = append(out, item)
	}
	return out, nil
}
