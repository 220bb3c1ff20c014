/*
Copyright 2026 The bees Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package custom

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/storage"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"
)

// Strategy is what Store needs of a kind's strategy (strategy.go).
type Strategy interface {
	rest.RESTCreateStrategy
	rest.RESTUpdateStrategy
	rest.TableConvertor
}

// Options describe the resource a Store or ReadOnly serves.
type Options[T Object] struct {
	// Resource and Singular name the resource (bees, bee) in its group.
	Resource, Singular schema.GroupResource
	// NewFunc returns an empty object; NewListFunc an empty list.
	NewFunc     func() T
	NewListFunc func() runtime.Object
	// Strategy validates, defaults and renders objects.
	Strategy Strategy
	// Attrs returns an object's labels and selectable fields.
	Attrs storage.AttrFunc
}

// ReadOnly is the storage of a resource clients only read: get, list and
// watch (with the same parameters as any resource). Writes get 405 Method
// Not Allowed.
type ReadOnly[T Object] struct {
	opts   Options[T]
	reader Reader[T]
}

// NewReadOnly returns the read-only storage of a resource kept by reader.
func NewReadOnly[T Object](opts Options[T], reader Reader[T]) *ReadOnly[T] {
	return &ReadOnly[T]{opts: opts, reader: reader}
}

var (
	_ rest.Getter               = &ReadOnly[Object]{}
	_ rest.Lister               = &ReadOnly[Object]{}
	_ rest.Watcher              = &ReadOnly[Object]{}
	_ rest.Scoper               = &ReadOnly[Object]{}
	_ rest.SingularNameProvider = &ReadOnly[Object]{}
	_ rest.StandardStorage      = &Store[Object]{}
	_ rest.ResetFieldsStrategy  = &Store[Object]{}
	_ rest.Patcher              = &StatusStore[Object]{}
	_ rest.ResetFieldsStrategy  = &StatusStore[Object]{}
)

// New returns an empty object.
func (r *ReadOnly[T]) New() runtime.Object { return r.opts.NewFunc() }

// NewList returns an empty list.
func (r *ReadOnly[T]) NewList() runtime.Object { return r.opts.NewListFunc() }

// Destroy does nothing: the backend belongs to whoever made it.
func (r *ReadOnly[T]) Destroy() {}

// NamespaceScoped reports whether objects live in namespaces.
func (r *ReadOnly[T]) NamespaceScoped() bool { return r.opts.Strategy.NamespaceScoped() }

// GetSingularName returns the singular resource name, for kubectl.
func (r *ReadOnly[T]) GetSingularName() string { return r.opts.Singular.Resource }

// ConvertToTable renders objects as a table for kubectl.
func (r *ReadOnly[T]) ConvertToTable(ctx context.Context, obj, tableOptions runtime.Object) (*metav1.Table, error) {
	return r.opts.Strategy.ConvertToTable(ctx, obj, tableOptions)
}

// Get returns an object.
func (r *ReadOnly[T]) Get(ctx context.Context, name string, _ *metav1.GetOptions) (runtime.Object, error) {
	return r.reader.Get(ctx, r.namespace(ctx), name)
}

// namespace is the request's namespace for a namespaced kind, and "" for a
// cluster-scoped one, whatever namespace the request's context carries.
func (r *ReadOnly[T]) namespace(ctx context.Context) string {
	if !r.opts.Strategy.NamespaceScoped() {
		return ""
	}
	return genericapirequest.NamespaceValue(ctx)
}

// continueToken is what a paged list's continue value carries.
type continueToken struct {
	ResourceVersion string `json:"rv"`
	// After is the namespace/name of the last object of the previous page.
	After string `json:"after"`
}

// List returns the objects that match the selectors, sorted by namespace and
// name, a page at a time when options.Limit is set. All pages are of one
// state: a page asked for after a change is refused with 410 Gone.
func (r *ReadOnly[T]) List(ctx context.Context, options *metainternalversion.ListOptions) (runtime.Object, error) {
	if options == nil {
		options = &metainternalversion.ListOptions{}
	}
	pred := r.predicate(options)
	items, rv, err := r.reader.List(ctx, r.namespace(ctx))
	if err != nil {
		return nil, err
	}
	if options.ResourceVersionMatch == metav1.ResourceVersionMatchExact && options.ResourceVersion != rv {
		return nil, apierrors.NewResourceExpired(fmt.Sprintf("cannot list at resourceVersion %s: this storage serves the current state (%s) only", options.ResourceVersion, rv))
	}
	var after string
	if options.Continue != "" {
		token, err := decodeContinue(options.Continue)
		if err != nil {
			return nil, err
		}
		if token.ResourceVersion != rv {
			// The backend serves its current state only, and it changed since
			// the first page: the pages would not be one list. Answer as etcd
			// does for a compacted continue, 410 Gone (client-go's pager then
			// lists again), with a token to page on through the current state.
			expired := apierrors.NewResourceExpired(fmt.Sprintf("the list changed since its first page (resourceVersion %s, now %s): list again, or continue with this answer's token for the rest of the current state", token.ResourceVersion, rv))
			if expired.ErrStatus.Continue, err = encodeContinue(continueToken{ResourceVersion: rv, After: token.After}); err != nil {
				return nil, err
			}
			return nil, expired
		}
		after = token.After
	}
	slices.SortFunc(items, func(a, b T) int { return strings.Compare(objectKey(a), objectKey(b)) })
	var page []runtime.Object
	var remaining int64
	next := ""
	for _, item := range items {
		if after != "" && objectKey(item) <= after {
			continue
		}
		if ok, err := pred.Matches(item); err != nil {
			return nil, err
		} else if !ok {
			continue
		}
		if options.Limit > 0 && int64(len(page)) == options.Limit {
			remaining++
			continue
		}
		page = append(page, item)
	}
	if remaining > 0 {
		if next, err = encodeContinue(continueToken{ResourceVersion: rv, After: objectKey(page[len(page)-1].(T))}); err != nil {
			return nil, err
		}
	}
	list := r.opts.NewListFunc()
	if err := meta.SetList(list, page); err != nil {
		return nil, err
	}
	listMeta, err := meta.ListAccessor(list)
	if err != nil {
		return nil, err
	}
	listMeta.SetResourceVersion(rv)
	listMeta.SetContinue(next)
	if remaining > 0 {
		listMeta.SetRemainingItemCount(&remaining)
	}
	return list, nil
}

// Watch sends the changes of the objects that match the selectors. Without
// a resourceVersion (or with sendInitialEvents, as informers ask) it first
// sends every matching object as ADDED; with sendInitialEvents it then marks
// the end of them with a bookmark, as kube-apiserver does.
func (r *ReadOnly[T]) Watch(ctx context.Context, options *metainternalversion.ListOptions) (watch.Interface, error) {
	if options == nil {
		options = &metainternalversion.ListOptions{}
	}
	pred := r.predicate(options)
	namespace := r.namespace(ctx)
	sendInitial := options.SendInitialEvents != nil && *options.SendInitialEvents
	legacyInitial := options.SendInitialEvents == nil && (options.ResourceVersion == "" || options.ResourceVersion == "0")

	ctx, cancel := context.WithCancel(ctx)
	from := options.ResourceVersion
	var initial []T
	if sendInitial || legacyInitial || from == "" {
		items, rv, err := r.reader.List(ctx, namespace)
		if err != nil {
			cancel()
			return nil, err
		}
		from = rv
		if sendInitial || legacyInitial {
			initial = items
		}
	}
	events, err := r.reader.Watch(ctx, namespace, from)
	if err != nil {
		cancel()
		return nil, err
	}

	out := make(chan watch.Event)
	w := &watcher{ch: out, cancel: cancel}
	go func() {
		defer close(out)
		defer cancel()
		send := func(t watch.EventType, obj runtime.Object) bool {
			select {
			case out <- watch.Event{Type: t, Object: obj}:
				return true
			case <-ctx.Done():
				return false
			}
		}
		slices.SortFunc(initial, func(a, b T) int { return strings.Compare(objectKey(a), objectKey(b)) })
		for _, obj := range initial {
			if ok, _ := pred.Matches(obj); ok && !send(watch.Added, obj) {
				return
			}
		}
		if sendInitial && options.AllowWatchBookmarks {
			bookmark := r.opts.NewFunc()
			bookmark.SetResourceVersion(from)
			bookmark.SetAnnotations(map[string]string{metav1.InitialEventsAnnotationKey: "true"})
			if !send(watch.Bookmark, bookmark) {
				return
			}
		}
		for ev := range events {
			t, obj := filter(pred, ev)
			if t != "" && !send(t, obj.DeepCopyObject()) {
				return
			}
		}
	}()
	return w, nil
}

// filter turns a change into the event a watch with pred sees: an object
// that stops matching is DELETED for it, one that starts matching ADDED.
func filter[T Object](pred storage.SelectionPredicate, ev Event[T]) (watch.EventType, T) {
	matches, _ := pred.Matches(ev.Object)
	if ev.Type != watch.Modified || any(ev.Previous) == any(*new(T)) || pred.Empty() {
		if matches {
			return ev.Type, ev.Object
		}
		return "", ev.Object
	}
	matched, _ := pred.Matches(ev.Previous)
	switch {
	case matches && matched:
		return watch.Modified, ev.Object
	case matches:
		return watch.Added, ev.Object
	case matched:
		return watch.Deleted, ev.Object
	}
	return "", ev.Object
}

func (r *ReadOnly[T]) predicate(options *metainternalversion.ListOptions) storage.SelectionPredicate {
	pred := storage.SelectionPredicate{Label: labels.Everything(), Field: fields.Everything(), GetAttrs: r.opts.Attrs}
	if options.LabelSelector != nil {
		pred.Label = options.LabelSelector
	}
	if options.FieldSelector != nil {
		pred.Field = options.FieldSelector
	}
	return pred
}

// watcher is a watch.Interface over a channel the Watch goroutine closes.
type watcher struct {
	ch     chan watch.Event
	cancel context.CancelFunc
}

func (w *watcher) Stop()                          { w.cancel() }
func (w *watcher) ResultChan() <-chan watch.Event { return w.ch }

// Store is the storage of a resource clients read and write, kept by a
// Backend: create, update, patch (server-side apply too), delete and
// delete-collection besides what ReadOnly serves.
type Store[T Object] struct {
	*ReadOnly[T]
	backend Backend[T]
	// update is the strategy of updates: the kind's, or the status one's.
	update rest.RESTUpdateStrategy
}

// NewStore returns the storage of a resource kept by backend.
func NewStore[T Object](opts Options[T], backend Backend[T]) *Store[T] {
	return &Store[T]{ReadOnly: NewReadOnly[T](opts, backend), backend: backend, update: opts.Strategy}
}

// WithStrategy returns the store with another create and update strategy
// (with a status subresource: one that keeps the stored status).
func (s *Store[T]) WithStrategy(strategy Strategy) *Store[T] {
	opts := s.opts
	opts.Strategy = strategy
	return &Store[T]{ReadOnly: NewReadOnly[T](opts, s.backend), backend: s.backend, update: strategy}
}

// Backend returns where the objects are kept, for code that changes them
// other than through the API (a loop that syncs them from another system).
func (s *Store[T]) Backend() Backend[T] { return s.backend }

// GetResetFields returns the fields server-side apply leaves alone (the
// status, once there is a status subresource).
func (s *Store[T]) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	if r, ok := s.update.(rest.ResetFieldsStrategy); ok {
		return r.GetResetFields()
	}
	return nil
}

// maxNameGenerationAttempts is how many names a create with
// metadata.generateName tries before it gives up, as the generic registry.
const maxNameGenerationAttempts = 8

// Create validates and stores a new object. An object with generateName and
// no name gets a generated one, tried again when it is taken.
func (s *Store[T]) Create(ctx context.Context, obj runtime.Object, createValidation rest.ValidateObjectFunc, options *metav1.CreateOptions) (runtime.Object, error) {
	objMeta, err := meta.Accessor(obj)
	if err != nil {
		return nil, err
	}
	if objMeta.GetName() != "" || objMeta.GetGenerateName() == "" {
		return s.create(ctx, obj, createValidation, options)
	}
	for range maxNameGenerationAttempts - 1 {
		created, err := s.create(ctx, obj.DeepCopyObject(), createValidation, options)
		if !apierrors.IsAlreadyExists(err) {
			return created, err
		}
	}
	created, err := s.create(ctx, obj, createValidation, options)
	return created, rest.CheckGeneratedNameError(ctx, s.opts.Strategy, err, obj)
}

func (s *Store[T]) create(ctx context.Context, obj runtime.Object, createValidation rest.ValidateObjectFunc, options *metav1.CreateOptions) (runtime.Object, error) {
	objMeta, err := meta.Accessor(obj)
	if err != nil {
		return nil, err
	}
	rest.FillObjectMetaSystemFields(objMeta) // uid and creationTimestamp
	if objMeta.GetName() == "" && objMeta.GetGenerateName() != "" {
		objMeta.SetName(s.opts.Strategy.GenerateName(objMeta.GetGenerateName()))
	}
	if err := rest.BeforeCreate(s.opts.Strategy, ctx, obj); err != nil {
		return nil, err
	}
	if createValidation != nil {
		if err := createValidation(ctx, obj.DeepCopyObject()); err != nil {
			return nil, err
		}
	}
	if options != nil && dryRun(options.DryRun) {
		// A dry run answers what the create would: taken names included.
		if _, err := s.backend.Get(ctx, objMeta.GetNamespace(), objMeta.GetName()); err == nil {
			return nil, apierrors.NewAlreadyExists(s.opts.Resource, objMeta.GetName())
		} else if !apierrors.IsNotFound(err) {
			return nil, err
		}
		return obj, nil
	}
	return s.backend.Create(ctx, obj.(T))
}

// Update applies a change (update, patch or server-side apply) to an
// object, or creates it when allowed (apply creates).
func (s *Store[T]) Update(ctx context.Context, name string, objInfo rest.UpdatedObjectInfo, createValidation rest.ValidateObjectFunc, updateValidation rest.ValidateObjectUpdateFunc, forceAllowCreate bool, options *metav1.UpdateOptions) (runtime.Object, bool, error) {
	if options == nil {
		options = &metav1.UpdateOptions{}
	}
	namespace := s.namespace(ctx)
	existing, err := s.backend.Get(ctx, namespace, name)
	if apierrors.IsNotFound(err) && (forceAllowCreate || s.update.AllowCreateOnUpdate(ctx)) {
		obj, err := objInfo.UpdatedObject(ctx, s.opts.NewFunc())
		if err != nil {
			return nil, false, err
		}
		created, err := s.Create(ctx, obj, createValidation, &metav1.CreateOptions{DryRun: options.DryRun})
		return created, err == nil, err
	}
	if err != nil {
		return nil, false, err
	}
	// An update names the object it was made from by its uid (and the
	// request may add a resourceVersion): a different one is a conflict, as
	// with etcd, which clients retry, not an invalid object. The messages are
	// kube-apiserver's own (storage.Preconditions.Check), capital letter too.
	if p := objInfo.Preconditions(); p != nil {
		if p.UID != nil && *p.UID != existing.GetUID() {
			return nil, false, apierrors.NewConflict(s.opts.Resource, name, fmt.Errorf("Precondition failed: UID in precondition: %v, UID in object meta: %v", *p.UID, existing.GetUID())) //nolint:staticcheck // ST1005: kube-apiserver's wording
		}
		if p.ResourceVersion != nil && *p.ResourceVersion != existing.GetResourceVersion() {
			return nil, false, apierrors.NewConflict(s.opts.Resource, name, fmt.Errorf("Precondition failed: ResourceVersion in precondition: %v, ResourceVersion in object meta: %v", *p.ResourceVersion, existing.GetResourceVersion())) //nolint:staticcheck // ST1005: kube-apiserver's wording
		}
	}
	obj, err := objInfo.UpdatedObject(ctx, existing.DeepCopyObject())
	if err != nil {
		return nil, false, err
	}
	objMeta, err := meta.Accessor(obj)
	if err != nil {
		return nil, false, err
	}
	switch rv := objMeta.GetResourceVersion(); {
	case rv == "" && s.update.AllowUnconditionalUpdate(ctx):
		objMeta.SetResourceVersion(existing.GetResourceVersion())
	case rv == "":
		return nil, false, apierrors.NewConflict(s.opts.Resource, name, fmt.Errorf("metadata.resourceVersion must be set for an update"))
	case rv != existing.GetResourceVersion():
		return nil, false, apierrors.NewConflict(s.opts.Resource, name, fmt.Errorf("the object has been modified; please apply your changes to the latest version and try again"))
	}
	if err := rest.BeforeUpdate(s.update, ctx, obj, existing); err != nil {
		return nil, false, err
	}
	if updateValidation != nil {
		if err := updateValidation(ctx, obj.DeepCopyObject(), existing.DeepCopyObject()); err != nil {
			return nil, false, err
		}
	}
	if apiequality.Semantic.DeepEqual(obj, existing) {
		return existing, false, nil // nothing changed: no new resourceVersion, no event
	}
	if dryRun(options.DryRun) {
		return obj, false, nil
	}
	updated, err := s.backend.Update(ctx, obj.(T))
	if err != nil {
		return nil, false, err
	}
	// The last finalizer of an object being deleted is gone: delete it.
	if updated.GetDeletionTimestamp() != nil && len(updated.GetFinalizers()) == 0 {
		deleted, err := s.backend.Delete(ctx, updated)
		return deleted, false, err
	}
	return updated, false, nil
}

// Delete deletes an object; one with finalizers is marked for deletion and
// deleted when its last finalizer is removed.
func (s *Store[T]) Delete(ctx context.Context, name string, deleteValidation rest.ValidateObjectFunc, options *metav1.DeleteOptions) (runtime.Object, bool, error) {
	if options == nil {
		options = &metav1.DeleteOptions{}
	}
	existing, err := s.backend.Get(ctx, s.namespace(ctx), name)
	if err != nil {
		return nil, false, err
	}
	if p := options.Preconditions; p != nil {
		if p.UID != nil && *p.UID != existing.GetUID() {
			return nil, false, apierrors.NewConflict(s.opts.Resource, name, fmt.Errorf("the UID in the precondition (%s) does not match the UID in record (%s)", *p.UID, existing.GetUID()))
		}
		if p.ResourceVersion != nil && *p.ResourceVersion != existing.GetResourceVersion() {
			return nil, false, apierrors.NewConflict(s.opts.Resource, name, fmt.Errorf("the ResourceVersion in the precondition (%s) does not match the ResourceVersion in record (%s)", *p.ResourceVersion, existing.GetResourceVersion()))
		}
	}
	if deleteValidation != nil {
		if err := deleteValidation(ctx, existing.DeepCopyObject()); err != nil {
			return nil, false, err
		}
	}
	if len(existing.GetFinalizers()) > 0 {
		if existing.GetDeletionTimestamp() != nil {
			return existing, false, nil
		}
		now := metav1.NewTime(time.Now())
		existing.SetDeletionTimestamp(&now)
		existing.SetDeletionGracePeriodSeconds(new(int64))
		if dryRun(options.DryRun) {
			return existing, false, nil
		}
		updated, err := s.backend.Update(ctx, existing)
		return updated, false, err
	}
	if !dryRun(options.DryRun) {
		if existing, err = s.backend.Delete(ctx, existing); err != nil {
			return nil, false, err
		}
	}
	// What the generic registry answers: a Status naming what was deleted,
	// which tells clients it is gone, not waiting for finalizers.
	return &metav1.Status{Status: metav1.StatusSuccess, Details: &metav1.StatusDetails{
		Name:  existing.GetName(),
		Group: s.opts.Resource.Group,
		Kind:  s.opts.Resource.Resource, // the resource, as the generic registry sets it
		UID:   existing.GetUID(),
	}}, true, nil
}

// DeleteCollection deletes every object that matches listOptions.
func (s *Store[T]) DeleteCollection(ctx context.Context, deleteValidation rest.ValidateObjectFunc, options *metav1.DeleteOptions, listOptions *metainternalversion.ListOptions) (runtime.Object, error) {
	if listOptions == nil {
		listOptions = &metainternalversion.ListOptions{}
	}
	listOptions = listOptions.DeepCopy()
	listOptions.Limit, listOptions.Continue = 0, ""
	list, err := s.List(ctx, listOptions)
	if err != nil {
		return nil, err
	}
	items, err := meta.ExtractList(list)
	if err != nil {
		return nil, err
	}
	var deleted []runtime.Object
	for _, item := range items {
		accessor, err := meta.Accessor(item)
		if err != nil {
			return nil, err
		}
		obj, _, err := s.Delete(ctx, accessor.GetName(), deleteValidation, options.DeepCopy())
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if _, gone := obj.(*metav1.Status); gone {
			obj = item // deleted: its last state as listed
		}
		deleted = append(deleted, obj)
	}
	out := s.opts.NewListFunc()
	return out, meta.SetList(out, deleted)
}

// StatusStore is the storage of a status subresource: it reads whole
// objects and updates them with the status strategy (which keeps the spec).
type StatusStore[T Object] struct {
	store *Store[T]
}

// Status returns the storage of the status subresource, updating with strategy.
func (s *Store[T]) Status(strategy Strategy) *StatusStore[T] {
	return &StatusStore[T]{store: s.WithStrategy(strategy)}
}

// New returns an empty object.
func (s *StatusStore[T]) New() runtime.Object { return s.store.New() }

// Destroy does nothing: the backend is shared with the main resource.
func (s *StatusStore[T]) Destroy() {}

// Get returns the object.
func (s *StatusStore[T]) Get(ctx context.Context, name string, options *metav1.GetOptions) (runtime.Object, error) {
	return s.store.Get(ctx, name, options)
}

// Update updates the status of an object; it never creates one.
func (s *StatusStore[T]) Update(ctx context.Context, name string, objInfo rest.UpdatedObjectInfo, createValidation rest.ValidateObjectFunc, updateValidation rest.ValidateObjectUpdateFunc, _ bool, options *metav1.UpdateOptions) (runtime.Object, bool, error) {
	return s.store.Update(ctx, name, objInfo, createValidation, updateValidation, false, options)
}

// GetResetFields returns the fields a status update may not set.
func (s *StatusStore[T]) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return s.store.GetResetFields()
}

// ConvertToTable renders the object as a table.
func (s *StatusStore[T]) ConvertToTable(ctx context.Context, obj, tableOptions runtime.Object) (*metav1.Table, error) {
	return s.store.ConvertToTable(ctx, obj, tableOptions)
}

func objectKey[T Object](obj T) string { return obj.GetNamespace() + "/" + obj.GetName() }

func dryRun(values []string) bool { return slices.Contains(values, metav1.DryRunAll) }

func encodeContinue(t continueToken) (string, error) {
	data, err := json.Marshal(t)
	return base64.RawURLEncoding.EncodeToString(data), err
}

func decodeContinue(s string) (continueToken, error) {
	var t continueToken
	data, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(data, &t)
	}
	if err != nil {
		return t, apierrors.NewBadRequest(fmt.Sprintf("invalid continue token: %v", err))
	}
	return t, nil
}
