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

// Package nodeusage is the REST storage of nodeusages.metrics.example.com: they are
// kept by the backend of backend.go, not in etcd, with the rules of
// strategy.go.
package nodeusage

import (
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"
	"k8s.io/apiserver/pkg/registry/rest"

	"example.com/bees/pkg/apis/metrics"
	"example.com/bees/pkg/storage/custom"
)

// NewStorage returns the storage of nodeusages, keyed
// by the path the apiserver serves them at. nodeusages are not kept by the
// generic registry, so optsGetter is not used.
func NewStorage(scheme *runtime.Scheme, _ generic.RESTOptionsGetter) (map[string]rest.Storage, error) {
	strategy := NewStrategy(scheme)
	opts := custom.Options[*metrics.NodeUsage]{
		Resource:    metrics.Resource("nodeusages"),
		Singular:    metrics.Resource("nodeusage"),
		NewFunc:     func() *metrics.NodeUsage { return &metrics.NodeUsage{} },
		NewListFunc: func() runtime.Object { return &metrics.NodeUsageList{} },
		Strategy:    strategy,
		Attrs:       GetAttrs,
	}
	return map[string]rest.Storage{
		"nodeusages": &REST{custom.NewReadOnly(opts, newBackend())},
	}, nil
}

// REST is the storage of nodeusages: get, list and watch.
type REST struct {
	*custom.ReadOnly[*metrics.NodeUsage]
}
