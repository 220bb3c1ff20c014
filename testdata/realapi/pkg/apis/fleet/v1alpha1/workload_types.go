package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"

	"example.com/fleet/pkg/shared/placement"
)

// +genclient
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// Workload runs a pod template on the clusters of a fleet.
type Workload struct {
	metav1.TypeMeta `json:",inline"`
	// Standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the desired state of the Workload.
	// +optional
	Spec WorkloadSpec `json:"spec,omitempty"`
	// Status is the observed state of the Workload.
	// +optional
	Status WorkloadStatus `json:"status,omitempty"`
}

// RolloutStrategy says how a workload replaces its replicas.
// +enum
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
	// +optional
	Team string `json:"team,omitempty"`
	// Contact of the team.
	// +optional
	Contact *string `json:"contact,omitempty"`
}

// Endpoint is one address the workload is reachable at.
type Endpoint struct {
	// URL of the endpoint.
	URL string `json:"url"`
	// Weight of the endpoint in load balancing.
	// +optional
	Weight *int32 `json:"weight,omitempty"`
}

// NamedPort is a port of the workload, keyed by its name.
type NamedPort struct {
	// Name of the port, unique in the workload.
	Name string `json:"name"`
	// Port number.
	Port int32 `json:"port"`
	// Protocol of the port.
	// +optional
	Protocol corev1.Protocol `json:"protocol,omitempty"`
}

// WorkloadUpdatePolicy says how the changes of a Workload roll out.
// +k8s:enum
type WorkloadUpdatePolicy string

const (
	// WorkloadRecreate replaces every instance at once.
	WorkloadRecreate WorkloadUpdatePolicy = "Recreate"
	// WorkloadRollingUpdate replaces the instances one at a time.
	WorkloadRollingUpdate WorkloadUpdatePolicy = "RollingUpdate"
)

// WorkloadSpec is the desired state of a Workload.
type WorkloadSpec struct {
	Ownership `json:",inline"`

	// Replicas is the desired number of instances. Defaults to 1; must not be negative.
	// +optional
	// +k8s:minimum=0
	Replicas *int32 `json:"replicas,omitempty"`
	// Description says what this Workload is for, in at most 256 characters.
	// +optional
	// +k8s:maxLength=256
	Description string `json:"description,omitempty"`
	// UpdatePolicy says how changes roll out: Recreate, or RollingUpdate (the default).
	// +optional
	UpdatePolicy WorkloadUpdatePolicy `json:"updatePolicy,omitempty"`
	// Owner is the team that runs this Workload, as a DNS label.
	// +optional
	// +k8s:format=k8s-short-name
	Owner string `json:"owner,omitempty"`

	// Template of the pods the workload runs.
	// +optional
	Template corev1.PodTemplateSpec `json:"template,omitempty"`
	// Resources of each replica.
	// +optional
	Resources corev1.ResourceRequirements `json:"resources,omitempty"`
	// ImagePullSecrets for the images of the template.
	// +optional
	ImagePullSecrets []corev1.LocalObjectReference `json:"imagePullSecrets,omitempty"`
	// Tolerations of the replicas.
	// +optional
	// +listType=atomic
	Tolerations []corev1.Toleration `json:"tolerations,omitempty"`
	// Port the workload serves on, by number or by name.
	// +optional
	Port intstr.IntOrString `json:"port,omitempty"`
	// MaxUnavailable replicas during a rollout, a number or a percentage.
	// +optional
	MaxUnavailable *intstr.IntOrString `json:"maxUnavailable,omitempty"`
	// Budget is the memory the whole workload may use.
	// +optional
	Budget resource.Quantity `json:"budget,omitempty"`
	// Timeout of a rollout.
	// +optional
	Timeout metav1.Duration `json:"timeout,omitempty"`
	// NotBefore is when the workload may start.
	// +optional
	NotBefore *metav1.Time `json:"notBefore,omitempty"`
	// Config is free-form configuration handed to the workload.
	// +optional
	Config runtime.RawExtension `json:"config,omitempty"`
	// Strategy of rollouts.
	// +optional
	Strategy RolloutStrategy `json:"strategy,omitempty"`
	// Endpoints by name.
	// +optional
	Endpoints map[string]Endpoint `json:"endpoints,omitempty"`
	// Ports of the workload; server-side apply merges them by name.
	// +optional
	// +listType=map
	// +listMapKey=name
	Ports []NamedPort `json:"ports,omitempty"`
	// Tags of the workload, each at most once.
	// +optional
	// +listType=set
	Tags []string `json:"tags,omitempty"`
	// Placement of the replicas.
	// +optional
	Placement *placement.Placement `json:"placement,omitempty"`
}

// WorkloadStatus is the observed state of a Workload.
type WorkloadStatus struct {
	// ObservedGeneration is the metadata.generation the controller last acted on.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// Conditions are the latest observations of the Workload's state; "Ready" is set by the controller.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// WorkloadList is a list of Workload objects.
type WorkloadList struct {
	metav1.TypeMeta `json:",inline"`
	// Standard list metadata.
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items are the Workload objects.
	Items []Workload `json:"items"`
}
