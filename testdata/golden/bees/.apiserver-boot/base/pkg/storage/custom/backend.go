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

// Package custom serves a resource from storage you write: a SQL table, an
// external system's API, values computed on request (like metrics-server's
// PodMetrics). Store and ReadOnly are the REST storage the apiserver calls;
// they give the resource the semantics of the etcd-backed generic registry
// (validation and defaulting through the kind's strategy, resourceVersions
// and conflicts, label and field selectors, pagination, watch from a
// resourceVersion, watch-list for informers, server-side apply, tables).
// They keep objects in a Backend (or read them from a Reader): a small
// interface you implement. Memory is one, in memory, to start from.
package custom

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
)

// Object is an object of the API: *yourgroup.YourKind.
type Object interface {
	runtime.Object
	metav1.Object
}

// Reader is what a read-only resource's storage implements: objects that
// are computed or kept elsewhere and only read through the API.
//
// Errors are the apiserver's (k8s.io/apimachinery/pkg/api/errors): NotFound,
// Conflict, … reach the client as they are; any other error is a 500.
type Reader[T Object] interface {
	// Get returns the object, or a NotFound error.
	Get(ctx context.Context, namespace, name string) (T, error)
	// List returns every object of namespace ("" for all namespaces) and
	// the resourceVersion the list was taken at. Store filters, sorts and
	// pages the result.
	List(ctx context.Context, namespace string) (items []T, resourceVersion string, err error)
	// Watch sends, in order, every change in namespace ("" for all) after
	// resourceVersion, until ctx ends. Closing the channel ends the client's
	// watch; clients then watch again from the last resourceVersion they saw.
	// A resourceVersion the backend has no history for is an Expired error
	// (410 Gone): clients list again.
	Watch(ctx context.Context, namespace, resourceVersion string) (<-chan Event[T], error)
}

// Backend is what a writable resource's storage implements. Store calls it
// with objects already defaulted and validated.
type Backend[T Object] interface {
	Reader[T]
	// Create stores a new object and returns it as stored, with its
	// resourceVersion; an AlreadyExists error if the name is taken.
	Create(ctx context.Context, obj T) (T, error)
	// Update replaces an object whose resourceVersion is the stored one and
	// returns it as stored, with its new resourceVersion; a Conflict error if
	// the object changed since (optimistic concurrency), NotFound if it is gone.
	Update(ctx context.Context, obj T) (T, error)
	// Delete removes an object whose resourceVersion is the stored one, with
	// the same errors as Update, and returns its last state.
	Delete(ctx context.Context, obj T) (T, error)
}

// Event is a change of an object.
type Event[T Object] struct {
	// Type is watch.Added, watch.Modified or watch.Deleted.
	Type watch.EventType
	// Object is the object after the change (for Deleted: its last state,
	// with the resourceVersion of the deletion).
	Object T
	// Previous is the object before a Modified change, if the backend knows
	// it: with it, a watch with a selector sees an object that stops (or
	// starts) matching as deleted (or added), as with etcd.
	Previous T
}
