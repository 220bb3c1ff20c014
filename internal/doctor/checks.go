package doctor

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
)

// expiryWarning is how close to its end a serving certificate gets a warning.
const expiryWarning = 30 * 24 * time.Hour

// target is where the server answers, as seen from here.
type target struct {
	addr string
	// direct is set when kube-apiserver dials the same address (an
	// ExternalName Service): not answering there is then the cause.
	direct bool
}

// checkService checks the APIService's Service, its port and what backs it.
func (d *doctor) checkService(ctx context.Context, name string, ref *apiregistrationv1.ServiceReference) (target, bool) {
	subject := ref.Namespace + "/" + ref.Name
	port := int32(443)
	if ref.Port != nil {
		port = *ref.Port
	}
	svc, err := d.kube.CoreV1().Services(ref.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		d.add(Finding{Check: "service", Subject: subject, Severity: Error,
			Message: "Service " + subject + ", which APIService " + name + " points at, does not exist (ServiceNotFound)",
			Fix:     "create it (apiserver-boot build config writes it), or point spec.service of the APIService at your server's Service"})
		return target{}, false
	}
	if err != nil {
		d.add(Finding{Check: "service", Subject: subject, Severity: Error, Message: "the Service cannot be read", Evidence: err.Error()})
		return target{}, false
	}
	var sp *corev1.ServicePort
	for i := range svc.Spec.Ports {
		if svc.Spec.Ports[i].Port == port {
			sp = &svc.Spec.Ports[i]
		}
	}
	if svc.Spec.Type == corev1.ServiceTypeExternalName {
		addr := net.JoinHostPort(svc.Spec.ExternalName, strconv.Itoa(int(port)))
		d.add(Finding{Check: "service", Subject: subject, Severity: OK, Message: "ExternalName Service: kube-apiserver dials " + addr})
		return target{addr: addr, direct: true}, true
	}
	if sp == nil {
		d.add(Finding{Check: "service", Subject: subject, Severity: Error,
			Message: fmt.Sprintf("the Service has no port %d, the APIService's spec.service.port (ServicePortError)", port),
			Fix:     fmt.Sprintf("add port %d to the Service, or set the APIService's spec.service.port to one of its ports", port)})
		return target{}, false
	}
	d.add(Finding{Check: "service", Subject: subject, Severity: OK, Message: fmt.Sprintf("port %d → target port %s", port, sp.TargetPort.String())})
	return d.checkEndpoints(ctx, subject, ref, sp)
}

// checkEndpoints finds the ready endpoints of the Service's target port.
func (d *doctor) checkEndpoints(ctx context.Context, subject string, ref *apiregistrationv1.ServiceReference, sp *corev1.ServicePort) (target, bool) {
	slices, err := d.kube.DiscoveryV1().EndpointSlices(ref.Namespace).List(ctx, metav1.ListOptions{LabelSelector: discoveryv1.LabelServiceName + "=" + ref.Name})
	if err != nil {
		d.add(Finding{Check: "endpoints", Subject: subject, Severity: Error, Message: "the Service's EndpointSlices cannot be read", Evidence: err.Error()})
		return target{}, false
	}
	var ready []string
	for _, s := range slices.Items {
		for _, p := range s.Ports {
			if p.Port == nil || (p.Name != nil && *p.Name != sp.Name) {
				continue
			}
			for _, e := range s.Endpoints {
				if e.Conditions.Ready != nil && !*e.Conditions.Ready {
					continue
				}
				for _, a := range e.Addresses {
					ready = append(ready, net.JoinHostPort(a, strconv.Itoa(int(*p.Port))))
				}
			}
		}
	}
	if len(ready) == 0 {
		d.add(Finding{Check: "endpoints", Subject: subject, Severity: Error,
			Message: "no ready endpoint backs the Service (MissingEndpoints): no pod of the server is ready",
			Fix:     "kubectl -n " + ref.Namespace + " get pods; describe the server's Deployment and read its logs (readiness is /readyz)"})
		return target{}, false
	}
	d.add(Finding{Check: "endpoints", Subject: subject, Severity: OK, Message: "ready: " + strings.Join(ready, ", ")})
	return target{addr: ready[0]}, true
}

// checkCertificate dials the server and checks the certificate it serves:
// signed by the caBundle, valid for <service>.<namespace>.svc (the name
// kube-apiserver verifies), not about to expire.
func (d *doctor) checkCertificate(ctx context.Context, name string, svc *apiregistrationv1.APIService, t target) {
	ref := svc.Spec.Service
	host := ref.Name + "." + ref.Namespace + ".svc"
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 3 * time.Second}, "tcp", t.addr, &tls.Config{InsecureSkipVerify: true, ServerName: host}) //nolint:gosec // the chain is verified below, against the caBundle
	if err != nil {
		if t.direct {
			d.add(Finding{Check: "certificate", Subject: name, Severity: Error,
				Message:  "nothing answers at " + t.addr + ", where kube-apiserver sends the requests: the server is not running or not listening there",
				Evidence: err.Error(),
				Fix:      unreachableFix(svc, "start the server (apiserver-boot run local --register-into …) or fix the ExternalName and the port")})
		} else {
			d.checkThroughProxy(ctx, name, svc, err)
		}
		return
	}
	certs := conn.ConnectionState().PeerCertificates
	conn.Close()
	leaf := certs[0]
	if len(svc.Spec.CABundle) == 0 {
		sev := Error
		if svc.Spec.InsecureSkipTLSVerify {
			sev = Warning
		}
		d.add(Finding{Check: "certificate", Subject: name, Severity: sev,
			Message: "the APIService has no caBundle: kube-apiserver cannot verify the server",
			Fix:     "put the CA of the serving certificate in spec.caBundle (apiserver-boot build config does)"})
		return
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(svc.Spec.CABundle) {
		d.add(Finding{Check: "certificate", Subject: name, Severity: Error, Message: "spec.caBundle holds no PEM certificate",
			Fix: "set spec.caBundle to the PEM of the CA that signed the serving certificate"})
		return
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter}); err != nil {
		d.add(Finding{Check: "certificate", Subject: name, Severity: Error,
			Message:  "the APIService's caBundle does not verify the certificate the server serves",
			Evidence: fmt.Sprintf("%v (served: subject %q, issuer %q)", err, leaf.Subject.CommonName, leaf.Issuer.CommonName),
			Fix:      "set spec.caBundle to the CA that signed the serving certificate (apiserver-boot build config keeps them together)"})
		return
	}
	if err := leaf.VerifyHostname(host); err != nil {
		d.add(Finding{Check: "certificate", Subject: name, Severity: Error,
			Message:  "the serving certificate is not valid for " + host + ", the name kube-apiserver verifies",
			Evidence: fmt.Sprintf("DNS names %v, IPs %v", leaf.DNSNames, leaf.IPAddresses),
			Fix:      "issue the serving certificate with " + host + " among its names (apiserver-boot build config --rotate-certs does)"})
		return
	}
	left := time.Until(leaf.NotAfter)
	switch {
	case left <= 0:
		d.add(Finding{Check: "certificate", Subject: name, Severity: Error, Message: "the serving certificate expired on " + leaf.NotAfter.UTC().Format(time.DateOnly),
			Fix: "apiserver-boot build config --rotate-certs, then redeploy"})
	case left < expiryWarning:
		d.add(Finding{Check: "certificate", Subject: name, Severity: Warning, Message: "the serving certificate expires on " + leaf.NotAfter.UTC().Format(time.DateOnly),
			Fix: "apiserver-boot build config --rotate-certs, then redeploy"})
	default:
		d.add(Finding{Check: "certificate", Subject: name, Severity: OK,
			Message: "signed by the caBundle, valid for " + host + " until " + leaf.NotAfter.UTC().Format(time.DateOnly)})
	}
}

// checkThroughProxy asks kube-apiserver's service proxy for the server's
// /healthz when the endpoints are not reachable from here (pod addresses seen
// from outside the cluster): it tells whether the control plane reaches the
// server, though not which certificate it serves.
func (d *doctor) checkThroughProxy(ctx context.Context, name string, svc *apiregistrationv1.APIService, direct error) {
	ref := svc.Spec.Service
	port := "443"
	if ref.Port != nil {
		port = strconv.Itoa(int(*ref.Port))
	}
	_, err := d.kube.CoreV1().Services(ref.Namespace).ProxyGet("https", ref.Name, port, "/healthz", nil).DoRaw(ctx)
	if err != nil && !apierrors.IsUnauthorized(err) && !apierrors.IsForbidden(err) {
		d.add(Finding{Check: "certificate", Subject: name, Severity: Error,
			Message:  "kube-apiserver cannot reach the server through Service " + ref.Namespace + "/" + ref.Name,
			Evidence: err.Error(),
			Fix:      unreachableFix(svc, "check that the control plane can reach the pods' port (firewall rules of private clusters, NetworkPolicies)")})
		return
	}
	d.add(Finding{Check: "certificate", Subject: name, Severity: Info,
		Message:  "the server answers through kube-apiserver's service proxy; its endpoints are not reachable from this machine, so the served certificate was not checked here (x509 errors show in the APIService condition)",
		Evidence: direct.Error()})
}

// checkAggregation checks that kube-apiserver publishes what extension
// servers need to authenticate its requests (--requestheader-* flags).
func (d *doctor) checkAggregation(ctx context.Context) {
	const subject = "kube-system/extension-apiserver-authentication"
	cm, err := d.kube.CoreV1().ConfigMaps("kube-system").Get(ctx, "extension-apiserver-authentication", metav1.GetOptions{})
	if err != nil {
		d.add(Finding{Check: "aggregation", Subject: subject, Severity: Error,
			Message: "kube-apiserver publishes no extension-apiserver-authentication: its aggregation layer is not configured", Evidence: err.Error(),
			Fix: "start kube-apiserver with --requestheader-client-ca-file, --requestheader-allowed-names, --requestheader-*-headers, --proxy-client-cert-file and --proxy-client-key-file"})
		return
	}
	if cm.Data["requestheader-client-ca-file"] == "" {
		d.add(Finding{Check: "aggregation", Subject: subject, Severity: Error,
			Message: "it has no requestheader-client-ca-file: extension servers cannot authenticate kube-apiserver's proxied requests",
			Fix:     "start kube-apiserver with --requestheader-client-ca-file (and the other --requestheader-* flags)"})
		return
	}
	var names []string
	_ = json.Unmarshal([]byte(cm.Data["requestheader-allowed-names"]), &names)
	if len(names) == 0 {
		// Extension servers then accept identity headers from any client
		// certificate that CA signed, not only kube-apiserver's proxy client.
		d.add(Finding{Check: "aggregation", Subject: subject, Severity: Warning,
			Message: "requestheader-allowed-names is empty: any client certificate of the requestheader CA may assert any user to extension servers",
			Fix:     "start kube-apiserver with --requestheader-allowed-names set to the common name of its --proxy-client-cert-file (front-proxy-client on kubeadm clusters)"})
		return
	}
	d.add(Finding{Check: "aggregation", Subject: subject, Severity: OK, Message: "requestheader CA present; allowed names: " + strings.Join(names, ", ")})
}

// access is one permission the server's identity needs.
type access struct {
	attrs authorizationv1.ResourceAttributes
	why   string
}

// checkRBAC asks the cluster, with SubjectAccessReviews, whether the
// server's ServiceAccount may do what delegated authentication and
// authorization and its admission chain need.
func (d *doctor) checkRBAC(ctx context.Context, name, sa string) {
	ns, n, _ := strings.Cut(sa, "/")
	user := "system:serviceaccount:" + ns + ":" + n
	groups := []string{"system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"}
	bindName := n
	for _, set := range []struct {
		what, fix string
		needs     []access
	}{
		{"system:auth-delegator (delegated authentication and authorization)",
			"kubectl create clusterrolebinding " + bindName + ":system:auth-delegator --clusterrole=system:auth-delegator --serviceaccount=" + ns + ":" + n,
			[]access{
				{authorizationv1.ResourceAttributes{Verb: "create", Group: "authentication.k8s.io", Resource: "tokenreviews"}, "authenticate bearer tokens"},
				{authorizationv1.ResourceAttributes{Verb: "create", Group: "authorization.k8s.io", Resource: "subjectaccessreviews"}, "authorize requests"},
			}},
		{"extension-apiserver-authentication-reader in kube-system (the request-header CA)",
			"kubectl -n kube-system create rolebinding " + bindName + ":extension-apiserver-authentication-reader --role=extension-apiserver-authentication-reader --serviceaccount=" + ns + ":" + n,
			[]access{
				{authorizationv1.ResourceAttributes{Verb: "get", Resource: "configmaps", Namespace: "kube-system", Name: "extension-apiserver-authentication"}, "read the request-header CA"},
			}},
		{"what the admission chain watches (namespaces, admission policies and webhooks)",
			"apply the server's ClusterRole from config/base (apiserver-boot build config writes it) and bind it to " + sa,
			[]access{
				{authorizationv1.ResourceAttributes{Verb: "watch", Resource: "namespaces"}, "NamespaceLifecycle"},
				{authorizationv1.ResourceAttributes{Verb: "watch", Group: "admissionregistration.k8s.io", Resource: "validatingadmissionpolicies"}, "ValidatingAdmissionPolicy"},
				{authorizationv1.ResourceAttributes{Verb: "watch", Group: "admissionregistration.k8s.io", Resource: "validatingwebhookconfigurations"}, "ValidatingAdmissionWebhook"},
				{authorizationv1.ResourceAttributes{Verb: "watch", Group: "admissionregistration.k8s.io", Resource: "mutatingwebhookconfigurations"}, "MutatingAdmissionWebhook"},
			}},
	} {
		var denied []string
		for _, a := range set.needs {
			attrs := a.attrs
			sar, err := d.kube.AuthorizationV1().SubjectAccessReviews().Create(ctx, &authorizationv1.SubjectAccessReview{
				Spec: authorizationv1.SubjectAccessReviewSpec{User: user, Groups: groups, ResourceAttributes: &attrs},
			}, metav1.CreateOptions{})
			switch {
			case err != nil:
				d.add(Finding{Check: "rbac", Subject: sa, Severity: Error, Message: "a SubjectAccessReview failed", Evidence: err.Error(),
					Fix: "doctor's identity must be able to create subjectaccessreviews"})
				return
			case !sar.Status.Allowed:
				denied = append(denied, fmt.Sprintf("%s %s (%s)", attrs.Verb, resourceName(attrs), a.why))
			}
		}
		if len(denied) > 0 {
			d.add(Finding{Check: "rbac", Subject: sa, Severity: Error,
				Message: "ServiceAccount " + sa + " lacks " + set.what, Evidence: "denied: " + strings.Join(denied, "; "), Fix: set.fix})
			continue
		}
		d.add(Finding{Check: "rbac", Subject: sa, Severity: OK, Message: "has " + set.what})
	}
	_ = name
}

func resourceName(a authorizationv1.ResourceAttributes) string {
	r := a.Resource
	if a.Group != "" {
		r += "." + a.Group
	}
	if a.Namespace != "" {
		r = a.Namespace + "/" + r
	}
	if a.Name != "" {
		r += "/" + a.Name
	}
	return r
}

// checkDiscovery reads the group version and lists each resource through
// the aggregator, as a client would.
func (d *doctor) checkDiscovery(ctx context.Context, name string, gv GroupVersion) {
	rc := d.kube.Discovery().RESTClient()
	path := "/apis/" + gv.Group + "/" + gv.Version
	var list metav1.APIResourceList
	raw, err := rc.Get().AbsPath(path).DoRaw(ctx)
	if err == nil {
		err = json.Unmarshal(raw, &list)
	}
	if err != nil {
		d.add(Finding{Check: "discovery", Subject: name, Severity: Error, Message: "GET " + path + " through the aggregator fails", Evidence: err.Error(),
			Fix: "this is what kubectl and the namespace controller see; fix the errors above first"})
		return
	}
	d.add(Finding{Check: "discovery", Subject: name, Severity: OK, Message: fmt.Sprintf("GET %s: %d resources", path, len(list.APIResources))})
	resources := gv.Resources
	if len(resources) == 0 {
		for _, r := range list.APIResources {
			if !strings.Contains(r.Name, "/") {
				resources = append(resources, r.Name)
			}
		}
	}
	for _, r := range resources {
		p := path + "/" + r
		if _, err := rc.Get().AbsPath(p).Param("limit", "1").DoRaw(ctx); err != nil {
			d.add(Finding{Check: "list", Subject: gv.Group + "/" + gv.Version + "/" + r, Severity: Error, Message: "listing " + r + " through the aggregator fails",
				Evidence: err.Error(), Fix: "read the server's log for this request"})
			continue
		}
		d.add(Finding{Check: "list", Subject: gv.Group + "/" + gv.Version + "/" + r, Severity: OK, Message: "GET " + p + "?limit=1"})
	}
}
