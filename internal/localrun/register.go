package localrun

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/utils/ptr"

	"github.com/apiserver-boot/apiserver-boot/internal/cluster"
	"github.com/apiserver-boot/apiserver-boot/internal/manifests"
)

// Registration registers the locally running apiserver into an existing
// cluster's aggregation layer, with delegated authentication and
// authorization against that cluster.
type Registration struct {
	// Kubeconfig of the cluster (an identity that may create RBAC and APIServices).
	Kubeconfig string
	// Deployment names the Service, namespace and ServiceAccount; its RBAC is
	// what build config deploys.
	Deployment manifests.Deployment
	// AdvertiseHost is how the cluster's kube-apiserver reaches this machine.
	AdvertiseHost string
	// Timeout bounds the wait for the APIServices to become Available.
	Timeout time.Duration
}

// registrar holds what the registration made, to undo it.
type registrar struct {
	reg        *Registration
	cfg        *rest.Config
	client     *cluster.Client
	registered []*unstructured.Unstructured
}

func newRegistrar(reg *Registration) (*registrar, error) {
	cfg, err := cluster.Config(reg.Kubeconfig, "")
	if err != nil {
		return nil, err
	}
	client, err := cluster.New(cfg)
	if err != nil {
		return nil, err
	}
	return &registrar{reg: reg, cfg: cfg, client: client}, nil
}

// prepare applies the namespace, ServiceAccount and RBAC the apiserver's
// identity needs, and writes a kubeconfig for that identity (a ServiceAccount
// token): the apiserver then authenticates and authorizes requests through
// the cluster exactly as it would in it.
func (r *registrar) prepare(ctx context.Context, path string) error {
	d := &r.reg.Deployment
	objs, err := manifests.ToUnstructured(append([]any{d.NamespaceObject(), d.ServiceAccountObject()}, d.APIServerRBAC()...)...)
	if err != nil {
		return err
	}
	if err := r.client.Apply(ctx, objs, nil); err != nil {
		return err
	}
	cs, err := kubernetes.NewForConfig(r.cfg)
	if err != nil {
		return err
	}
	tok, err := cs.CoreV1().ServiceAccounts(d.Namespace).CreateToken(ctx, d.ServiceAccount, &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](24 * 3600)},
	}, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("creating a token for ServiceAccount %s/%s: %w", d.Namespace, d.ServiceAccount, err)
	}
	caData := r.cfg.CAData
	if len(caData) == 0 && r.cfg.CAFile != "" {
		if caData, err = os.ReadFile(r.cfg.CAFile); err != nil {
			return err
		}
	}
	kc := clientcmdapi.NewConfig()
	kc.Clusters["cluster"] = &clientcmdapi.Cluster{Server: r.cfg.Host, CertificateAuthorityData: caData}
	kc.AuthInfos["apiserver"] = &clientcmdapi.AuthInfo{Token: tok.Status.Token}
	kc.Contexts["apiserver"] = &clientcmdapi.Context{Cluster: "cluster", AuthInfo: "apiserver"}
	kc.CurrentContext = "apiserver"
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return clientcmd.WriteToFile(*kc, path)
}

// register points the cluster at the local apiserver: an ExternalName Service
// for AdvertiseHost and one APIService per version, trusting the local CA;
// then it waits until they are Available.
func (r *registrar) register(ctx context.Context, port int, caPEM []byte) error {
	d := &r.reg.Deployment
	objs, err := manifests.ToUnstructured(append([]any{d.ExternalService(r.reg.AdvertiseHost, int32(port))},
		d.APIServices(d.Name, d.Namespace, int32(port), caPEM)...)...)
	if err != nil {
		return err
	}
	r.registered = objs
	if err := r.client.Apply(ctx, objs, nil); err != nil {
		return err
	}
	return r.client.WaitAvailable(ctx, cluster.APIServiceNames(objs), r.reg.Timeout)
}

// unregister removes the APIServices and the Service, so the cluster does not
// keep routing to a server that is gone.
func (r *registrar) unregister() error {
	if len(r.registered) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return r.client.Delete(ctx, r.registered)
}
