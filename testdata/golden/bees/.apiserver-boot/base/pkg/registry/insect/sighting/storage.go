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

// Package sighting is the REST storage of sightings.insect.example.com: they are
// kept by the backend of backend.go, not in etcd, with the rules of
// strategy.go and the subresources of subresources.go.
package sighting

import (
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"
	"k8s.io/apiserver/pkg/registry/rest"

	"example.com/bees/pkg/apis/insect"
	"example.com/bees/pkg/storage/custom"
)

// NewStorage returns the storage of sightings and their subresources, keyed
// by the path the apiserver serves them at. sightings are not kept by the
// generic registry, so optsGetter is not used.
func NewStorage(scheme *runtime.Scheme, _ generic.RESTOptionsGetter) (map[string]rest.Storage, error) {
	strategy := NewStrategy(scheme)
	opts := custom.Options[*insect.Sighting]{
		Resource:    insect.Resource("sightings"),
		Singular:    insect.Resource("sighting"),
		NewFunc:     func() *insect.Sighting { return &insect.Sighting{} },
		NewListFunc: func() runtime.Object { return &insect.SightingList{} },
		Strategy:    strategy,
		Attrs:       GetAttrs,
	}
	store, storage := subresources(custom.NewStore(opts, newBackend()), strategy)
	storage["sightings"] = &REST{store}
	return storage, nil
}

// REST is the storage of sightings.
type REST struct {
	*custom.Store[*insect.Sighting]
}
