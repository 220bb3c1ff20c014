package manifests

import (
	"bytes"
	"fmt"
	"sort"

	"sigs.k8s.io/yaml"
)

// Redact returns rendered YAML with every Secret's values replaced by a note
// of their size, for printing: keys, certificates' private halves and DSNs
// belong in files of mode 0600 and in the cluster, not in terminals and CI
// logs. The note is not base64, so applying the redacted output fails at
// once instead of storing a placeholder. Other documents are left as they are.
func Redact(rendered []byte) ([]byte, error) {
	docs := bytes.Split(rendered, []byte("\n---\n"))
	for i, doc := range docs {
		var obj map[string]any
		if err := yaml.Unmarshal(doc, &obj); err != nil {
			return nil, err
		}
		if obj["kind"] != "Secret" || obj["apiVersion"] != "v1" {
			continue
		}
		redactSecret(obj)
		out, err := yaml.Marshal(obj)
		if err != nil {
			return nil, err
		}
		if i == len(docs)-1 || bytes.HasSuffix(doc, []byte("\n")) {
			docs[i] = out
		} else {
			docs[i] = bytes.TrimSuffix(out, []byte("\n"))
		}
	}
	return bytes.Join(docs, []byte("\n---\n")), nil
}

// RedactObject redacts one decoded object in place (-o json's objects).
func RedactObject(obj map[string]any) {
	if obj["kind"] == "Secret" && obj["apiVersion"] == "v1" {
		redactSecret(obj)
	}
}

func redactSecret(obj map[string]any) {
	for _, field := range []string{"data", "stringData"} {
		values, _ := obj[field].(map[string]any)
		keys := make([]string, 0, len(values))
		for k := range values {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			s, _ := values[k].(string)
			values[k] = fmt.Sprintf("<redacted: %d characters; --show-secrets prints them>", len(s))
		}
	}
}
