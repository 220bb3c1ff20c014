// Package migrate rewrites a project's stored objects in their group's
// current storage version, through the API, as kube-storage-version-migrator
// does for built-in APIs: each object is updated with itself. The server
// decodes what is stored (in whatever version it was written), encodes it in
// today's storage version and writes it back; an object already stored that
// way encodes to the same bytes, and the server writes nothing.
//
// An update carries the object's resourceVersion, so a write that lands
// between the list and the update wins: the update is refused (conflict),
// and the object counts as migrated, since that write stored it in the
// current version too. Nothing is rolled back and nothing changes content.
package migrate

import (
	"context"
	"fmt"
	"slices"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/apiserver-boot/apiserver-boot/internal/model"
	"github.com/apiserver-boot/apiserver-boot/internal/project"
)

// Options say what to migrate, where.
type Options struct {
	Client dynamic.Interface
	// Kinds to migrate (Targets chooses them from a project).
	Kinds []Target
	// PageSize is how many objects one list returns (default 500).
	PageSize int64
	// Workers update objects side by side (default 4).
	Workers int
	// Progress, if set, is told after each page.
	Progress func(Count)
}

// Target is one kind to migrate: its resource in the version the requests
// use (any served version does: the update is stored in the storage version).
type Target struct {
	Resource       schema.GroupVersionResource
	Kind           string
	StorageVersion string
}

// Count is what happened to one kind's objects. Its JSON form is stable
// (migrate storage -o json).
type Count struct {
	Group          string `json:"group"`
	Kind           string `json:"kind"`
	Resource       string `json:"resource"`
	StorageVersion string `json:"storageVersion"`
	// Listed objects, Rewritten by this run; Concurrent were written by
	// someone else between the list and the update (stored in the current
	// version by that write); Gone were deleted meanwhile.
	Listed     int `json:"listed"`
	Rewritten  int `json:"rewritten"`
	Concurrent int `json:"concurrent"`
	Gone       int `json:"gone"`
	// Failed objects, with the first error.
	Failed    int    `json:"failed"`
	FirstFail string `json:"firstFailure,omitempty"`
}

// Targets chooses the kinds of p kept by the generic registry (a custom
// store keeps objects its own way), in group (short name) and kind lists;
// empty lists mean all.
func Targets(p *model.Project, group string, kinds []string) ([]Target, error) {
	if group != "" && p.Group(group) == nil {
		return nil, fmt.Errorf("group %s does not exist in this project", group)
	}
	var out []Target
	seen := map[string]bool{}
	for _, k := range p.Kinds() {
		if group != "" && k.Group.Name != group || len(kinds) > 0 && !slices.Contains(kinds, k.Name) {
			continue
		}
		seen[k.Name] = true
		if k.Spec.Store == project.StoreCustom || k.Group.StorageVersion == nil {
			continue
		}
		version := k.Group.StorageVersion.Name
		if !slices.Contains(k.Group.StorageVersion.Kinds, k) {
			version = k.Versions[0].Name
		}
		out = append(out, Target{
			Resource:       schema.GroupVersionResource{Group: k.Group.Full, Version: version, Resource: k.Plural},
			Kind:           k.Name,
			StorageVersion: k.Group.StorageVersion.Name,
		})
	}
	for _, k := range kinds {
		if !seen[k] && group != "" {
			return nil, fmt.Errorf("kind %s does not exist in group %s", k, group)
		}
		if !seen[k] {
			return nil, fmt.Errorf("kind %s does not exist in this project", k)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no kind to migrate: every chosen kind has a custom store")
	}
	return out, nil
}

// Run migrates every target, one after the other, and returns the counts;
// the error is the first that stopped a kind (a failed list), not a failed
// object (counted in Failed).
func Run(ctx context.Context, o Options) ([]Count, error) {
	if o.PageSize == 0 {
		o.PageSize = 500
	}
	if o.Workers == 0 {
		o.Workers = 4
	}
	var counts []Count
	for _, t := range o.Kinds {
		c, err := o.migrate(ctx, t)
		counts = append(counts, c)
		if err != nil {
			return counts, err
		}
	}
	return counts, nil
}

func (o Options) migrate(ctx context.Context, t Target) (Count, error) {
	c := Count{Group: t.Resource.Group, Kind: t.Kind, Resource: t.Resource.Resource, StorageVersion: t.StorageVersion}
	res := o.Client.Resource(t.Resource)
	var mu sync.Mutex
	token := ""
	for {
		list, err := res.List(ctx, metav1.ListOptions{Limit: o.PageSize, Continue: token})
		if err != nil {
			return c, fmt.Errorf("listing %s: %w", t.Resource.GroupResource(), err)
		}
		c.Listed += len(list.Items)
		items := make(chan *unstructured.Unstructured)
		var wg sync.WaitGroup
		for range o.Workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for obj := range items {
					err := rewrite(ctx, res, obj)
					mu.Lock()
					c.add(err)
					mu.Unlock()
				}
			}()
		}
		for i := range list.Items {
			items <- &list.Items[i]
		}
		close(items)
		wg.Wait()
		if o.Progress != nil {
			o.Progress(c)
		}
		if err := ctx.Err(); err != nil {
			return c, err
		}
		if token = list.GetContinue(); token == "" {
			return c, nil
		}
	}
}

// add counts one object's outcome.
func (c *Count) add(err error) {
	switch {
	case err == nil:
		c.Rewritten++
	case apierrors.IsConflict(err):
		c.Concurrent++
	case apierrors.IsNotFound(err):
		c.Gone++
	default:
		c.Failed++
		if c.FirstFail == "" {
			c.FirstFail = err.Error()
		}
	}
}

// rewrite updates obj with itself, at the resourceVersion it was listed at.
func rewrite(ctx context.Context, res dynamic.NamespaceableResourceInterface, obj *unstructured.Unstructured) error {
	var ri dynamic.ResourceInterface = res
	if ns := obj.GetNamespace(); ns != "" {
		ri = res.Namespace(ns)
	}
	_, err := ri.Update(ctx, obj, metav1.UpdateOptions{FieldManager: "apiserver-boot-migrate"})
	return err
}
