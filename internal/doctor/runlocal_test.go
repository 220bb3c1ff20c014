package doctor

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"

	"github.com/apiserver-boot/apiserver-boot/internal/manifests"
)

// TestKilledRunLocal: only an unavailable APIService that a run local made
// is blamed on a killed run, and the fix names its label.
func TestKilledRunLocal(t *testing.T) {
	svc := func(label bool, status apiregistrationv1.ConditionStatus) *apiregistrationv1.APIService {
		s := &apiregistrationv1.APIService{ObjectMeta: metav1.ObjectMeta{Name: "v1.insect.example.com"}}
		if label {
			s.Labels = map[string]string{manifests.RunLocalLabel: "bees-apiserver"}
		}
		s.Status.Conditions = []apiregistrationv1.APIServiceCondition{{Type: apiregistrationv1.Available, Status: status}}
		return s
	}
	for _, c := range []struct {
		svc  *apiregistrationv1.APIService
		want bool
	}{
		{svc(true, apiregistrationv1.ConditionFalse), true},
		{svc(true, apiregistrationv1.ConditionTrue), false},
		{svc(false, apiregistrationv1.ConditionFalse), false},
	} {
		d := &doctor{}
		d.checkRunLocal(c.svc)
		if got := len(d.report.Findings) == 1; got != c.want {
			t.Errorf("labels %v, conditions %v: findings %+v", c.svc.Labels, c.svc.Status.Conditions, d.report.Findings)
			continue
		}
		if c.want && !strings.Contains(d.report.Findings[0].Fix, "-l "+manifests.RunLocalLabel+"=bees-apiserver") {
			t.Errorf("the fix does not select the run's objects: %s", d.report.Findings[0].Fix)
		}
	}
}
