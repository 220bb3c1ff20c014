package doctor

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestReportOrderAndJSON checks that the first problem is the first error in
// check order (root causes are checked first), that the text lists problems
// before what is fine, and that the JSON field names stay what CI scripts read.
func TestReportOrderAndJSON(t *testing.T) {
	r := &Report{Findings: []Finding{
		{Check: "aggregation", Subject: "kube-system/x", Severity: OK, Message: "fine"},
		{Check: "certificate", Subject: "v1.g", Severity: Warning, Message: "expires soon", Fix: "rotate"},
		{Check: "rbac", Subject: "ns/sa", Severity: Error, Message: "lacks system:auth-delegator", Evidence: "denied", Fix: "kubectl create …"},
		{Check: "apiservice", Subject: "v1.g", Severity: Error, Message: "not Available"},
	}}
	if f := r.FirstProblem(); f == nil || f.Check != "rbac" {
		t.Fatalf("first problem %+v, want the rbac error", f)
	}
	var text bytes.Buffer
	r.WriteText(&text)
	lines := strings.Split(text.String(), "\n")
	if !strings.HasPrefix(lines[0], "✗ rbac") || !strings.Contains(text.String(), "fix:      kubectl create …") {
		t.Fatalf("text report:\n%s", text.String())
	}
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"findings":`, `"check":"rbac"`, `"severity":"error"`, `"evidence":"denied"`, `"fix":"kubectl create …"`, `"healthy":false`} {
		if !strings.Contains(string(data), key) {
			t.Errorf("JSON lacks %s: %s", key, data)
		}
	}
}

func TestEveryReasonIsExplained(t *testing.T) {
	for _, reason := range []string{"ServiceNotFound", "ServiceAccessError", "ServicePortError", "EndpointsNotFound", "EndpointsAccessError", "MissingEndpoints", "FailedDiscoveryCheck"} {
		words, fix := explainReason(reason)
		if strings.HasPrefix(words, "reason ") || fix == "" {
			t.Errorf("%s: %q / %q", reason, words, fix)
		}
	}
}

// TestHealthy: an error anywhere makes the report unhealthy; warnings, infos
// and OKs do not, whatever their order.
func TestHealthy(t *testing.T) {
	for _, c := range []struct {
		name     string
		severity []Severity
		want     bool
	}{
		{"nothing found", nil, true},
		{"all fine", []Severity{OK, OK}, true},
		{"a warning", []Severity{OK, Warning, Info}, true},
		{"an error last", []Severity{OK, Warning, Error}, false},
		{"an error first", []Severity{Error, OK}, false},
		{"an error after an info", []Severity{Info, Error}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := &Report{}
			for i, sev := range c.severity {
				r.Findings = append(r.Findings, Finding{Check: "c", Subject: string(rune('a' + i)), Severity: sev})
			}
			if got := r.healthy(); got != c.want {
				t.Fatalf("healthy() = %v, want %v", got, c.want)
			}
		})
	}
}
