package codegen

import (
	"slices"
	"sort"
	"strings"
)

// OpenAPIForm says what a +k8s: tag (without the +) becomes in the served
// OpenAPI, through the bridge above; "" when OpenAPI does not show it.
func OpenAPIForm(tag string) string {
	name := strings.TrimPrefix(tag, "k8s:")
	if slices.Contains(openapiValueTags, name) {
		return "`" + name + "`"
	}
	switch name {
	case "format":
		var formats []string
		for f := range formatPatterns {
			formats = append(formats, f)
		}
		sort.Strings(formats)
		return "`pattern` (and `maxLength`) for " + strings.Join(formats, ", ")
	case "required":
		return "listed in the object's `required`"
	case "enum":
		return "`enum` on fields of the type"
	}
	return ""
}
