package localrun

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"path/filepath"
	"time"

	"github.com/apiserver-boot/apiserver-boot/internal/certs"
)

// EtcdPKI is what secures the embedded etcd of a local run: a CA of its own,
// etcd's serving certificate for 127.0.0.1, its peer certificate, and the one
// client certificate etcd accepts, the apiserver's. Its own CA, so that no other certificate of
// the run (the admin's kubeconfig, say) opens etcd.
type EtcdPKI struct {
	Dir                      string
	CA, Server, Peer, Client *certs.KeyPair
}

// Paths of the etcd PKI files, relative to its Dir.
const (
	EtcdCACert     = "etcd-ca.crt"
	etcdCAKey      = "etcd-ca.key"
	etcdServerCert = "etcd-server.crt"
	etcdServerKey  = "etcd-server.key"
	etcdPeerCert   = "etcd-peer.crt"
	etcdPeerKey    = "etcd-peer.key"
	EtcdClientCert = "etcd-client.crt"
	EtcdClientKey  = "etcd-client.key"
)

// Path returns the absolute path of a file of the etcd PKI.
func (p *EtcdPKI) Path(name string) string { return filepath.Join(p.Dir, name) }

// EnsureEtcdPKI loads the etcd certificates in dir, or makes all of them
// anew if one is missing or expires within a day.
func EnsureEtcdPKI(dir string) (*EtcdPKI, error) {
	p := &EtcdPKI{Dir: dir}
	var err error
	load := func(crt, key string) *certs.KeyPair {
		if err != nil {
			return nil
		}
		var kp *certs.KeyPair
		kp, err = certs.Load(p.Path(crt), p.Path(key))
		if err == nil && time.Until(kp.Cert.NotAfter) < 24*time.Hour {
			err = fs.ErrNotExist
		}
		return kp
	}
	p.CA, p.Server = load(EtcdCACert, etcdCAKey), load(etcdServerCert, etcdServerKey)
	p.Peer, p.Client = load(etcdPeerCert, etcdPeerKey), load(EtcdClientCert, EtcdClientKey)
	switch {
	case err == nil:
		return p, nil
	case errors.Is(err, fs.ErrNotExist):
		return p, p.issue()
	default:
		return nil, fmt.Errorf("reading the local etcd certificates in %s (remove them or use --reset): %w", dir, err)
	}
}

func (p *EtcdPKI) issue() (err error) {
	if p.CA, err = certs.NewCA("apiserver-boot-local-etcd-ca", certs.Options{}); err != nil {
		return err
	}
	if p.Server, err = p.CA.NewServing("etcd", []string{"localhost"}, []net.IP{net.IPv4(127, 0, 0, 1)}, certs.Options{}); err != nil {
		return err
	}
	if p.Peer, err = p.CA.NewPeer("etcd", []string{"localhost"}, []net.IP{net.IPv4(127, 0, 0, 1)}, certs.Options{}); err != nil {
		return err
	}
	if p.Client, err = p.CA.NewClient("apiserver", nil, certs.Options{}); err != nil {
		return err
	}
	for _, f := range []struct {
		kp       *certs.KeyPair
		crt, key string
	}{{p.CA, EtcdCACert, etcdCAKey}, {p.Server, etcdServerCert, etcdServerKey}, {p.Peer, etcdPeerCert, etcdPeerKey}, {p.Client, EtcdClientCert, EtcdClientKey}} {
		if err := f.kp.Write(p.Path(f.crt), p.Path(f.key)); err != nil {
			return err
		}
	}
	return nil
}
