package doctor

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"

	"github.com/apiserver-boot/apiserver-boot/internal/manifests"
)

// TestKilledRunLocal: when nothing answers for an APIService a run local
// made, the fix says that run is gone and how to remove what it made;
// anyone else's APIService keeps the general fix.
func TestKilledRunLocal(t *testing.T) {
	made := &apiregistrationv1.APIService{ObjectMeta: metav1.ObjectMeta{Name: "v1.insect.example.com", Labels: map[string]string{manifests.RunLocalLabel: "bees-apiserver"}}}
	if fix := unreachableFix(made, "start it"); !strings.Contains(fix, "-l "+manifests.RunLocalLabel+"=bees-apiserver") || !strings.Contains(fix, "is not running") {
		t.Errorf("the fix for a stopped run local: %s", fix)
	}
	if fix := unreachableFix(&apiregistrationv1.APIService{}, "start it"); fix != "start it" {
		t.Errorf("the fix for a deployed server's APIService: %s", fix)
	}
}
