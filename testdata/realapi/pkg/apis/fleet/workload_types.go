package fleet

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"

	"example.com/fleet/pkg/shared/placement"
)

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// Workload runs a pod template on the clusters of a fleet.
type Workload struct {
	metav1.TypeMeta
	// Standard object metadata.
	metav1.ObjectMeta

	// Spec is the desired state of the Workload.
	Spec WorkloadSpec
	// Status is the observed state of the Workload.
	Status WorkloadStatus
}

// RolloutStrategy says how a workload replaces its replicas.
type RolloutStrategy string

const (
	// RollingUpdate replaces replicas a few at a time.
	RollingUpdate RolloutStrategy = "RollingUpdate"
	// Recreate stops every replica before starting new ones.
	Recreate RolloutStrategy = "Recreate"
)

// Ownership names who runs a workload; it is embedded in WorkloadSpec.
type Ownership struct {
	// Team that owns the workload.
	Team string
	// Contact of the team.
	Contact *string
}

// Endpoint is one address the workload is reachable at.
type Endpoint struct {
	// URL of the endpoint.
	URL string
	// Weight of the endpoint in load balancing.
	Weight *int32
}

// NamedPort is a port of the workload, keyed by its name.
type NamedPort struct {
	// Name of the port, unique in the workload.
	Name string
	// Port number.
	Port int32
	// Protocol of the port.
	Protocol corev1.Protocol
}

// WorkloadUpdatePolicy says how the changes of a Workload roll out.
type WorkloadUpdatePolicy string

// WorkloadSpec is the desired state of a Workload.
type WorkloadSpec struct {
	Ownership

	// Replicas is the desired number of instances. Defaults to 1; must not be negative.
	Replicas *int32
	// Description says what this Workload is for, in at most 256 characters.
	Description string
	// UpdatePolicy says how changes roll out.
	UpdatePolicy WorkloadUpdatePolicy
	// Owner is the team that runs this Workload.
	Owner string

	// Template of the pods the workload runs.
	Template corev1.PodTemplateSpec
	// Resources of each replica.
	Resources corev1.ResourceRequirements
	// ImagePullSecrets for the images of the template.
	ImagePullSecrets []corev1.LocalObjectReference
	// Tolerations of the replicas.
	Tolerations []corev1.Toleration
	// Port the workload serves on, by number or by name.
	Port intstr.IntOrString
	// MaxUnavailable replicas during a rollout, a number or a percentage.
	MaxUnavailable *intstr.IntOrString
	// Budget is the memory the whole workload may use.
	Budget resource.Quantity
	// Timeout of a rollout.
	Timeout metav1.Duration
	// NotBefore is when the workload may start.
	NotBefore *metav1.Time
	// Config is free-form configuration handed to the workload.
	Config runtime.RawExtension
	// Strategy of rollouts.
	Strategy RolloutStrategy
	// Endpoints by name.
	Endpoints map[string]Endpoint
	// Ports of the workload; server-side apply merges them by name.
	Ports []NamedPort
	// Tags of the workload, each at most once.
	Tags []string
	// Placement of the replicas.
	Placement *placement.Placement
}

// WorkloadStatus is the observed state of a Workload.
type WorkloadStatus struct {
	// ObservedGeneration is the metadata.generation the controller last acted on.
	ObservedGeneration int64
	// Conditions are the latest observations of the Workload's state; "Ready" is set by the controller.
	Conditions []metav1.Condition
}

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// WorkloadList is a list of Workload objects.
type WorkloadList struct {
	metav1.TypeMeta
	// Standard list metadata.
	metav1.ListMeta

	// Items are the Workload objects.
	Items []Workload
}
