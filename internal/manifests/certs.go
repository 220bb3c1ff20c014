package manifests

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
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
