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

package nodeusage

import (
	"example.com/bees/pkg/apis/metrics"
	"example.com/bees/pkg/storage/custom"
)

// newBackend returns where nodeusages come from. They are read-only through
// the API: clients get, list and watch them; writes get 405 Method Not Allowed.
//
// custom.Memory holds them in this process, empty to start with: fill it from
// your own code with its Create, Update and Delete (a loop that polls an
// external system, say, started here), and every watch sees the changes.
//
// For values computed on each request, as metrics-server does, return your
// own custom.Reader[*metrics.NodeUsage] instead:
//
//	type computed struct{}
//
//	func (computed) Get(ctx context.Context, namespace, name string) (*metrics.NodeUsage, error) {
//		// Ask the system that knows; when it does not:
//		return nil, apierrors.NewNotFound(metrics.Resource("nodeusages"), name)
//	}
//
//	func (computed) List(ctx context.Context, namespace string) ([]*metrics.NodeUsage, string, error) {
//		// Every object, and a resourceVersion that grows with each change
//		// (a timestamp in nanoseconds will do).
//	}
//
//	func (computed) Watch(ctx context.Context, namespace, resourceVersion string) (<-chan custom.Event[*metrics.NodeUsage], error) {
//		// Send changes as they happen, or refuse:
//		return nil, apierrors.NewMethodNotSupported(metrics.Resource("nodeusages"), "watch")
//	}
func newBackend() custom.Reader[*metrics.NodeUsage] {
	return custom.NewMemory[*metrics.NodeUsage](metrics.Resource("nodeusages"))
}
