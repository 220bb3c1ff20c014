package cluster

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func workload(kind string, generation int64, spec, status map[string]any) *unstructured.Unstructured {
	o := &unstructured.Unstructured{Object: map[string]any{"kind": kind, "spec": spec, "status": status}}
	o.SetGeneration(generation)
	return o
}

func TestRolloutStatus(t *testing.T) {
	for _, c := range []struct {
		name   string
		obj    *unstructured.Unstructured
		done   bool
		want   string // in the message, or the error
		failed bool
	}{
		{"deployment not yet seen", workload("Deployment", 2, map[string]any{"replicas": int64(2)}, map[string]any{"observedGeneration": int64(1), "replicas": int64(2), "updatedReplicas": int64(2), "availableReplicas": int64(2)}), false, "new spec", false},
		{"deployment updating", workload("Deployment", 2, map[string]any{"replicas": int64(2)}, map[string]any{"observedGeneration": int64(2), "replicas": int64(3), "updatedReplicas": int64(1), "availableReplicas": int64(2)}), false, "1 of 2 replicas updated", false},
		{"deployment with an old replica left", workload("Deployment", 2, map[string]any{"replicas": int64(2)}, map[string]any{"observedGeneration": int64(2), "replicas": int64(3), "updatedReplicas": int64(2), "availableReplicas": int64(2)}), false, "1 old replicas", false},
		{"deployment not available", workload("Deployment", 2, map[string]any{"replicas": int64(2)}, map[string]any{"observedGeneration": int64(2), "replicas": int64(2), "updatedReplicas": int64(2), "availableReplicas": int64(1)}), false, "1 of 2 updated replicas available", false},
		{"deployment rolled out", workload("Deployment", 2, map[string]any{"replicas": int64(2)}, map[string]any{"observedGeneration": int64(2), "replicas": int64(2), "updatedReplicas": int64(2), "availableReplicas": int64(2)}), true, "", false},
		{"deployment scaled to zero", workload("Deployment", 3, map[string]any{"replicas": int64(0)}, map[string]any{"observedGeneration": int64(3)}), true, "", false},
		{"deployment past its deadline", workload("Deployment", 1, map[string]any{"replicas": int64(1)}, map[string]any{"observedGeneration": int64(1), "conditions": []any{map[string]any{"type": "Progressing", "reason": "ProgressDeadlineExceeded", "message": "ReplicaSet has timed out progressing."}}}), false, "progress deadline", true},
		{"statefulset not ready", workload("StatefulSet", 1, map[string]any{"replicas": int64(3)}, map[string]any{"observedGeneration": int64(1), "readyReplicas": int64(2)}), false, "2 of 3 pods ready", false},
		{"statefulset updating", workload("StatefulSet", 2, map[string]any{"replicas": int64(3)}, map[string]any{"observedGeneration": int64(2), "readyReplicas": int64(3), "updatedReplicas": int64(1), "currentRevision": "a", "updateRevision": "b"}), false, "1 of 3 pods updated", false},
		{"statefulset rolled out", workload("StatefulSet", 2, map[string]any{"replicas": int64(3)}, map[string]any{"observedGeneration": int64(2), "readyReplicas": int64(3), "updatedReplicas": int64(3), "currentRevision": "b", "updateRevision": "b"}), true, "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			msg, done, err := rolloutStatus(c.obj)
			if c.failed {
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Fatalf("error %v, want one with %q", err, c.want)
				}
				return
			}
			if err != nil || done != c.done || !strings.Contains(msg, c.want) {
				t.Fatalf("rolloutStatus = %q, %v, %v; want done %v and %q", msg, done, err, c.done, c.want)
			}
		})
	}
}
