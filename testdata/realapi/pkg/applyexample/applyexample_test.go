// Package applyexample shows a client building a server-side apply request
// for a Workload with the generated apply configurations: fields of
// k8s.io/api types are client-go's apply configurations, so only what is set
// is sent (and owned).
package applyexample

import (
	"encoding/json"
	"testing"

	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"

	fleetv1alpha1 "example.com/fleet/pkg/generated/applyconfiguration/fleet/v1alpha1"
)

func TestApplyConfigurationSendsOnlyWhatIsSet(t *testing.T) {
	w := fleetv1alpha1.Workload("web", "default").WithSpec(fleetv1alpha1.WorkloadSpec().
		WithTemplate(corev1ac.PodTemplateSpec().WithSpec(corev1ac.PodSpec().
			WithContainers(corev1ac.Container().WithName("web").WithImage("web:2")))).
		WithResources(corev1ac.ResourceRequirements()))
	data, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"kind":"Workload","apiVersion":"fleet.example.com/v1alpha1","metadata":{"name":"web","namespace":"default"},"spec":{"template":{"spec":{"containers":[{"name":"web","image":"web:2"}]}},"resources":{}}}`
	if string(data) != want {
		t.Fatalf("apply request:\n got %s\nwant %s", data, want)
	}
}
