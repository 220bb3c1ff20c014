package cli

import (
	"strings"
	"testing"
)

// TestClusterNamespacesRefused: the layout owns its Namespace (restricted Pod
// Security, deleted with the deployment), so it is never one the cluster and
// other workloads share.
func TestClusterNamespacesRefused(t *testing.T) {
	for _, ns := range clusterNamespaces {
		err := validateDeploymentNames("bees", ns, "bees")
		if err == nil || !strings.Contains(err.Error(), "--namespace "+ns+" is the cluster's own") {
			t.Errorf("--namespace %s: %v", ns, err)
		}
	}
	if err := validateDeploymentNames("bees", "bees-system", "bees"); err != nil {
		t.Errorf("a project namespace was refused: %v", err)
	}
}
