// Package doctor answers "why is my APIService not Available?": for every
// APIService of a project it checks, from the root causes to the symptoms,
// the Service and its endpoints, the certificate the server serves against
// the caBundle, the cluster's aggregation configuration, the RBAC of the
// server's identity (with SubjectAccessReviews), the APIService's condition,
// discovery and a list through the aggregator, and namespaces stuck
// Terminating. Each finding has a severity, its evidence and the fix.
// Doctor only reads: it changes nothing in the cluster.
package doctor

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	aggregator "k8s.io/kube-aggregator/pkg/client/clientset_generated/clientset"
)

// Severity of a finding.
type Severity string

// Severities, from fine to broken.
const (
	OK      Severity = "ok"
	Info    Severity = "info"
	Warning Severity = "warning"
	Error   Severity = "error"
)

// Finding is one result of a check. Its JSON form is stable (-o json).
type Finding struct {
	// Check names what was checked: apiservice, service, endpoints,
	// certificate, aggregation, rbac, discovery, list, namespace.
	Check    string   `json:"check"`
	Subject  string   `json:"subject"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	Evidence string   `json:"evidence,omitempty"`
	Fix      string   `json:"fix,omitempty"`
}

// Report is what doctor found, in the order of the checks: root causes first.
type Report struct {
	Findings []Finding `json:"findings"`
	Healthy  bool      `json:"healthy"`
}

// FirstProblem returns the first error (or, without errors, warning), or nil.
func (r *Report) FirstProblem() *Finding {
	for _, sev := range []Severity{Error, Warning} {
		for i := range r.Findings {
			if r.Findings[i].Severity == sev {
				return &r.Findings[i]
			}
		}
	}
	return nil
}

// GroupVersion is an API version the project serves, with its resources
// (plural names) to list.
type GroupVersion struct {
	Group, Version string
	Resources      []string
}

// Options say what to examine.
type Options struct {
	Config *rest.Config
	// APIs are the group/versions whose APIServices are examined.
	APIs []GroupVersion
	// ServiceAccount is the server's identity (namespace/name); empty: the
	// APIService's Service name in its namespace, as build config names it.
	ServiceAccount string
}

// UnreachableError says the cluster itself could not be reached.
type UnreachableError struct{ Err error }

func (e *UnreachableError) Error() string { return "the cluster cannot be reached: " + e.Err.Error() }

// ExitCode is 2: not a finding about the APIService, a failure to look.
func (e *UnreachableError) ExitCode() int { return 2 }

type doctor struct {
	opts   Options
	kube   kubernetes.Interface
	agg    aggregator.Interface
	report Report
}

// Run examines the cluster.
func Run(ctx context.Context, o Options) (*Report, error) {
	kube, err := kubernetes.NewForConfig(o.Config)
	if err != nil {
		return nil, err
	}
	agg, err := aggregator.NewForConfig(o.Config)
	if err != nil {
		return nil, err
	}
	if _, err := kube.Discovery().ServerVersion(); err != nil {
		return nil, &UnreachableError{err}
	}
	d := &doctor{opts: o, kube: kube, agg: agg}
	d.checkAggregation(ctx)
	for _, gv := range o.APIs {
		d.checkAPIService(ctx, gv)
	}
	d.checkNamespaces(ctx)
	d.report.Healthy = d.report.healthy()
	return &d.report, nil
}

// healthy: no finding is an error (warnings and infos leave it healthy).
func (r *Report) healthy() bool {
	p := r.FirstProblem()
	return p == nil || p.Severity != Error
}

func (d *doctor) add(f Finding) { d.report.Findings = append(d.report.Findings, f) }

// checkAPIService runs the checks of one APIService, root causes first; the
// APIService's own condition comes after what could explain it.
func (d *doctor) checkAPIService(ctx context.Context, gv GroupVersion) {
	name := gv.Version + "." + gv.Group
	svc, err := d.agg.ApiregistrationV1().APIServices().Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		d.add(Finding{Check: "apiservice", Subject: name, Severity: Error,
			Message:  "the APIService does not exist: kube-apiserver does not route " + gv.Group + "/" + gv.Version + " anywhere",
			Evidence: err.Error(),
			Fix:      "apiserver-boot run in-cluster … (or kubectl apply -k config/base), or apiserver-boot run local --register-into KUBECONFIG"})
		return
	}
	if err != nil {
		d.add(Finding{Check: "apiservice", Subject: name, Severity: Error, Message: "the APIService cannot be read", Evidence: err.Error(),
			Fix: "check that your identity may get apiservices.apiregistration.k8s.io"})
		return
	}
	if svc.Spec.Service == nil {
		d.add(Finding{Check: "apiservice", Subject: name, Severity: Error,
			Message: "the APIService has no service: kube-apiserver serves it itself, not your server",
			Fix:     "set spec.service to your server's Service (apiserver-boot build config writes it)"})
		return
	}
	sa := d.opts.ServiceAccount
	if sa == "" {
		sa = svc.Spec.Service.Namespace + "/" + svc.Spec.Service.Name
	}
	if target, ok := d.checkService(ctx, name, svc.Spec.Service); ok {
		d.checkCertificate(ctx, name, svc, target)
	}
	d.checkRBAC(ctx, name, sa)
	d.checkCondition(name, svc)
	d.checkDiscovery(ctx, name, gv)
}

// checkCondition explains the Available condition in words.
func (d *doctor) checkCondition(name string, svc *apiregistrationv1.APIService) {
	for _, c := range svc.Status.Conditions {
		if c.Type != apiregistrationv1.Available {
			continue
		}
		if c.Status == apiregistrationv1.ConditionTrue {
			d.add(Finding{Check: "apiservice", Subject: name, Severity: OK, Message: "Available"})
			return
		}
		words, fix := explainReason(c.Reason)
		d.add(Finding{Check: "apiservice", Subject: name, Severity: Error,
			Message:  "not Available (" + c.Reason + "): " + words,
			Evidence: c.Message, Fix: fix})
		return
	}
	d.add(Finding{Check: "apiservice", Subject: name, Severity: Warning,
		Message: "the APIService has no Available condition yet: kube-aggregator has not checked it",
		Fix:     "wait a few seconds and run doctor again; if it stays, kube-apiserver's aggregator is not running"})
}

// explainReason turns kube-aggregator's condition reasons into words and a fix.
func explainReason(reason string) (string, string) {
	switch reason {
	case "ServiceNotFound":
		return "the Service the APIService points at does not exist", "create the Service (apiserver-boot build config writes it) or fix spec.service"
	case "ServiceAccessError":
		return "kube-apiserver could not read the Service", "check kube-apiserver's logs; its identity must be able to read Services"
	case "ServicePortError":
		return "the Service has no port matching the APIService's spec.service.port", "make spec.service.port one of the Service's ports (443 by default)"
	case "EndpointsNotFound", "EndpointsAccessError", "MissingEndpoints":
		return "no ready endpoint backs the Service: no pod of your server is ready", "kubectl get pods and describe the server's Deployment; check its readiness probe (/readyz)"
	case "FailedDiscoveryCheck":
		return "kube-apiserver reached the Service but GET /apis/<group>/<version> failed (TLS, authentication, authorization or a crash)",
			"read the evidence: x509 errors mean the caBundle or the certificate's names; 401/403 mean the server's RBAC or front-proxy configuration"
	}
	return "reason " + reason, "read the evidence and kube-apiserver's logs"
}

// checkNamespaces names namespaces stuck Terminating because a group cannot
// be discovered: the namespace controller cannot list what is in them.
func (d *doctor) checkNamespaces(ctx context.Context) {
	nss, err := d.kube.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
	if err != nil {
		return
	}
	var groups []string
	for _, gv := range d.opts.APIs {
		groups = append(groups, gv.Group+"/"+gv.Version)
	}
	for _, ns := range nss.Items {
		if ns.Status.Phase != "Terminating" {
			continue
		}
		for _, c := range ns.Status.Conditions {
			if c.Type != "NamespaceDeletionDiscoveryFailure" || c.Status != "True" {
				continue
			}
			for _, g := range groups {
				if strings.Contains(c.Message, g) {
					d.add(Finding{Check: "namespace", Subject: ns.Name, Severity: Error,
						Message:  "namespace " + ns.Name + " is stuck Terminating: " + g + " cannot be discovered, so its objects cannot be deleted",
						Evidence: c.Message,
						Fix:      "make the APIService Available again (or delete it if the API is gone for good)"})
				}
			}
		}
	}
}

// Sorted returns the findings with errors first, keeping the check order otherwise.
func (r *Report) Sorted() []Finding {
	out := append([]Finding(nil), r.Findings...)
	rank := map[Severity]int{Error: 0, Warning: 1, Info: 2, OK: 3}
	sort.SliceStable(out, func(i, j int) bool { return rank[out[i].Severity] < rank[out[j].Severity] })
	return out
}

// WriteText writes the report for a person: problems first, each with its
// evidence and fix, then what is fine.
func (r *Report) WriteText(w io.Writer) {
	marks := map[Severity]string{Error: "✗", Warning: "!", Info: "·", OK: "✓"}
	for _, f := range r.Sorted() {
		fmt.Fprintf(w, "%s %-11s %s: %s\n", marks[f.Severity], f.Check, f.Subject, f.Message)
		if f.Evidence != "" {
			fmt.Fprintf(w, "    evidence: %s\n", f.Evidence)
		}
		if f.Fix != "" && f.Severity != OK {
			fmt.Fprintf(w, "    fix:      %s\n", f.Fix)
		}
	}
	if r.Healthy {
		fmt.Fprintln(w, "healthy")
	}
}

// ProblemsError is returned when the report has errors; the exit code is 1.
type ProblemsError struct{ First Finding }

func (e *ProblemsError) Error() string {
	return "doctor found a problem: " + e.First.Check + " " + e.First.Subject + ": " + e.First.Message
}

// ExitCode is 1: something is wrong.
func (e *ProblemsError) ExitCode() int { return 1 }
