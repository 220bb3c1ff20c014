package doctor

import (
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"

	"github.com/apiserver-boot/apiserver-boot/internal/manifests"
)

// checkRunLocal finds an APIService that a `run local --register-into` made
// and that is not Available: the run was killed (or its machine is gone)
// before it could remove what it made, and the cluster still routes the API
// to it. Discovery of the whole cluster then reports the group as failed,
// and deleting a namespace waits for it.
func (d *doctor) checkRunLocal(svc *apiregistrationv1.APIService) {
	name, ok := svc.Labels[manifests.RunLocalLabel]
	if !ok || available(svc) {
		return
	}
	d.add(Finding{Check: "run-local", Subject: svc.Name, Severity: Error,
		Message: "a run local --register-into (name " + name + ") made this APIService and no longer serves it: " +
			"it was stopped without cleaning up (killed, or its machine is gone)",
		Evidence: manifests.RunLocalLabel + "=" + name,
		Fix: "run it again and stop it with Ctrl-C (it adopts and then removes what the killed run made), or: " +
			"kubectl delete apiservices,services,endpointslices,rolebindings,clusterrolebindings,serviceaccounts,namespaces -A -l " +
			manifests.RunLocalLabel + "=" + name,
	})
}

func available(svc *apiregistrationv1.APIService) bool {
	for _, c := range svc.Status.Conditions {
		if c.Type == apiregistrationv1.Available {
			return c.Status == apiregistrationv1.ConditionTrue
		}
	}
	return false
}
