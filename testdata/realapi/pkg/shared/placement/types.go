package placement

// Placement says where the replicas of a workload may run.
type Placement struct {
	// Zones the replicas spread over.
	// +optional
	// +listType=set
	Zones []string `json:"zones,omitempty"`
	// NodeSelector must match a node's labels for a replica to run there.
	// +optional
	NodeSelector map[string]string `json:"nodeSelector,omitempty"`
	// MaxSkew is the largest difference of replicas between two zones.
	// +optional
	MaxSkew *int32 `json:"maxSkew,omitempty"`
}
