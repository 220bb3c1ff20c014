package doctor

import (
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"

	"github.com/apiserver-boot/apiserver-boot/internal/manifests"
)

// unreachableFix is the fix of "nothing answers where kube-apiserver sends
// the requests". An APIService a `run local --register-into` made (its
// label) means that run was stopped without cleaning up (killed, or its
// machine is gone): the cluster still routes the API to it, so discovery
// reports the group as failed and namespace deletion waits for it.
func unreachableFix(svc *apiregistrationv1.APIService, otherwise string) string {
	name, ok := svc.Labels[manifests.RunLocalLabel]
	if !ok {
		return otherwise
	}
	return "a run local --register-into (name " + name + ") made this APIService and is not running: run it again and stop it " +
		"with Ctrl-C (it adopts and then removes what the stopped run made), or remove all of that: " +
		"kubectl delete apiservices,services,endpointslices,rolebindings,clusterrolebindings,serviceaccounts,namespaces -A -l " +
		manifests.RunLocalLabel + "=" + name
}
