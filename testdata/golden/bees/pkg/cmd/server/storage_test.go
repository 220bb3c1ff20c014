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

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	genericoptions "k8s.io/apiserver/pkg/server/options"
	"k8s.io/apiserver/pkg/storage/storagebackend"
)

// TestOneSQLite checks that the build holds one SQLite: the one kine uses
// (mattn/go-sqlite3 with cgo, modernc.org/sqlite without), and that
// --storage-dsn is checked with it.
func TestOneSQLite(t *testing.T) {
	var registered []string
	for _, d := range sql.Drivers() {
		if d == "sqlite" || d == "sqlite3" {
			registered = append(registered, d)
		}
	}
	if len(registered) != 1 || registered[0] != sqliteDriver {
		t.Fatalf("SQLite drivers in this build: %v, want only %s (kine's)", registered, sqliteDriver)
	}
}

// TestCheckSQLiteFile: kine may use a new, empty or kine file; any other
// file is refused before anything writes to it.
func TestCheckSQLiteFile(t *testing.T) {
	dir := t.TempDir()
	sqlite := func(name string, statements ...string) string {
		path := filepath.Join(dir, name)
		db, err := sql.Open(sqliteDriver, path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for _, s := range statements {
			if _, err := db.Exec(s); err != nil {
				t.Fatal(err)
			}
		}
		return path
	}
	text := filepath.Join(dir, "notes.txt")
	empty := filepath.Join(dir, "empty.db")
	for path, content := range map[string]string{text: "not a database", empty: ""} {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		path, wantErr string
	}{
		{filepath.Join(dir, "missing.db"), ""},
		{empty, ""},
		{sqlite("kine.db", "CREATE TABLE kine (id INTEGER PRIMARY KEY)"), ""},
		{sqlite("fresh.db", "PRAGMA user_version = 0"), ""},
		{text, "is not a SQLite database"},
		{sqlite("shop.db", "CREATE TABLE invoices (id INTEGER)"), "is not a kine database (it has the tables invoices and no table kine)"},
	} {
		err := checkSQLiteFile(c.path)
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("%s: %v", filepath.Base(c.path), err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%s: %v, want an error saying %q", filepath.Base(c.path), err, c.wantErr)
		}
	}
}

func TestStorageOptionsValidate(t *testing.T) {
	for _, c := range []struct {
		backend, dsn, wantErr string
	}{
		{StorageEtcd, "", ""},
		{StorageEtcd, "postgres://db", "--storage-dsn is for"},
		{StorageSQLite, "", "needs --storage-dsn"},
		{StoragePostgres, "postgres://kine@db:5432/kine", ""},
		{StoragePostgres, "postgresql://kine@db:5432/kine", ""},
		{StoragePostgres, "host=db user=kine", "must be a URL starting with postgres://"},
		{StorageMySQL, "mysql://kine@tcp(db:3306)/kine", ""},
		{"cassandra", "", `unknown --storage "cassandra"`},
	} {
		o := &StorageOptions{Backend: c.backend, DSN: c.dsn}
		errs := o.Validate()
		switch {
		case c.wantErr == "" && len(errs) > 0:
			t.Errorf("%s %q: %v", c.backend, c.dsn, errs)
		case c.wantErr != "" && (len(errs) != 1 || !strings.Contains(errs[0].Error(), c.wantErr)):
			t.Errorf("%s %q: %v, want one error saying %q", c.backend, c.dsn, errs, c.wantErr)
		}
	}
	if got := redact("postgres://kine:secret@db:5432/kine"); strings.Contains(got, "secret") {
		t.Errorf("redact left the password: %s", got)
	}
}

// TestDSNFromEnvironment: a database URL with a password can stay out of
// the process's arguments; a flag still wins over the environment.
func TestDSNFromEnvironment(t *testing.T) {
	const fromEnv = "postgres://kine:secret@db:5432/kine?sslmode=verify-full"
	t.Setenv(DSNEnv, fromEnv)
	for _, c := range []struct{ flag, want string }{
		{flag: "", want: fromEnv},
		{flag: "postgres://other@db/kine", want: "postgres://other@db/kine"},
	} {
		o := &StorageOptions{Backend: StoragePostgres, DSN: c.flag}
		if err := o.Complete(genericoptions.NewEtcdOptions(storagebackend.NewDefaultConfig("/registry", nil))); err != nil {
			t.Fatal(err)
		}
		os.RemoveAll(filepath.Dir(o.socket))
		if o.DSN != c.want {
			t.Errorf("--storage-dsn %q with $%s set: the DSN is %q, want %q", c.flag, DSNEnv, o.DSN, c.want)
		}
		if errs := o.Validate(); len(errs) > 0 {
			t.Errorf("%q: %v", o.DSN, errs)
		}
	}
	for dsn, want := range map[string]bool{
		fromEnv: true,
		"mysql://kine:pw@tcp(db:3306)/kine?tls=true": true,
		"postgres://kine@db:5432/kine":               false,
		"mysql://kine@tcp(db:3306)/kine":             false,
	} {
		if got := hasPassword(dsn); got != want {
			t.Errorf("hasPassword(%q) = %v, want %v", dsn, got, want)
		}
	}
}

// TestKineSocketIsPrivate: kine answers etcd's API on a socket only this
// user can open, in a directory of its own that no one could make first (a
// new one per server), removed when kine stops.
func TestKineSocketIsPrivate(t *testing.T) {
	o := &StorageOptions{Backend: StorageSQLite, DSN: filepath.Join(t.TempDir(), "state.db")}
	if err := o.Complete(genericoptions.NewEtcdOptions(storagebackend.NewDefaultConfig("/registry", nil))); err != nil {
		t.Fatal(err)
	}
	other := &StorageOptions{Backend: StorageSQLite}
	if err := other.Complete(genericoptions.NewEtcdOptions(storagebackend.NewDefaultConfig("/registry", nil))); err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(filepath.Dir(other.socket))
	if filepath.Dir(other.socket) == filepath.Dir(o.socket) {
		t.Fatalf("two servers share the socket directory %s", filepath.Dir(o.socket))
	}
	if info, err := os.Stat(filepath.Dir(o.socket)); err != nil || info.Mode().Perm() != 0o700 {
		t.Fatalf("the socket's directory: %v, %v; want mode 0700", info, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := o.Start(ctx); err != nil {
		cancel()
		t.Fatal(err)
	}
	defer func() {
		cancel()
		// Start's cleanup removes the socket's directory once kine stops.
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if _, err := os.Stat(filepath.Dir(o.socket)); os.IsNotExist(err) {
				return
			}
		}
		t.Errorf("%s is still there after kine stopped", filepath.Dir(o.socket))
	}()
	info, err := os.Stat(o.socket)
	if err != nil || info.Mode().Type() != os.ModeSocket || info.Mode().Perm() != 0o600 {
		t.Fatalf("kine's socket: %v, %v", info, err)
	}
	client, err := clientv3.New(clientv3.Config{Endpoints: []string{"unix://" + o.socket}, DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	reqCtx, done := context.WithTimeout(ctx, 10*time.Second)
	defer done()
	if _, err := client.Put(reqCtx, "/registry/test", "value"); err != nil {
		t.Fatalf("put through kine: %v", err)
	}
	if resp, err := client.Get(reqCtx, "/registry/test"); err != nil || len(resp.Kvs) != 1 || string(resp.Kvs[0].Value) != "value" {
		t.Fatalf("get through kine: %v, %v", resp, err)
	}
}
