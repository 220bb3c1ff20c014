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

// Package apiservertest runs this project's apiserver inside a test, as
// envtest does for controllers: the real server (storage, strategies,
// admission plugins, OpenAPI) on a fresh SQLite database through kine (no
// etcd), on a free loopback port, stopped when the test ends.
//
//	s := apiservertest.Start(t)
//	bees := s.Clientset.InsectV1alpha1().Bees("default")
package apiservertest

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/cert"

	"example.com/bees/pkg/cmd/server"
	clientset "example.com/bees/pkg/generated/clientset/versioned"
)

// Server is a running apiserver.
type Server struct {
	// Config reaches the server as its loopback client, a member of
	// system:masters: it may do anything.
	Config *rest.Config
	// Clientset and Dynamic are clients of Config.
	Clientset clientset.Interface
	Dynamic   dynamic.Interface
}

// Start starts a server for t, with extra flags as bin/apiserver takes them
// (e.g. "--disable-admission-plugins=BanDuplicates"), and stops it when t ends.
func Start(t testing.TB, flags ...string) *Server {
	t.Helper()
	s, err := start(t, flags)
	if err != nil {
		t.Fatalf("starting the apiserver: %v", err)
	}
	return s
}

func start(t testing.TB, flags []string) (*Server, error) {
	dir := t.TempDir()
	// --standalone wants a client CA; the test's clients use the loopback token instead.
	caPEM, _, err := cert.GenerateSelfSignedCertKey("apiservertest-ca", nil, nil)
	if err != nil {
		return nil, err
	}
	caFile := filepath.Join(dir, "client-ca.crt")
	if err := os.WriteFile(caFile, caPEM, 0o600); err != nil {
		return nil, err
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}

	o := server.NewOptions()
	fs := pflag.NewFlagSet("apiserver", pflag.ContinueOnError)
	o.AddFlags(fs)
	args := append([]string{
		"--standalone", "--client-ca-file", caFile,
		"--storage", "sqlite", "--storage-dsn", filepath.Join(dir, "state.db"),
		"--bind-address", "127.0.0.1", "--secure-port", strconv.Itoa(listener.Addr().(*net.TCPAddr).Port), "--cert-dir", dir,
	}, flags...)
	if err := fs.Parse(args); err != nil {
		listener.Close()
		return nil, err
	}
	o.RecommendedOptions.SecureServing.Listener = listener
	if err := o.ComponentGlobalsRegistry.Set(); err != nil {
		return nil, err
	}
	if err := o.Complete(); err != nil {
		return nil, err
	}
	if err := o.Validate(nil); err != nil {
		return nil, err
	}

	ctx, cancel := context.WithCancel(context.Background())
	srv, err := o.NewServer(ctx)
	if err != nil {
		cancel()
		return nil, err
	}
	var runErr error
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		runErr = srv.GenericAPIServer.PrepareRun().RunWithContext(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-stopped
		if runErr != nil && !errors.Is(runErr, context.Canceled) {
			t.Errorf("apiserver: %v", runErr)
		}
	})

	config := rest.CopyConfig(srv.GenericAPIServer.LoopbackClientConfig)
	client, err := clientset.NewForConfig(config)
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfig(config)
	if err != nil {
		return nil, err
	}
	// Ready: every post-start hook has run (informers started, ...).
	err = wait.PollUntilContextTimeout(ctx, 10*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		select {
		case <-stopped:
			return false, errors.Join(errors.New("the server stopped"), runErr)
		default:
		}
		status := 0
		client.Discovery().RESTClient().Get().AbsPath("/readyz").Do(ctx).StatusCode(&status)
		return status == 200, nil
	})
	if err != nil {
		cancel()
		return nil, err
	}
	return &Server{Config: config, Clientset: client, Dynamic: dyn}, nil
}
