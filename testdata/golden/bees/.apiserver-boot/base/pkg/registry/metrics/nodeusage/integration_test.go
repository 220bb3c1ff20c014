/*
Copyright 2026 The bees Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package nodeusage_test

import (
	"context"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	metricsv1beta1 "example.com/bees/pkg/apis/metrics/v1beta1"
	"example.com/bees/pkg/apiservertest"
)

// TestIntegrationNodeUsage runs the project's apiserver in this process
// (pkg/apiservertest) and uses nodeusages through the typed clientset: they
// are read-only, so writes are refused with 405.
func TestIntegrationNodeUsage(t *testing.T) {
	s := apiservertest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client := s.Clientset.MetricsV1beta1().NodeUsages()

	if _, err := client.List(ctx, metav1.ListOptions{}); err != nil {
		t.Fatalf("list: %v", err)
	}
	w, err := client.Watch(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatalf("watch: %v", err)
	}
	w.Stop()
	_, err = client.Create(ctx, &metricsv1beta1.NodeUsage{ObjectMeta: metav1.ObjectMeta{Name: "written"}}, metav1.CreateOptions{})
	if !apierrors.IsMethodNotSupported(err) {
		t.Fatalf("create of a read-only NodeUsage: %v, want 405 Method Not Allowed", err)
	}
}
