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

package sighting

import (
	"example.com/bees/pkg/apis/insect"
	"example.com/bees/pkg/storage/custom"
)

// newBackend returns where sightings are kept. custom.Memory keeps them in
// this process: they are lost when it stops and each replica has its own, so
// it is where to start, not where to stay.
//
// To keep them elsewhere (a SQL table, another system's API), return your own
// custom.Backend[*insect.Sighting]. It receives objects already
// defaulted and validated by strategy.go; it owns their resourceVersion:
//
//	type tableBackend struct{ db *sql.DB }
//
//	func (b *tableBackend) Get(ctx context.Context, namespace, name string) (*insect.Sighting, error) {
//		// SELECT object, version FROM sightings WHERE namespace = $1 AND name = $2;
//		// no row: return nil, apierrors.NewNotFound(insect.Resource("sightings"), name)
//	}
//
//	func (b *tableBackend) Update(ctx context.Context, obj *insect.Sighting) (*insect.Sighting, error) {
//		// UPDATE sightings SET object = $1, version = version + 1
//		//   WHERE namespace = $2 AND name = $3 AND version = $4  -- obj.ResourceVersion
//		// no row updated: apierrors.NewConflict(…); then set obj.ResourceVersion
//	}
//
// List, Create, Delete and Watch follow; custom.Backend says what each must do
// (memory.go in pkg/storage/custom is a complete example). A backend without
// change notifications can refuse watches with apierrors.NewMethodNotSupported.
func newBackend() custom.Backend[*insect.Sighting] {
	return custom.NewMemory[*insect.Sighting](insect.Resource("sightings"))
}
