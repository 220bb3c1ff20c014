package manifests

import (
	"net"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/apiserver-boot/apiserver-boot/internal/model"
)

// The Services the APIServices point at when the apiserver runs outside the
// cluster (run local --register-into).

// ExternalService is an ExternalName for a host name the cluster's
// kube-apiserver resolves: "localhost" when it runs on this machine
// (endpoints on loopback are refused by the API, an ExternalName is not).
// kube-apiserver with --enable-aggregator-routing cannot route to it.
func (d *Deployment) ExternalService(host string, port int32) *corev1.Service {
	return &corev1.Service{
		TypeMeta: typeMeta("v1", "Service"), ObjectMeta: d.meta(d.Name, model.APIServer.Name),
		Spec: corev1.ServiceSpec{
			Type:         corev1.ServiceTypeExternalName,
			ExternalName: host,
			Ports:        []corev1.ServicePort{{Name: "https", Port: port}},
		},
	}
}

// AddressService and AddressEndpoints point the cluster at ip:port, an
// address of this machine that kube-apiserver reaches (a bridge's, as for
// kind, or the LAN's): a Service without a selector and the EndpointSlice
// that serves it, which kube-apiserver routes to in both of its modes
// (through the ClusterIP, or to the endpoint itself with
// --enable-aggregator-routing).
func (d *Deployment) AddressService(port int32) *corev1.Service {
	return &corev1.Service{
		TypeMeta: typeMeta("v1", "Service"), ObjectMeta: d.meta(d.Name, model.APIServer.Name),
		Spec: corev1.ServiceSpec{
			Type:  corev1.ServiceTypeClusterIP,
			Ports: []corev1.ServicePort{{Name: "https", Port: port, TargetPort: intstr.FromInt32(port), Protocol: corev1.ProtocolTCP}},
		},
	}
}

// RunLocalLabel marks what a `run local --register-into` run made, with the
// Deployment's name: the next run (after a killed one) knows them as its
// own, the objects of anyone else as not, and doctor finds what a killed run
// left.
const RunLocalLabel = "apiserver-boot.io/run-local"

// AddressEndpoints is the EndpointSlice of AddressService.
func (d *Deployment) AddressEndpoints(ip net.IP, port int32) *discoveryv1.EndpointSlice {
	meta := d.meta(d.Name+"-external", model.APIServer.Name)
	meta.Labels[discoveryv1.LabelServiceName] = d.Name
	// Not the EndpointSlice controller's: it leaves this one alone.
	meta.Labels[discoveryv1.LabelManagedBy] = "apiserver-boot.io"
	family := discoveryv1.AddressTypeIPv4
	if ip.To4() == nil {
		family = discoveryv1.AddressTypeIPv6
	}
	return &discoveryv1.EndpointSlice{
		TypeMeta:    metav1.TypeMeta{APIVersion: "discovery.k8s.io/v1", Kind: "EndpointSlice"},
		ObjectMeta:  meta,
		AddressType: family,
		Endpoints:   []discoveryv1.Endpoint{{Addresses: []string{ip.String()}, Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(true)}}},
		Ports:       []discoveryv1.EndpointPort{{Name: ptr.To("https"), Port: ptr.To(port), Protocol: ptr.To(corev1.ProtocolTCP)}},
	}
}
