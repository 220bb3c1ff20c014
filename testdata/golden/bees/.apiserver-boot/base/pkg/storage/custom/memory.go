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
	"fmt"
	"strconv"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/apiserver/pkg/storage"
)

// historySize is how many changes Memory keeps for watches that resume
// from a resourceVersion; older ones get 410 Gone and list again.
const historySize = 1000

// watchBuffer is how many events a watcher may fall behind before Memory
// closes its channel (the client then resumes from its last resourceVersion).
const watchBuffer = 1000

// Memory is a Backend that keeps objects in memory: they are gone when the
// server stops, and each replica has its own. It is where to start, the
// reference for what a Backend does, and a cache in front of a slow system.
type Memory[T Object] struct {
	resource schema.GroupResource

	mu       sync.Mutex
	rv       uint64
	objects  map[string]T
	history  []Event[T] // the last historySize changes, oldest first
	watchers map[*memoryWatcher[T]]struct{}
}

type memoryWatcher[T Object] struct {
	namespace string
	ch        chan Event[T]
}

// NewMemory returns an empty Memory for resource (used in error messages).
func NewMemory[T Object](resource schema.GroupResource) *Memory[T] {
	return &Memory[T]{resource: resource, objects: map[string]T{}, watchers: map[*memoryWatcher[T]]struct{}{}}
}

func key(namespace, name string) string { return namespace + "/" + name }

// Get implements Reader.
func (m *Memory[T]) Get(_ context.Context, namespace, name string) (T, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	obj, ok := m.objects[key(namespace, name)]
	if !ok {
		var zero T
		return zero, apierrors.NewNotFound(m.resource, name)
	}
	return obj.DeepCopyObject().(T), nil
}

// List implements Reader.
func (m *Memory[T]) List(_ context.Context, namespace string) ([]T, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	items := make([]T, 0, len(m.objects))
	for _, obj := range m.objects {
		if namespace == "" || obj.GetNamespace() == namespace {
			items = append(items, obj.DeepCopyObject().(T))
		}
	}
	return items, strconv.FormatUint(m.rv, 10), nil
}

// Create implements Backend.
func (m *Memory[T]) Create(_ context.Context, obj T) (T, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := key(obj.GetNamespace(), obj.GetName())
	if _, ok := m.objects[k]; ok {
		var zero T
		return zero, apierrors.NewAlreadyExists(m.resource, obj.GetName())
	}
	return m.store(watch.Added, k, obj, *new(T)), nil
}

// Update implements Backend.
func (m *Memory[T]) Update(_ context.Context, obj T) (T, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := key(obj.GetNamespace(), obj.GetName())
	old, err := m.current(k, obj)
	if err != nil {
		return old, err
	}
	return m.store(watch.Modified, k, obj, old), nil
}

// Delete implements Backend.
func (m *Memory[T]) Delete(_ context.Context, obj T) (T, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := key(obj.GetNamespace(), obj.GetName())
	old, err := m.current(k, obj)
	if err != nil {
		return old, err
	}
	delete(m.objects, k)
	m.rv++
	last := old.DeepCopyObject().(T)
	last.SetResourceVersion(strconv.FormatUint(m.rv, 10))
	m.notify(Event[T]{Type: watch.Deleted, Object: last})
	return last.DeepCopyObject().(T), nil
}

// current returns the stored object that obj is a change of, or NotFound
// or Conflict.
func (m *Memory[T]) current(k string, obj T) (T, error) {
	old, ok := m.objects[k]
	if !ok {
		return old, apierrors.NewNotFound(m.resource, obj.GetName())
	}
	if obj.GetResourceVersion() != old.GetResourceVersion() {
		return old, apierrors.NewConflict(m.resource, obj.GetName(),
			fmt.Errorf("the object has been modified; please apply your changes to the latest version and try again"))
	}
	return old, nil
}

// store saves a copy of obj at the next resourceVersion and tells watchers.
func (m *Memory[T]) store(t watch.EventType, k string, obj, previous T) T {
	m.rv++
	stored := obj.DeepCopyObject().(T)
	stored.SetResourceVersion(strconv.FormatUint(m.rv, 10))
	m.objects[k] = stored
	m.notify(Event[T]{Type: t, Object: stored, Previous: previous})
	return stored.DeepCopyObject().(T)
}

// notify records a change and sends it to the watchers of its namespace.
// Events are shared read-only; Store copies before changing one.
func (m *Memory[T]) notify(ev Event[T]) {
	m.history = append(m.history, ev)
	if len(m.history) > historySize {
		m.history = m.history[len(m.history)-historySize:]
	}
	for w := range m.watchers {
		if w.namespace != "" && w.namespace != ev.Object.GetNamespace() {
			continue
		}
		select {
		case w.ch <- ev:
		default: // too slow: end its watch rather than hold up every writer
			delete(m.watchers, w)
			close(w.ch)
		}
	}
}

// Watch implements Reader.
func (m *Memory[T]) Watch(ctx context.Context, namespace, resourceVersion string) (<-chan Event[T], error) {
	from, err := strconv.ParseUint(resourceVersion, 10, 64)
	if err != nil {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("invalid resourceVersion %q", resourceVersion))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if from > m.rv {
		return nil, storage.NewTooLargeResourceVersionError(from, m.rv, 1)
	}
	// The history must hold every change after from.
	if oldest := m.rv - uint64(len(m.history)); from < oldest {
		return nil, apierrors.NewResourceExpired(fmt.Sprintf("too old resource version: %d (%d)", from, oldest+1))
	}
	w := &memoryWatcher[T]{namespace: namespace, ch: make(chan Event[T], watchBuffer+len(m.history))}
	for _, ev := range m.history[len(m.history)-int(m.rv-from):] {
		if namespace == "" || namespace == ev.Object.GetNamespace() {
			w.ch <- ev
		}
	}
	m.watchers[w] = struct{}{}
	go func() {
		<-ctx.Done()
		m.mu.Lock()
		defer m.mu.Unlock()
		if _, ok := m.watchers[w]; ok {
			delete(m.watchers, w)
			close(w.ch)
		}
	}()
	return w.ch, nil
}
