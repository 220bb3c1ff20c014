// Package certs makes the certificates an aggregated apiserver needs, with
// crypto/x509 (no openssl): a CA, serving certificates for the server's
// service names, and client certificates whose organization is the user's
// group (e.g. system:masters).
package certs

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// KeyType is the kind of private key.
type KeyType string

const (
	ECDSA KeyType = "ecdsa" // P-256, the default: small and fast
	RSA   KeyType = "rsa"   // 2048 bits, for clients that need RSA
)

// KeyPair is a certificate and its private key.
type KeyPair struct {
	Cert    *x509.Certificate
	Key     crypto.Signer
	CertPEM []byte
	KeyPEM  []byte
}

// Options of a new certificate.
type Options struct {
	KeyType  KeyType       // default ECDSA
	Validity time.Duration // default one year; a leaf never outlives its CA
}

func (o Options) validity() time.Duration {
	if o.Validity <= 0 {
		return 365 * 24 * time.Hour
	}
	return o.Validity
}

func newKey(t KeyType) (crypto.Signer, error) {
	switch t {
	case "", ECDSA:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case RSA:
		return rsa.GenerateKey(rand.Reader, 2048)
	}
	return nil, fmt.Errorf("unknown key type %q (want ecdsa or rsa)", t)
}

// keyAndSerial makes the key and serial number of a new certificate.
func keyAndSerial(t KeyType) (crypto.Signer, *big.Int, error) {
	key, err := newKey(t)
	if err != nil {
		return nil, nil, err
	}
	sn, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	return key, sn, err
}

// NewCA returns a self-signed certificate authority.
func NewCA(commonName string, o Options) (*KeyPair, error) {
	key, sn, err := keyAndSerial(o.KeyType)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          sn,
		Subject:               pkix.Name{CommonName: commonName},
		NotBefore:             now.Add(-time.Minute),
		NotAfter:              now.Add(o.validity()),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	return sign(tmpl, tmpl, key, key)
}

// NewServing returns a serving certificate for the given DNS names and IPs,
// signed by ca.
func (ca *KeyPair) NewServing(commonName string, dnsNames []string, ips []net.IP, o Options) (*KeyPair, error) {
	return ca.issue(&x509.Certificate{
		Subject:     pkix.Name{CommonName: commonName},
		DNSNames:    dnsNames,
		IPAddresses: ips,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}, o)
}

// NewPeer returns a certificate for a member of a cluster (etcd's peers),
// which serves its peers and is their client too, signed by ca.
func (ca *KeyPair) NewPeer(commonName string, dnsNames []string, ips []net.IP, o Options) (*KeyPair, error) {
	return ca.issue(&x509.Certificate{
		Subject:     pkix.Name{CommonName: commonName},
		DNSNames:    dnsNames,
		IPAddresses: ips,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}, o)
}

// NewClient returns a client certificate for user name with the given groups
// (Kubernetes reads the user from CN and the groups from O), signed by ca.
func (ca *KeyPair) NewClient(user string, groups []string, o Options) (*KeyPair, error) {
	return ca.issue(&x509.Certificate{
		Subject:     pkix.Name{CommonName: user, Organization: groups},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}, o)
}

func (ca *KeyPair) issue(tmpl *x509.Certificate, o Options) (*KeyPair, error) {
	key, sn, err := keyAndSerial(o.KeyType)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl.SerialNumber = sn
	tmpl.NotBefore = now.Add(-time.Minute)
	tmpl.NotAfter = now.Add(o.validity())
	if tmpl.NotAfter.After(ca.Cert.NotAfter) {
		tmpl.NotAfter = ca.Cert.NotAfter
	}
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	if _, isRSA := key.(*rsa.PrivateKey); isRSA {
		tmpl.KeyUsage |= x509.KeyUsageKeyEncipherment
	}
	return sign(tmpl, ca.Cert, key, ca.Key)
}

func sign(tmpl, parent *x509.Certificate, key, parentKey crypto.Signer) (*KeyPair, error) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), parentKey)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return &KeyPair{
		Cert:    cert,
		Key:     key,
		CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		KeyPEM:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
	}, nil
}

// Write writes the certificate (mode 0644) and the key (mode 0600) as PEM files.
func (k *KeyPair) Write(certPath, keyPath string) error {
	for _, f := range []struct {
		path string
		data []byte
		mode os.FileMode
	}{{certPath, k.CertPEM, 0o644}, {keyPath, k.KeyPEM, 0o600}} {
		if err := os.MkdirAll(filepath.Dir(f.path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(f.path, f.data, f.mode); err != nil {
			return err
		}
		if err := os.Chmod(f.path, f.mode); err != nil {
			return err
		}
	}
	return nil
}

// Load reads a key pair written by Write.
func Load(certPath, keyPath string) (*KeyPair, error) {
	certPEM, err := os.ReadFile(certPath)
	if err != nil {
		return nil, err
	}
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, err
	}
	cb, _ := pem.Decode(certPEM)
	kb, _ := pem.Decode(keyPEM)
	if cb == nil || kb == nil {
		return nil, fmt.Errorf("%s or %s is not PEM", certPath, keyPath)
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", certPath, err)
	}
	key, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", keyPath, err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, errors.New(keyPath + ": not a signing key")
	}
	return &KeyPair{Cert: cert, Key: signer, CertPEM: certPEM, KeyPEM: keyPEM}, nil
}
