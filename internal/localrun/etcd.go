package localrun

import (
	"fmt"
	"io"
	"net/url"
	"sync/atomic"
	"time"

	"go.etcd.io/etcd/client/pkg/v3/transport"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Etcd is an etcd server running inside this process.
type Etcd struct {
	server    *embed.Etcd
	ClientURL string
	log       *closableWriter
}

// closableWriter drops writes once closed: etcd logs its listeners closing
// as errors, which are noise when we are the ones stopping it.
type closableWriter struct {
	w      io.Writer
	closed atomic.Bool
}

func (c *closableWriter) Write(p []byte) (int, error) {
	if c.closed.Load() {
		return len(p), nil
	}
	return c.w.Write(p)
}

// StartEtcd starts an embedded etcd with its data in dir, serving clients on
// 127.0.0.1:clientPort and peers on 127.0.0.1:peerPort. With pki, clients
// and peers speak TLS and must present a certificate of its CA; without,
// plain HTTP (for tests). Warnings and errors are logged to log. It returns when etcd
// is ready.
func StartEtcd(dir string, clientPort, peerPort int, log io.Writer, pki *EtcdPKI) (*Etcd, error) {
	cfg := embed.NewConfig()
	cfg.Dir = dir
	scheme := "http"
	if pki != nil {
		scheme = "https"
		cfg.ClientTLSInfo = transport.TLSInfo{
			CertFile: pki.Path(etcdServerCert), KeyFile: pki.Path(etcdServerKey),
			TrustedCAFile: pki.Path(EtcdCACert), ClientCertAuth: true,
		}
		cfg.PeerTLSInfo = transport.TLSInfo{
			CertFile: pki.Path(etcdPeerCert), KeyFile: pki.Path(etcdPeerKey),
			TrustedCAFile: pki.Path(EtcdCACert), ClientCertAuth: true,
		}
	}
	cu, _ := url.Parse(fmt.Sprintf("%s://127.0.0.1:%d", scheme, clientPort))
	pu, _ := url.Parse(fmt.Sprintf("%s://127.0.0.1:%d", scheme, peerPort))
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*cu}, []url.URL{*cu}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*pu}, []url.URL{*pu}
	cfg.InitialCluster = cfg.Name + "=" + pu.String()
	// A development store: losing the last writes on a crash is fine, waiting
	// for fsync on every write is not.
	cfg.UnsafeNoFsync = true
	// One member on loopback elects itself: with etcd's defaults (100 ms
	// ticks, 1 s election timeout) a restart waits a random 0.3–1 s for that,
	// most of run local's start-up; 10 ms and 100 ms make it 0.1 s at most.
	cfg.TickMs, cfg.ElectionMs = 10, 100
	cw := &closableWriter{w: log}
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.New(zapcore.NewCore(
		zapcore.NewConsoleEncoder(zap.NewDevelopmentEncoderConfig()), zapcore.AddSync(cw), zap.WarnLevel)))
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, fmt.Errorf("starting etcd: %w", err)
	}
	select {
	case <-e.Server.ReadyNotify():
	case err := <-e.Err():
		e.Close()
		return nil, fmt.Errorf("etcd: %w", err)
	case <-time.After(60 * time.Second):
		e.Close()
		return nil, fmt.Errorf("etcd is not ready after 60s")
	}
	return &Etcd{server: e, ClientURL: cu.String(), log: cw}, nil
}

// Err delivers an error if etcd fails while running.
func (e *Etcd) Err() <-chan error { return e.server.Err() }

// Close stops etcd.
func (e *Etcd) Close() {
	e.log.closed.Store(true)
	e.server.Close()
}
