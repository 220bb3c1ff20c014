package doctor

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

// TestRequestHeaderAllowedNames: an empty list lets any certificate of the
// requestheader CA assert identities; doctor warns with the fix.
func TestRequestHeaderAllowedNames(t *testing.T) {
	for _, c := range []struct {
		names string
		want  Severity
		text  string
	}{
		{`[]`, Warning, "requestheader-allowed-names is empty"},
		{``, Warning, "requestheader-allowed-names is empty"},
		{`["front-proxy-client"]`, OK, "allowed names: front-proxy-client"},
	} {
		cm := &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: "extension-apiserver-authentication"},
			Data:       map[string]string{"requestheader-client-ca-file": "-----BEGIN CERTIFICATE-----", "requestheader-allowed-names": c.names},
		}
		d := &doctor{kube: fake.NewSimpleClientset(cm)}
		d.checkAggregation(context.Background())
		if len(d.report.Findings) != 1 {
			t.Fatalf("%s: %d findings", c.names, len(d.report.Findings))
		}
		f := d.report.Findings[0]
		if f.Severity != c.want || !strings.Contains(f.Message, c.text) || c.want == Warning && !strings.Contains(f.Fix, "--requestheader-allowed-names") {
			t.Errorf("%q: %+v", c.names, f)
		}
	}
}
