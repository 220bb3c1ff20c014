package localrun

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/apiserver-boot/apiserver-boot/internal/certs"
)

// PKI is the certificates of a local run: a CA, the apiserver's serving
// certificate for localhost, and an admin client certificate (group
// system:masters) that the kubeconfig and the manager use.
type PKI struct {
	Dir     string
	CA      *certs.KeyPair
	Serving *certs.KeyPair
	Admin   *certs.KeyPair
}

// Paths of the PKI files, relative to PKI.Dir.
const (
	caCert      = "ca.crt"
	caKey       = "ca.key"
	servingCert = "apiserver.crt"
	servingKey  = "apiserver.key"
	adminCert   = "admin.crt"
	adminKey    = "admin.key"
)

// Path returns the absolute path of a PKI file.
func (p *PKI) Path(name string) string { return filepath.Join(p.Dir, name) }

// EnsurePKI loads the certificates in dir, or makes them if any is missing
// or expires within a day.
func EnsurePKI(dir string) (*PKI, error) {
	p := &PKI{Dir: dir}
	var err error
	load := func(crt, key string) *certs.KeyPair {
		if err != nil {
			return nil
		}
		var kp *certs.KeyPair
		kp, err = certs.Load(filepath.Join(dir, crt), filepath.Join(dir, key))
		if err == nil && time.Until(kp.Cert.NotAfter) < 24*time.Hour {
			err = fs.ErrNotExist
		}
		return kp
	}
	p.CA, p.Serving, p.Admin = load(caCert, caKey), load(servingCert, servingKey), load(adminCert, adminKey)
	if err == nil {
		return p, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("reading the local certificates in %s (remove them or use --reset): %w", dir, err)
	}
	return newPKI(dir)
}

func newPKI(dir string) (*PKI, error) {
	ca, err := certs.NewCA("apiserver-boot-local-ca", certs.Options{})
	if err != nil {
		return nil, err
	}
	serving, err := ca.NewServing("localhost", []string{"localhost"}, []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}, certs.Options{})
	if err != nil {
		return nil, err
	}
	admin, err := ca.NewClient("admin", []string{"system:masters"}, certs.Options{})
	if err != nil {
		return nil, err
	}
	p := &PKI{Dir: dir, CA: ca, Serving: serving, Admin: admin}
	for _, w := range []struct {
		kp       *certs.KeyPair
		crt, key string
	}{{ca, caCert, caKey}, {serving, servingCert, servingKey}, {admin, adminCert, adminKey}} {
		if err := w.kp.Write(p.Path(w.crt), p.Path(w.key)); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// WriteKubeconfig writes a kubeconfig for the admin user of server. It
// verifies the server with the local CA: no insecure-skip-tls-verify.
func (p *PKI) WriteKubeconfig(path, server, namespace string) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["apiserver-boot-local"] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: p.CA.CertPEM}
	cfg.AuthInfos["admin"] = &clientcmdapi.AuthInfo{ClientCertificateData: p.Admin.CertPEM, ClientKeyData: p.Admin.KeyPEM}
	cfg.Contexts["apiserver-boot-local"] = &clientcmdapi.Context{Cluster: "apiserver-boot-local", AuthInfo: "admin", Namespace: namespace}
	cfg.CurrentContext = "apiserver-boot-local"
	return clientcmd.WriteToFile(*cfg, path)
}

// WaitReady polls server's /readyz as the admin until it answers ok. It
// gives up when ctx ends or when exited delivers (the server died).
func (p *PKI) WaitReady(ctx context.Context, server string, exited <-chan struct{}) error {
	pool := x509.NewCertPool()
	pool.AddCert(p.CA.Cert)
	clientCert, err := tls.X509KeyPair(p.Admin.CertPEM, p.Admin.KeyPEM)
	if err != nil {
		return err
	}
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{clientCert}},
	}}
	defer client.CloseIdleConnections()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, server+"/readyz", nil)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s/readyz: %w", server, ctx.Err())
		case <-exited:
			return errors.New("the apiserver exited before it was ready")
		case <-tick.C:
		}
	}
}

// ensureDir makes dir if needed.
func ensureDir(dir string) error { return os.MkdirAll(dir, 0o755) }
