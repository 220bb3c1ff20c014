// Package templates holds the bodies of the files apiserver-boot generates,
// one file per generated file, named like it with a .tmpl suffix. They are
// embedded into the binary and addressed by internal/layout.
package templates

import "embed"

// FS holds every template, under repo/, group/, version/ and kind/.
//
//go:embed all:repo all:group all:version all:kind
var FS embed.FS
