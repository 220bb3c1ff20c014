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
// or expires within a day. The serving certificate is for localhost,
// 127.0.0.1 and hosts; one that lacks a host is reissued from the same CA.
func EnsurePKI(dir string, hosts ...string) (*PKI, error) {
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
	switch {
	case err == nil:
		if coversHosts(p, hosts) {
			return p, nil
		}
		return p, p.issueServing(hosts)
	case errors.Is(err, fs.ErrNotExist):
		return newPKI(dir, hosts)
	default:
		return nil, fmt.Errorf("reading the local certificates in %s (remove them or use --reset): %w", dir, err)
	}
}

func coversHosts(p *PKI, hosts []string) bool {
	pool := x509.NewCertPool()
	pool.AddCert(p.CA.Cert)
	for _, h := range append([]string{"localhost"}, hosts...) {
		if _, err := p.Serving.Cert.Verify(x509.VerifyOptions{DNSName: h, Roots: pool}); err != nil {
			return false
		}
	}
	return true
}

func newPKI(dir string, hosts []string) (*PKI, error) {
	ca, err := certs.NewCA("apiserver-boot-local-ca", certs.Options{})
	if err != nil {
		return nil, err
	}
	admin, err := ca.NewClient("admin", []string{"system:masters"}, certs.Options{})
	if err != nil {
		return nil, err
	}
	p := &PKI{Dir: dir, CA: ca, Admin: admin}
	if err := ca.Write(p.Path(caCert), p.Path(caKey)); err != nil {
		return nil, err
	}
	if err := admin.Write(p.Path(adminCert), p.Path(adminKey)); err != nil {
		return nil, err
	}
	return p, p.issueServing(hosts)
}

// issueServing makes the serving certificate for localhost, the loopback
// addresses and hosts (e.g. <service>.<namespace>.svc, which the aggregator
// verifies whatever address it dials).
func (p *PKI) issueServing(hosts []string) error {
	names, ips := []string{"localhost"}, []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			ips = append(ips, ip)
		} else {
			names = append(names, h)
		}
	}
	serving, err := p.CA.NewServing("localhost", names, ips, certs.Options{})
	if err != nil {
		return err
	}
	p.Serving = serving
	return serving.Write(p.Path(servingCert), p.Path(servingKey))
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

// WaitReady polls server's /readyz until it answers ok: as the admin, or
// anonymously (asAdmin false) when the server authenticates clients with the
// cluster's CA, which did not sign the admin. It gives up when ctx ends or
// when exited is closed (the server died).
func (p *PKI) WaitReady(ctx context.Context, server string, exited <-chan struct{}, asAdmin bool) error {
	pool := x509.NewCertPool()
	pool.AddCert(p.CA.Cert)
	tlsConfig := &tls.Config{RootCAs: pool}
	if asAdmin {
		clientCert, err := tls.X509KeyPair(p.Admin.CertPEM, p.Admin.KeyPEM)
		if err != nil {
			return err
		}
		tlsConfig.Certificates = []tls.Certificate{clientCert}
	}
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: tlsConfig}}
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
