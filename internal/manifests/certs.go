package manifests

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"path/filepath"
	"time"

	"github.com/apiserver-boot/apiserver-boot/internal/certs"
)

// ensureCerts loads the CA and serving certificate in dir, or makes them when
// missing or when rotate is set. Reused certificates must still fit: a
// serving certificate for other names, or expiring within 30 days, is an
// error that names --rotate-certs.
func ensureCerts(dir string, o Options) (ca *certs.KeyPair, created bool, err error) {
	var serving *certs.KeyPair
	paths := func(n string) (string, string) { return filepath.Join(dir, n+".crt"), filepath.Join(dir, n+".key") }
	caCrt, caKey := paths("ca")
	tlsCrt, tlsKey := paths("tls")
	if !o.RotateCerts {
		ca, err = certs.Load(caCrt, caKey)
		if err == nil {
			serving, err = certs.Load(tlsCrt, tlsKey)
		}
		switch {
		case err == nil:
			if verr := checkServing(ca, serving, o.ServiceHosts()); verr != nil {
				return nil, false, fmt.Errorf("%s/tls.crt: %w; run with --rotate-certs to make new certificates", dir, verr)
			}
			return ca, false, nil
		case !errors.Is(err, fs.ErrNotExist):
			return nil, false, fmt.Errorf("reading the certificates in %s (fix them or run with --rotate-certs): %w", dir, err)
		}
	}
	ca, err = certs.NewCA(o.Name+"-ca", certs.Options{KeyType: o.KeyType, Validity: caValidity})
	if err != nil {
		return nil, false, err
	}
	hosts := o.ServiceHosts()
	serving, err = ca.NewServing(hosts[0], hosts, nil, certs.Options{KeyType: o.KeyType, Validity: leafValidity})
	if err != nil {
		return nil, false, err
	}
	if err := ca.Write(caCrt, caKey); err != nil {
		return nil, false, err
	}
	if err := serving.Write(tlsCrt, tlsKey); err != nil {
		return nil, false, err
	}
	return ca, true, nil
}

func checkServing(ca, serving *certs.KeyPair, hosts []string) error {
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	for _, h := range hosts {
		if _, err := serving.Cert.Verify(x509.VerifyOptions{DNSName: h, Roots: pool, CurrentTime: time.Now().Add(rotateBefore)}); err != nil {
			return fmt.Errorf("not valid for %s for the next 30 days: %w", h, err)
		}
	}
	return nil
}

// etcdCerts are the etcd cluster's CA, the members' certificate (serving
// clients and peers, and presented to peers) and the apiserver's client
// certificate, in dir next to the serving certificate.
type etcdCerts struct{ ca, server, client *certs.KeyPair }

// Files of the etcd certificates in the certificates directory.
const (
	etcdCAFile     = "etcd-ca"
	etcdServerFile = "etcd-server"
	etcdClientFile = "etcd-client"
)

// ensureEtcdCerts loads the etcd certificates in dir or, when missing or
// with --rotate-certs, makes them; like the serving certificate, reused ones
// must fit the members' names and last 30 more days.
func ensureEtcdCerts(dir string, o Options) (created bool, err error) {
	paths := func(n string) (string, string) { return filepath.Join(dir, n+".crt"), filepath.Join(dir, n+".key") }
	var c etcdCerts
	if !o.RotateCerts {
		load := func(n string) *certs.KeyPair {
			if err != nil {
				return nil
			}
			var kp *certs.KeyPair
			kp, err = certs.Load(paths(n))
			return kp
		}
		c.ca, c.server, c.client = load(etcdCAFile), load(etcdServerFile), load(etcdClientFile)
		switch {
		case err == nil:
			if verr := checkServing(c.ca, c.server, []string{o.etcdMemberHost(0)}); verr != nil {
				return false, fmt.Errorf("%s/%s.crt: %w; run with --rotate-certs to make new certificates", dir, etcdServerFile, verr)
			}
			if time.Until(c.client.Cert.NotAfter) < rotateBefore {
				return false, fmt.Errorf("%s/%s.crt expires on %s; run with --rotate-certs to make new certificates", dir, etcdClientFile, c.client.Cert.NotAfter.Format(time.DateOnly))
			}
			return false, nil
		case !errors.Is(err, fs.ErrNotExist):
			return false, fmt.Errorf("reading the etcd certificates in %s (fix them or run with --rotate-certs): %w", dir, err)
		}
	}
	opts := certs.Options{KeyType: o.KeyType, Validity: leafValidity}
	if c.ca, err = certs.NewCA(o.EtcdName()+"-ca", certs.Options{KeyType: o.KeyType, Validity: caValidity}); err != nil {
		return false, err
	}
	if c.server, err = c.ca.NewPeer(o.EtcdName(), o.EtcdHosts(), []net.IP{net.IPv4(127, 0, 0, 1)}, opts); err != nil {
		return false, err
	}
	if c.client, err = c.ca.NewClient(o.Name, nil, opts); err != nil {
		return false, err
	}
	for n, kp := range map[string]*certs.KeyPair{etcdCAFile: c.ca, etcdServerFile: c.server, etcdClientFile: c.client} {
		crt, key := paths(n)
		if err := kp.Write(crt, key); err != nil {
			return false, err
		}
	}
	return true, nil
}
