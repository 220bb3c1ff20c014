package localrun

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
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
	// TakeOver lets the run replace APIServices it did not make (a deployed
	// server's), which it then deletes on exit.
	TakeOver bool
}

// registrar holds what the registration made, to undo it.
type registrar struct {
	reg        *Registration
	cfg        *rest.Config
	client     *cluster.Client
	registered []*unstructured.Unstructured
	// prepared is what prepare applied (the Namespace only if it made it).
	prepared []*unstructured.Unstructured
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
	cs, err := kubernetes.NewForConfig(r.cfg)
	if err != nil {
		return err
	}
	own := []any{d.ServiceAccountObject()}
	madeNamespace, err := r.namespaceIsOurs(ctx, cs)
	if err != nil {
		return err
	}
	if madeNamespace {
		own = append(own, d.NamespaceObject()) // made by this run (or a killed one): removed on exit
	}
	objs, err := manifests.ToUnstructured(append(own, d.APIServerRBAC()...)...)
	if err != nil {
		return err
	}
	// What register will make, named as it will be, is checked now too:
	// nothing is changed when any of it is someone else's.
	later, err := manifests.ToUnstructured(append(r.service(443), d.APIServices(d.Name, d.Namespace, 443, nil)...)...)
	if err != nil {
		return err
	}
	if err := r.checkOwnership(ctx, append(later, objs...)); err != nil {
		return err
	}
	r.label(objs)
	r.prepared = objs
	if err := r.client.Apply(ctx, objs, nil); err != nil {
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

// service is the Service the APIServices point at: for an advertised
// address, one without a selector and its EndpointSlice (kube-apiserver
// routes to it with or without --enable-aggregator-routing); for a host
// name, an ExternalName.
func (r *registrar) service(port int32) []any {
	d := &r.reg.Deployment
	if ip := AdvertisedIP(r.reg.AdvertiseHost); ip != nil {
		return []any{d.AddressService(port), d.AddressEndpoints(ip, port)}
	}
	return []any{d.ExternalService(r.reg.AdvertiseHost, port)}
}

// AdvertisedIP is host when it is an address other than loopback: the local
// apiserver then listens there (and only there), where the cluster reaches it.
func AdvertisedIP(host string) net.IP {
	if ip := net.ParseIP(host); ip != nil && !ip.IsLoopback() && !ip.IsUnspecified() {
		return ip
	}
	return nil
}

// register points the cluster at the local apiserver (see service) with one
// APIService per version, trusting the local CA; then it waits until they
// are Available.
func (r *registrar) register(ctx context.Context, port int, caPEM []byte) error {
	d := &r.reg.Deployment
	objs, err := manifests.ToUnstructured(append(r.service(int32(port)),
		d.APIServices(d.Name, d.Namespace, int32(port), caPEM)...)...)
	if err != nil {
		return err
	}
	r.label(objs)
	r.registered = objs
	if err := r.client.Apply(ctx, objs, nil); err != nil {
		return err
	}
	return r.client.WaitAvailable(ctx, cluster.APIServiceNames(objs), r.reg.Timeout)
}

// unregister removes everything the run made: the APIServices and the
// Service first, so the cluster does not keep routing to a server that is
// gone, then the identity (deleting the ServiceAccount revokes its token),
// its RBAC, and the Namespace if the run made it.
func (r *registrar) unregister() error {
	objs := append(slices.Clone(r.registered), r.prepared...)
	if len(objs) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.client.Delete(ctx, r.registered); err != nil {
		return err
	}
	return r.client.Delete(ctx, r.prepared)
}

func (r *registrar) label(objs []*unstructured.Unstructured) {
	for _, o := range objs {
		labels := o.GetLabels()
		if labels == nil {
			labels = map[string]string{}
		}
		labels[manifests.RunLocalLabel] = r.reg.Deployment.Name
		o.SetLabels(labels)
	}
}

// checkOwnership refuses to apply over objects this run (or an earlier,
// killed run of the same name) did not make: APIServices of a deployed
// server (registering would move the API to this machine and delete it on
// exit), or RBAC of the same name. --take-over allows it.
func (r *registrar) checkOwnership(ctx context.Context, objs []*unstructured.Unstructured) error {
	d := &r.reg.Deployment
	for _, o := range objs {
		if o.GetKind() == "Namespace" {
			continue // see namespaceIsOurs
		}
		existing, err := r.client.Get(ctx, o)
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("reading %s %s: %w", o.GetKind(), o.GetName(), err)
		}
		if existing.GetLabels()[manifests.RunLocalLabel] == d.Name || r.reg.TakeOver || bindsOnly(existing, d) {
			continue
		}
		what := ""
		if o.GetKind() == "APIService" {
			svc, _, _ := unstructured.NestedString(existing.Object, "spec", "service", "name")
			ns, _, _ := unstructured.NestedString(existing.Object, "spec", "service", "namespace")
			what = fmt.Sprintf(" (it points at Service %s/%s)", ns, svc)
		}
		return fmt.Errorf("%s %s exists and no run local --register-into made it%s: registering would take it over and delete it on exit; stop what made it, choose another --name, or pass --take-over", o.GetKind(), describe(o), what)
	}
	return nil
}

// namespaceIsOurs reports whether the run makes (and so removes) the
// namespace: it does not exist, or a run of this name made it. A namespace
// being deleted (by the last run's exit) is waited for.
func (r *registrar) namespaceIsOurs(ctx context.Context, cs kubernetes.Interface) (bool, error) {
	d := &r.reg.Deployment
	deadline := time.Now().Add(r.reg.Timeout)
	for {
		ns, err := cs.CoreV1().Namespaces().Get(ctx, d.Namespace, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			return true, nil
		case err != nil:
			return false, fmt.Errorf("reading namespace %s: %w", d.Namespace, err)
		case ns.DeletionTimestamp == nil:
			return ns.Labels[manifests.RunLocalLabel] == d.Name, nil
		case time.Now().After(deadline):
			return false, fmt.Errorf("namespace %s is still being deleted after %s", d.Namespace, r.reg.Timeout)
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// bindsOnly reports a binding whose only subject is this run's
// ServiceAccount: whoever made it (doctor's fix recreates a deleted one),
// it grants nothing to anyone else, and it goes with the ServiceAccount.
func bindsOnly(o *unstructured.Unstructured, d *manifests.Deployment) bool {
	if o.GetKind() != "ClusterRoleBinding" && o.GetKind() != "RoleBinding" {
		return false
	}
	subjects, _, _ := unstructured.NestedSlice(o.Object, "subjects")
	if len(subjects) != 1 {
		return false
	}
	s, _ := subjects[0].(map[string]any)
	return s["kind"] == "ServiceAccount" && s["name"] == d.ServiceAccount && s["namespace"] == d.Namespace
}

func describe(o *unstructured.Unstructured) string {
	if o.GetNamespace() != "" {
		return o.GetNamespace() + "/" + o.GetName()
	}
	return o.GetName()
}
