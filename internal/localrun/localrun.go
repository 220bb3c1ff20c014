// Package localrun runs a project's extension control plane on this machine:
// an embedded etcd, the generated apiserver (standalone, client-certificate
// authentication) and the controller manager, with a kubeconfig for kubectl.
// It starts them in order, waits for readiness, prefixes their logs, and
// stops them in reverse order, leaving no process behind.
package localrun

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/apiserver-boot/apiserver-boot/internal/builder"
	"github.com/apiserver-boot/apiserver-boot/internal/model"
)

// StateDir is where a local run keeps its data, relative to the project
// (gitignored by the scaffold).
const StateDir = model.LocalDir + "/run"

// stopGrace is how long a child may take to stop after SIGTERM.
const stopGrace = 4 * time.Second

// Options configure a local run.
type Options struct {
	// Dir is the project root; binaries are read from Dir/bin.
	Dir string
	// Backend is the apiserver's backend: "" or etcd (embedded, or
	// EtcdServers), or sqlite, postgres or mysql through the kine the
	// apiserver embeds (no etcd is started).
	Backend string
	// BackendDSN is the database of a SQL Backend; for sqlite it defaults to
	// a file in the run's state directory.
	BackendDSN string
	// EtcdServers, if set, is an external etcd; otherwise one is embedded.
	EtcdServers string
	// EtcdPort is the embedded etcd's client port; its peer port is EtcdPort+1.
	EtcdPort int
	// SecurePort is the apiserver's HTTPS port on 127.0.0.1.
	SecurePort int
	// ManagerProbePort is the controller manager's health probe port.
	ManagerProbePort int
	// Manager runs the controller manager too.
	Manager bool
	// Reset wipes the data (etcd, certificates) of earlier runs first.
	Reset bool
	// Quiet hides the processes' logs.
	Quiet bool
	// Kubeconfig is where the admin kubeconfig is written, relative to Dir.
	Kubeconfig string
	// Log receives the processes' prefixed logs; Out the user-facing lines.
	Log, Out io.Writer
	// Ready, if set, is called once everything is up.
	Ready func()
	// Register, if set, registers the apiserver into an existing cluster
	// instead of running it standalone.
	Register *Registration
	// Build, if set, generates code and builds the binaries before running.
	Build *builder.Options
}

// Validate checks the storage flags before anything starts.
func (o *Options) Validate() error {
	if o.Backend == "" {
		o.Backend = model.BackendEtcd
	}
	if err := model.ValidateBackend(o.Backend); err != nil {
		return err
	}
	switch o.Backend {
	case model.BackendEtcd:
		if o.BackendDSN != "" {
			return fmt.Errorf("--storage-dsn is for --storage sqlite|postgres|mysql")
		}
	case model.BackendPostgres, model.BackendMySQL:
		if o.BackendDSN == "" {
			return fmt.Errorf("--storage %s needs --storage-dsn, the database URL (e.g. %s)", o.Backend, dsnExample[o.Backend])
		}
	}
	if o.sql() && o.EtcdServers != "" {
		return fmt.Errorf("--etcd-servers cannot be used with --storage %s", o.Backend)
	}
	return nil
}

var dsnExample = map[string]string{
	model.BackendPostgres: "postgres://user:password@127.0.0.1:5432/db?sslmode=disable",
	model.BackendMySQL:    "mysql://user:password@tcp(127.0.0.1:3306)/db",
}

// sql reports whether the apiserver keeps its objects in SQL through kine.
func (o *Options) sql() bool { return model.SQLBackend(o.Backend) }

// portFlag names the flag for each port, for the "port in use" message.
type portFlag struct {
	port int
	flag string
}

// Run starts the local control plane and blocks until ctx ends (Ctrl-C) or
// a process dies; either way it stops everything before returning.
func Run(ctx context.Context, o Options) (err error) {
	if err := o.Validate(); err != nil {
		return err
	}
	if o.Build != nil {
		if err := builder.Build(ctx, *o.Build); err != nil {
			return err
		}
	}
	state := filepath.Join(o.Dir, StateDir)
	apiserverBin := filepath.Join(o.Dir, model.APIServer.Path())
	managerBin := filepath.Join(o.Dir, model.Manager.Path())
	for _, b := range []string{apiserverBin, managerBin} {
		if b == managerBin && !o.Manager {
			continue
		}
		if _, err := os.Stat(b); err != nil {
			return fmt.Errorf("%s not found: build it with `apiserver-boot build executables` (or run without --build=false)", b)
		}
	}
	ports := []portFlag{{o.SecurePort, "--secure-port"}}
	if o.EtcdServers == "" && !o.sql() {
		ports = append(ports, portFlag{o.EtcdPort, "--etcd-port"}, portFlag{o.EtcdPort + 1, "--etcd-port (peer port, --etcd-port + 1)"})
	}
	if o.Manager {
		ports = append(ports, portFlag{o.ManagerProbePort, "--manager-probe-port"})
	}
	if err := checkPorts(ports); err != nil {
		return err
	}
	if o.Register != nil {
		if ip := AdvertisedIP(o.Register.AdvertiseHost); ip != nil {
			l, err := net.Listen("tcp", net.JoinHostPort(ip.String(), strconv.Itoa(o.SecurePort)))
			if err != nil {
				return fmt.Errorf("--advertise-host %s: the apiserver cannot listen there (%v): give an address of this machine that the cluster reaches", ip, err)
			}
			l.Close()
		}
	}
	if o.Reset {
		if err := os.RemoveAll(state); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(state, 0o755); err != nil {
		return err
	}

	logOut := o.Log
	if o.Quiet || logOut == nil {
		logOut = io.Discard
	}
	var logMu sync.Mutex
	colour := isTerminal(logOut)
	logFor := func(name string) io.Writer { return newPrefixWriter(&logMu, logOut, name, colour) }
	say := func(format string, args ...any) {
		logMu.Lock()
		defer logMu.Unlock()
		fmt.Fprintf(o.Out, format+"\n", args...)
	}

	start := time.Now()
	var reg *registrar
	var hosts []string
	if o.Register != nil {
		if reg, err = newRegistrar(o.Register); err != nil {
			return err
		}
		hosts = append(o.Register.Deployment.ServiceHosts(), o.Register.AdvertiseHost)
	}
	pki, err := EnsurePKI(filepath.Join(state, "pki"), hosts...)
	if err != nil {
		return err
	}

	etcdURL := o.EtcdServers
	var etcd *Etcd
	etcdErr := make(<-chan error)
	var etcdPKI *EtcdPKI
	if etcdURL == "" && !o.sql() {
		// Only the apiserver may reach etcd: any local user could otherwise
		// read and write every object behind its back.
		if etcdPKI, err = EnsureEtcdPKI(pki.Dir); err != nil {
			return err
		}
		etcd, err = StartEtcd(filepath.Join(state, "etcd"), o.EtcdPort, o.EtcdPort+1, logFor("etcd"), etcdPKI)
		if err != nil {
			return &ChildExitError{Name: "etcd", Err: err}
		}
		defer etcd.Close()
		etcdURL, etcdErr = etcd.ClientURL, etcd.Err()
	}

	// Children are stopped together on the way out (SIGTERM, then SIGKILL
	// after stopGrace): shutting down takes one grace period at most, not one
	// per child, and etcd (closed after them) outlives its clients.
	var children []*child
	defer func() {
		var wg sync.WaitGroup
		for _, c := range children {
			wg.Add(1)
			go func() { defer wg.Done(); c.stop(stopGrace) }()
		}
		wg.Wait()
	}()

	// Loopback, unless the cluster reaches this machine at an address of its
	// own: then there, and clients here use it too.
	bind := "127.0.0.1"
	if o.Register != nil && AdvertisedIP(o.Register.AdvertiseHost) != nil {
		bind = AdvertisedIP(o.Register.AdvertiseHost).String()
	}
	server := "https://" + net.JoinHostPort(bind, strconv.Itoa(o.SecurePort))
	var args, env []string
	if o.sql() {
		dsn := o.BackendDSN
		if dsn == "" { // sqlite
			dsn = filepath.Join(state, "kine", "state.db")
		}
		// In the environment, not the arguments: every user of the machine
		// can read a process's arguments, and a URL holds a password.
		args = append(args, "--storage", o.Backend)
		env = append(env, "STORAGE_DSN="+dsn)
	} else {
		args = append(args, "--etcd-servers", etcdURL)
		if etcdPKI != nil {
			args = append(args, "--etcd-cafile", etcdPKI.Path(EtcdCACert),
				"--etcd-certfile", etcdPKI.Path(EtcdClientCert), "--etcd-keyfile", etcdPKI.Path(EtcdClientKey))
		}
	}
	args = append(args,
		"--bind-address", bind,
		"--secure-port", strconv.Itoa(o.SecurePort),
		"--tls-cert-file", pki.Path(servingCert),
		"--tls-private-key-file", pki.Path(servingKey),
	)
	if reg == nil {
		args = append(args, "--standalone", "--client-ca-file", pki.Path(caCert))
	} else {
		identity := filepath.Join(state, "apiserver.kubeconfig")
		// Whatever prepare and register made is removed on every way out.
		defer func() {
			if uerr := reg.unregister(); uerr != nil && err == nil {
				err = uerr
			}
		}()
		if err := reg.prepare(ctx, identity); err != nil {
			return err
		}
		args = append(args, "--kubeconfig", identity, "--authentication-kubeconfig", identity, "--authorization-kubeconfig", identity)
	}
	apiserver, err := startChild(model.APIServer.Name, apiserverBin, args, env, o.Dir, logFor(model.APIServer.Name))
	if err != nil {
		return err
	}
	children = append(children, apiserver)

	readyCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	err = pki.WaitReady(readyCtx, server, apiserver.exited, reg == nil)
	cancel()
	if err != nil {
		if errContext(err) && ctx.Err() != nil {
			return nil // interrupted while starting
		}
		select {
		case <-apiserver.exited:
			return &ChildExitError{Name: model.APIServer.Name, Err: apiserver.err}
		default:
			return err
		}
	}
	kubeconfig, shown := filepath.Join(o.Dir, o.Kubeconfig), o.Kubeconfig
	if reg != nil {
		if err := reg.register(ctx, o.SecurePort, pki.CA.CertPEM); err != nil {
			return err
		}
		kubeconfig, shown = o.Register.Kubeconfig, o.Register.Kubeconfig
		say("registered with the cluster of %s: APIServices Available", kubeconfig)
	} else if err := pki.WriteKubeconfig(kubeconfig, server, "default"); err != nil {
		return err
	}

	var manager *child
	managerExited := make(<-chan struct{})
	if o.Manager {
		manager, err = startChild(model.Manager.Name, managerBin, []string{
			"--kubeconfig", kubeconfig,
			"--health-probe-bind-address", "127.0.0.1:" + strconv.Itoa(o.ManagerProbePort),
			"--metrics-bind-address", "0",
		}, nil, o.Dir, logFor(model.Manager.Name))
		if err != nil {
			return err
		}
		children = append(children, manager)
		managerExited = manager.exited
	}

	say("apiserver ready at %s in %s; try:\n  kubectl --kubeconfig %s api-resources", server, time.Since(start).Round(time.Millisecond), shown)
	if o.Ready != nil {
		o.Ready()
	}

	select {
	case <-ctx.Done():
		say("stopping")
		return nil
	case <-apiserver.exited:
		return &ChildExitError{Name: model.APIServer.Name, Err: apiserver.err}
	case <-managerExited:
		return &ChildExitError{Name: model.Manager.Name, Err: manager.err}
	case err := <-etcdErr:
		return &ChildExitError{Name: "etcd", Err: err}
	}
}

// checkPorts fails, naming the port and its flag, if a port is taken.
func checkPorts(ports []portFlag) error {
	for _, p := range ports {
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p.port)))
		if err != nil {
			if errors.Is(err, syscall.EADDRINUSE) {
				return fmt.Errorf("port %d is already in use: choose another with %s", p.port, p.flag)
			}
			return fmt.Errorf("cannot listen on port %d (%s): %w", p.port, p.flag, err)
		}
		l.Close()
	}
	return nil
}
