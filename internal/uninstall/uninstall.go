// Package uninstall removes what `run in-cluster` applied (or `kubectl apply
// -k` of the layout `build config` wrote): the APIServices first, so that
// discovery and the deletion of namespaces never wait on a server that is
// gone; then the server and everything else it was given; its data
// (PersistentVolumeClaims, and the namespace holding them) only when asked.
package uninstall

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/apiserver-boot/apiserver-boot/internal/cluster"
	"github.com/apiserver-boot/apiserver-boot/internal/manifests"
)

// Options say what to remove and from which cluster.
type Options struct {
	// Kustomization is the directory (the base or an overlay) that was
	// applied: it is rendered again to know every object by name.
	Kustomization       string
	Kubeconfig, Context string
	// DeleteData deletes the PersistentVolumeClaims (etcd's, SQLite's) and
	// the namespace that holds them; without it both are kept.
	DeleteData bool
	// DryRun says what would be deleted and kept, and deletes nothing.
	DryRun      bool
	WaitTimeout time.Duration
	// Out gets one line per object.
	Out io.Writer
}

// Object is one object uninstall deleted or kept.
type Object struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	// Reason says why a kept object was kept.
	Reason string `json:"reason,omitempty"`
}

// Result is what was (or, with DryRun, would be) deleted and kept.
type Result struct {
	Deleted []Object `json:"deleted"`
	Kept    []Object `json:"kept"`
}

func object(u *unstructured.Unstructured, reason string) Object {
	return Object{Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName(), Reason: reason}
}

func (o Object) String() string {
	s := strings.ToLower(o.Kind) + " "
	if o.Namespace != "" {
		s += o.Namespace + "/"
	}
	return s + o.Name
}

var claimGVK = schema.GroupVersionKind{Version: "v1", Kind: "PersistentVolumeClaim"}

// Run removes the deployment, filling res as it goes.
func Run(ctx context.Context, o Options, res *Result) error {
	if _, err := os.Stat(o.Kustomization); err != nil {
		return fmt.Errorf("no manifests at %s: uninstall removes the objects of the layout that was deployed (give the --output-dir and --overlay of the deployment)", o.Kustomization)
	}
	rendered, err := manifests.Render(o.Kustomization)
	if err != nil {
		return err
	}
	objs, err := manifests.Decode(rendered)
	if err != nil {
		return err
	}
	c, err := cluster.Connect(o.Kubeconfig, o.Context)
	if err != nil {
		return err
	}
	p := plan{c: c, o: o, res: res}
	apiServices, rest, err := p.split(ctx, objs)
	if err != nil {
		return err
	}
	// APIServices first, and gone before their backend goes: kube-apiserver
	// stops routing to it and discovery no longer lists it.
	if err := p.remove(ctx, apiServices); err != nil {
		return err
	}
	return p.remove(ctx, rest)
}

type plan struct {
	c   *cluster.Client
	o   Options
	res *Result
}

func (p *plan) keep(u *unstructured.Unstructured, reason string) {
	k := object(u, reason)
	p.res.Kept = append(p.res.Kept, k)
	fmt.Fprintf(p.o.Out, "kept %s: %s\n", k, reason)
}

// split sorts the rendered objects into the APIServices this deployment
// serves and the rest in the order they are deleted in, leaving out (as
// kept) what belongs to another deployment or holds data.
func (p *plan) split(ctx context.Context, objs []*unstructured.Unstructured) (apiServices, rest []*unstructured.Unstructured, err error) {
	claims, err := p.claims(ctx, objs)
	if err != nil {
		return nil, nil, err
	}
	cluster.Sort(objs)
	slices.Reverse(objs)
	for _, u := range objs {
		switch u.GetKind() {
		case "APIService":
			live, err := p.c.Get(ctx, u)
			if apierrors.IsNotFound(err) {
				continue
			}
			if err != nil {
				return nil, nil, err
			}
			if want, got := backend(u), backend(live); got != want {
				p.keep(u, fmt.Sprintf("it points at the Service %s now, not at this deployment's %s", got, want))
				continue
			}
			apiServices = append(apiServices, u)
		case "PersistentVolumeClaim":
			// Among claims below.
		case "Namespace":
			if held := claimsIn(claims, u.GetName()); len(held) > 0 && !p.o.DeleteData {
				p.keep(u, "it holds the PersistentVolumeClaims "+strings.Join(held, ", ")+" (--delete-data deletes them with it)")
				continue
			}
			rest = append(rest, u)
		default:
			rest = append(rest, u)
		}
	}
	for _, claim := range claims {
		if !p.o.DeleteData {
			p.keep(claim, "it holds the server's data (--delete-data deletes it)")
			continue
		}
		// Before the namespace, which is last.
		rest = slices.Insert(rest, max(len(rest)-countKind(rest, "Namespace"), 0), claim)
	}
	return apiServices, rest, nil
}

// claims are the PersistentVolumeClaims holding the deployment's data: the
// ones rendered (SQLite's) and those its StatefulSets made (etcd's).
func (p *plan) claims(ctx context.Context, objs []*unstructured.Unstructured) ([]*unstructured.Unstructured, error) {
	var out []*unstructured.Unstructured
	for _, u := range objs {
		switch u.GetKind() {
		case "PersistentVolumeClaim":
			if _, err := p.c.Get(ctx, u); err == nil {
				out = append(out, u)
			} else if !apierrors.IsNotFound(err) {
				return nil, err
			}
		case "StatefulSet":
			selector, _, _ := unstructured.NestedStringMap(u.Object, "spec", "selector", "matchLabels")
			templates, _, _ := unstructured.NestedSlice(u.Object, "spec", "volumeClaimTemplates")
			if len(templates) == 0 {
				continue
			}
			made, err := p.c.List(ctx, claimGVK, u.GetNamespace(), selector)
			if err != nil {
				return nil, err
			}
			for _, t := range templates {
				name, _, _ := unstructured.NestedString(t.(map[string]any), "metadata", "name")
				for _, claim := range made {
					// The StatefulSet controller names them <template>-<set>-<ordinal>.
					if strings.HasPrefix(claim.GetName(), name+"-"+u.GetName()+"-") {
						out = append(out, claim)
					}
				}
			}
		}
	}
	return out, nil
}

// remove deletes objs (or says it would) and waits until they are gone.
func (p *plan) remove(ctx context.Context, objs []*unstructured.Unstructured) error {
	var deleted []*unstructured.Unstructured
	for _, u := range objs {
		if p.o.DryRun {
			if _, err := p.c.Get(ctx, u); err == nil {
				p.res.Deleted = append(p.res.Deleted, object(u, ""))
				fmt.Fprintf(p.o.Out, "would delete %s\n", object(u, ""))
			}
			continue
		}
		existed, err := p.c.Remove(ctx, u)
		if err != nil {
			return err
		}
		if existed {
			deleted = append(deleted, u)
			p.res.Deleted = append(p.res.Deleted, object(u, ""))
			fmt.Fprintf(p.o.Out, "deleted %s\n", object(u, ""))
		}
	}
	if len(deleted) == 0 {
		return nil
	}
	if err := p.c.WaitGone(ctx, deleted, p.o.WaitTimeout); err != nil {
		return fmt.Errorf("deleted, but %w", err)
	}
	return nil
}

// backend is the namespace/name of the Service an APIService points at.
func backend(u *unstructured.Unstructured) string {
	ns, _, _ := unstructured.NestedString(u.Object, "spec", "service", "namespace")
	name, _, _ := unstructured.NestedString(u.Object, "spec", "service", "name")
	return ns + "/" + name
}

func claimsIn(claims []*unstructured.Unstructured, namespace string) []string {
	var out []string
	for _, c := range claims {
		if c.GetNamespace() == namespace {
			out = append(out, c.GetName())
		}
	}
	return out
}

func countKind(objs []*unstructured.Unstructured, kind string) int {
	n := 0
	for _, u := range objs {
		if u.GetKind() == kind {
			n++
		}
	}
	return n
}
