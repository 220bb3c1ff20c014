package certs

import (
	"crypto/rsa"
	"crypto/x509"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestChain(t *testing.T) {
	for _, kt := range []KeyType{ECDSA, RSA} {
		t.Run(string(kt), func(t *testing.T) {
			ca, err := NewCA("test-ca", Options{KeyType: kt, Validity: 24 * time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			// A leaf asked to live longer than its CA is cut to the CA's lifetime.
			serving, err := ca.NewServing("api.ns.svc", []string{"api.ns.svc", "api.ns.svc.cluster.local"}, []net.IP{net.ParseIP("127.0.0.1")}, Options{KeyType: kt, Validity: 10 * 365 * 24 * time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			if serving.Cert.NotAfter.After(ca.Cert.NotAfter) {
				t.Fatal("the leaf outlives the CA")
			}
			pool := x509.NewCertPool()
			pool.AddCert(ca.Cert)
			if _, err := serving.Cert.Verify(x509.VerifyOptions{DNSName: "api.ns.svc.cluster.local", Roots: pool}); err != nil {
				t.Fatalf("serving certificate does not verify: %v", err)
			}
			client, err := ca.NewClient("admin", []string{"system:masters"}, Options{KeyType: kt})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := client.Cert.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
				t.Fatalf("client certificate does not verify: %v", err)
			}
			if client.Cert.Subject.Organization[0] != "system:masters" {
				t.Fatal("group not in O")
			}
			if _, isRSA := client.Key.(*rsa.PrivateKey); isRSA != (kt == RSA) {
				t.Fatalf("key type %T for %s", client.Key, kt)
			}

			dir := t.TempDir()
			crt, key := filepath.Join(dir, "a.crt"), filepath.Join(dir, "a.key")
			if err := client.Write(crt, key); err != nil {
				t.Fatal(err)
			}
			if info, _ := os.Stat(key); info.Mode().Perm() != 0o600 {
				t.Fatalf("key mode %v, want 0600", info.Mode().Perm())
			}
			loaded, err := Load(crt, key)
			if err != nil || !loaded.Cert.Equal(client.Cert) {
				t.Fatalf("Load: %v", err)
			}
		})
	}
}
