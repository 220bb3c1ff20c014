package manifests

import (
	"regexp"
	"slices"
	"testing"

	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/apiserver-boot/apiserver-boot/internal/project"
)

// TestDefaultImagesPinnedByDigest: what a deployment pulls by default cannot
// change under the same name.
func TestDefaultImagesPinnedByDigest(t *testing.T) {
	for _, image := range []string{DefaultEtcdImage, project.BaseImage} {
		if !regexp.MustCompile(`@sha256:[0-9a-f]{64}$`).MatchString(image) {
			t.Errorf("%s is not pinned by digest", image)
		}
	}
}

// TestEtcdMetricsOnlyFromTheNode: etcd's plain-HTTP port (health and
// metrics) is left out of the policy's rules, so only the node reaches it;
// the TLS ports stay open to the apiserver wherever it runs (host network
// included).
func TestEtcdMetricsOnlyFromTheNode(t *testing.T) {
	d := options(t.TempDir()).Deployment
	var policy *networkingv1.NetworkPolicy
	for _, o := range d.Etcd() {
		if p, ok := o.(*networkingv1.NetworkPolicy); ok {
			policy = p
		}
	}
	if policy == nil {
		t.Fatal("no NetworkPolicy for etcd")
	}
	if !slices.Equal(policy.Spec.PolicyTypes, []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}) || policy.Spec.PodSelector.MatchLabels["app.kubernetes.io/component"] != "etcd" {
		t.Fatalf("the policy does not isolate etcd's pods: %+v", policy.Spec)
	}
	var open []int
	for _, rule := range policy.Spec.Ingress {
		for _, p := range rule.Ports {
			if p.Port == nil || p.Port.Type != intstr.Int {
				t.Fatalf("a rule opens %v: every port", p.Port)
			}
			open = append(open, p.Port.IntValue())
		}
	}
	if !slices.Equal(open, []int{2379, 2380}) {
		t.Errorf("open ports %v, want the TLS ones only (2379, 2380)", open)
	}
}
