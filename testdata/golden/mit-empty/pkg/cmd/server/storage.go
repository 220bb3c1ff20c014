/*
Copyright (c) 2026 Jane Doe

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
*/

package server

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver, to check --storage-dsn
	"github.com/k3s-io/kine/pkg/drivers"
	"github.com/k3s-io/kine/pkg/drivers/generic"
	_ "github.com/k3s-io/kine/pkg/drivers/mysql"  // kine's mysql:// backend
	_ "github.com/k3s-io/kine/pkg/drivers/pgsql"  // kine's postgres:// backend
	_ "github.com/k3s-io/kine/pkg/drivers/sqlite" // kine's sqlite:// backend
	kine "github.com/k3s-io/kine/pkg/server"
	"github.com/spf13/pflag"
	"go.etcd.io/etcd/server/v3/embed"
	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"

	genericoptions "k8s.io/apiserver/pkg/server/options"
	"k8s.io/klog/v2"
)

// The backends the generic registry can keep objects in. etcd is the
// default. The others are SQL databases reached through kine
// (github.com/k3s-io/kine), which runs inside this process and speaks
// etcd's API to the apiserver on a private unix socket (mode 0600).
const (
	StorageEtcd     = "etcd"
	StorageSQLite   = "sqlite"
	StoragePostgres = "postgres"
	StorageMySQL    = "mysql"
)

// DSNEnv names the environment variable the server reads its database URL
// from when --storage-dsn is not given. A URL holds a password, and every
// user of a machine can read a process's arguments (/proc/<pid>/cmdline);
// its environment only the process's own user can.
const DSNEnv = "STORAGE_DSN"

// StorageOptions choose where objects are kept.
type StorageOptions struct {
	// Backend is one of etcd, sqlite, postgres, mysql.
	Backend string
	// DSN is the database of a SQL backend: a file for sqlite, a URL for
	// postgres (postgres://user:password@host:5432/db?sslmode=verify-full) and
	// mysql (mysql://user:password@tcp(host:3306)/db?tls=true). Empty, it is
	// read from $STORAGE_DSN.
	DSN string
	// ConnectTimeout bounds the wait for a postgres or mysql server at start.
	ConnectTimeout time.Duration

	// socket is kine's unix socket, set by Complete.
	socket string
}

// NewStorageOptions returns the defaults: etcd.
func NewStorageOptions() *StorageOptions {
	return &StorageOptions{Backend: StorageEtcd, ConnectTimeout: 15 * time.Second}
}

// AddFlags adds --storage, --storage-dsn and --storage-connect-timeout.
func (o *StorageOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Backend, "storage", o.Backend, ""+
		"Where objects are kept: etcd (see --etcd-servers), or a SQL database through kine, embedded in "+
		"this server: sqlite (one replica; --storage-dsn is a file), postgres or mysql (any number of "+
		"replicas; --storage-dsn is the database URL).")
	fs.StringVar(&o.DSN, "storage-dsn", o.DSN, ""+
		"The database of --storage=sqlite|postgres|mysql: a file path, "+
		"postgres://user:password@host:5432/db?sslmode=verify-full or mysql://user:password@tcp(host:3306)/db?tls=true. "+
		"Unset, it is read from $"+DSNEnv+", the place for a URL with a password: "+
		"every user of the machine can read a process's arguments.")
	fs.DurationVar(&o.ConnectTimeout, "storage-connect-timeout", o.ConnectTimeout,
		"How long to wait at start for the postgres or mysql server of --storage-dsn.")
}

// SQL reports whether objects are kept in a SQL database through kine.
func (o *StorageOptions) SQL() bool { return o.Backend != StorageEtcd }

// Complete points the apiserver's etcd client at kine's socket.
func (o *StorageOptions) Complete(etcd *genericoptions.EtcdOptions) error {
	if !o.SQL() {
		return nil
	}
	if o.DSN == "" {
		o.DSN = os.Getenv(DSNEnv)
	} else if hasPassword(o.DSN) {
		klog.Warningf("--storage-dsn holds a password, which every user of this machine can read in the process's arguments: set $%s instead", DSNEnv)
	}
	if len(etcd.StorageConfig.Transport.ServerList) > 0 {
		return fmt.Errorf("--etcd-servers cannot be used with --storage=%s: the server runs its own kine", o.Backend)
	}
	// A new private directory per server (a test process may run several,
	// pkg/apiservertest): made here with a name no other user can take first.
	dir, err := os.MkdirTemp("", "kine-")
	if err != nil {
		return fmt.Errorf("--storage=%s: a directory for kine's socket: %w", o.Backend, err)
	}
	o.socket = filepath.Join(dir, "kine.sock")
	etcd.StorageConfig.Transport.ServerList = []string{"unix://" + o.socket}
	return nil
}

// Validate checks the backend and its DSN without changing anything.
func (o *StorageOptions) Validate() []error {
	switch o.Backend {
	case StorageEtcd:
		if o.DSN != "" {
			return []error{fmt.Errorf("--storage-dsn is for --storage=sqlite|postgres|mysql; etcd is set with --etcd-servers")}
		}
		return nil
	case StorageSQLite:
		if o.DSN == "" {
			return []error{fmt.Errorf("--storage=sqlite needs --storage-dsn, the database file (e.g. /var/lib/empty/state.db)")}
		}
		if err := checkSQLiteFile(sqlitePath(o.DSN)); err != nil {
			return []error{err}
		}
		return nil
	case StoragePostgres, StorageMySQL:
		if o.DSN == "" {
			return []error{fmt.Errorf("--storage=%s needs the database URL in $%s (or --storage-dsn)", o.Backend, DSNEnv)}
		}
		postgresql := o.Backend == StoragePostgres && strings.HasPrefix(o.DSN, "postgresql://")
		if !strings.HasPrefix(o.DSN, o.Backend+"://") && !postgresql {
			return []error{fmt.Errorf("--storage-dsn for --storage=%s must be a URL starting with %s://", o.Backend, o.Backend)}
		}
		return nil
	default:
		return []error{fmt.Errorf("unknown --storage %q: use etcd, sqlite, postgres or mysql", o.Backend)}
	}
}

// Start starts kine for a SQL backend and returns once it serves on the
// socket; kine stops when ctx ends. For etcd it does nothing.
func (o *StorageOptions) Start(ctx context.Context) error {
	if !o.SQL() {
		return nil
	}
	endpointURL := o.DSN
	switch o.Backend {
	case StorageSQLite:
		path := sqlitePath(o.DSN)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return fmt.Errorf("--storage-dsn: %w", err)
		}
		endpointURL = "sqlite://" + o.DSN
		if !strings.Contains(o.DSN, "?") {
			// Write-ahead logging: readers do not wait for writers.
			endpointURL += "?_journal_mode=WAL&_busy_timeout=30000&_synchronous=NORMAL&_txlock=immediate"
		}
	default:
		if err := o.ping(ctx); err != nil {
			return err
		}
	}
	if err := o.serveKine(ctx, endpointURL); err != nil {
		os.RemoveAll(filepath.Dir(o.socket))
		return err
	}
	return nil
}

// serveKine serves kine's etcd API for the database at endpointURL on the
// socket until ctx ends. It is what kine's endpoint.Listen does for a unix
// socket, written out because that package links every backend kine has
// (NATS, t4 with an S3 client, pebble: about 230 packages) where this server
// offers the three SQL drivers imported above.
func (o *StorageOptions) serveKine(ctx context.Context, endpointURL string) error {
	// The backend outlives ctx by the gRPC server's graceful stop.
	backendCtx, stopBackend := context.WithCancel(context.Background())
	_, backend, err := drivers.New(backendCtx, &sync.WaitGroup{}, &drivers.Config{
		Endpoint: endpointURL,
		// kine's own defaults (its command line's); compaction is left to
		// the apiserver (--etcd-compaction-interval).
		ConnectionPoolConfig: generic.ConnectionPoolConfig{MaxIdle: 20, MaxIdleTime: 2 * time.Minute},
		PollInterval:         time.Second,
		CompactTimeout:       5 * time.Second,
		CompactMinRetain:     1000,
		CompactBatchSize:     1000,
		PollBatchSize:        500,
	})
	if err == nil {
		err = backend.Start(backendCtx)
	}
	if err != nil {
		stopBackend()
		return fmt.Errorf("--storage=%s: %w", o.Backend, err)
	}
	listener, err := net.Listen("unix", o.socket)
	if err == nil {
		err = os.Chmod(o.socket, 0o600)
	}
	if err != nil {
		stopBackend()
		return fmt.Errorf("--storage=%s: kine's socket: %w", o.Backend, err)
	}
	// etcd's own gRPC limits and keepalives, as kine sets them.
	grpcServer := grpc.NewServer(
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: embed.DefaultGRPCKeepAliveMinTime}),
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: embed.DefaultGRPCKeepAliveInterval, Timeout: embed.DefaultGRPCKeepAliveTimeout}),
		grpc.MaxConcurrentStreams(embed.DefaultMaxConcurrentStreams),
		grpc.MaxRecvMsgSize(int(embed.DefaultMaxRequestBytes)+512*1024),
		grpc.MaxSendMsgSize(math.MaxInt32),
	)
	// The apiserver serves consistent lists from its watch cache only if the
	// backend says it supports watch progress requests (etcd ≥ 3.4.31 or
	// 3.5.13) and sends progress notifications: kine emulates both.
	kine.New(backend, "unix", 5*time.Second, "3.6.11").Register(grpcServer)
	go func() {
		if err := grpcServer.Serve(listener); err != nil {
			klog.ErrorS(err, "kine's gRPC server stopped")
		}
	}()
	go func() {
		<-ctx.Done()
		stop := time.AfterFunc(2*time.Second, grpcServer.Stop)
		grpcServer.GracefulStop()
		stop.Stop()
		stopBackend()
		os.RemoveAll(filepath.Dir(o.socket))
	}()
	return nil
}

// ping waits until the database of a postgres or mysql DSN answers, so an
// unreachable server is one clear error rather than minutes of retries.
func (o *StorageOptions) ping(ctx context.Context) error {
	driver, dsn := "pgx", o.DSN
	if o.Backend == StorageMySQL {
		driver, dsn = "mysql", strings.TrimPrefix(o.DSN, "mysql://")
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return fmt.Errorf("--storage-dsn: %w", err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(ctx, o.ConnectTimeout)
	defer cancel()
	for {
		err := db.PingContext(ctx)
		var pgErr *pgconn.PgError
		var myErr *mysql.MySQLError
		switch {
		case err == nil:
			return nil
		case errors.As(err, &pgErr) && pgErr.Code == "3D000", errors.As(err, &myErr) && myErr.Number == 1049:
			return nil // the server answers; the database does not exist yet, and kine creates it
		case errors.As(err, &pgErr), errors.As(err, &myErr):
			// The server answers and refuses (a wrong password, say): waiting will not help.
			return fmt.Errorf("the %s server of --storage-dsn (%s) refuses: %v", o.Backend, redact(o.DSN), err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("cannot reach the %s server of --storage-dsn (%s) within %s: %v", o.Backend, redact(o.DSN), o.ConnectTimeout, err)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// sqlitePath is the file of a sqlite DSN (which may carry ?parameters).
func sqlitePath(dsn string) string {
	path, _, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	return path
}

// checkSQLiteFile refuses a file that is not an empty or kine database, so
// kine never writes its table into someone else's data.
func checkSQLiteFile(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil // kine creates it
	}
	if err != nil {
		return fmt.Errorf("--storage-dsn: %w", err)
	}
	header := make([]byte, 16)
	n, err := io.ReadFull(f, header)
	f.Close()
	if n == 0 && (err == io.EOF) {
		return nil // an empty file: a new database
	}
	if !bytes.Equal(header[:n], []byte("SQLite format 3\x00")) {
		return fmt.Errorf("--storage-dsn: %s is not a SQLite database", path)
	}
	db, err := sql.Open(sqliteDriver, "file:"+path+"?mode=ro")
	if err != nil {
		return fmt.Errorf("--storage-dsn: %w", err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
	if err != nil {
		return fmt.Errorf("--storage-dsn: reading %s: %w", path, err)
	}
	defer rows.Close()
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return err
		}
		if name == "kine" {
			return nil
		}
		tables = append(tables, name)
	}
	if len(tables) > 0 {
		return fmt.Errorf("--storage-dsn: %s is not a kine database (it has the tables %s and no table kine)", path, strings.Join(tables, ", "))
	}
	return rows.Err()
}

// redact hides the password of a DSN in messages.
// hasPassword reports whether a postgres or mysql URL carries a password
// (user:password@…); mysql's tcp(host:port) form is no URL net/url parses.
func hasPassword(dsn string) bool {
	_, rest, ok := strings.Cut(dsn, "://")
	if !ok {
		return false
	}
	userinfo, _, ok := strings.Cut(rest, "@")
	return ok && strings.Contains(userinfo, ":")
}

func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		return u.Redacted()
	}
	return "…"
}
