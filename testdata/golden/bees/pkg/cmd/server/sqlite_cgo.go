//go:build cgo

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

package server

// kine's SQLite depends on the build: with cgo, mattn/go-sqlite3 (SQLite's C
// code, compiled on the first build); without, modernc.org/sqlite (pure Go),
// as the Makefile and Dockerfile build (CGO_ENABLED=0). --storage-dsn is
// checked with the same one, so a build holds one SQLite, never two.
import _ "github.com/mattn/go-sqlite3" // registers the "sqlite3" database/sql driver

// sqliteDriver is the database/sql driver of kine's SQLite in this build.
const sqliteDriver = "sqlite3"
