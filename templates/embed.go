// Package templates holds the bodies of the files apiserver-boot generates,
// one file per generated file, named like it with a .tmpl suffix. They are
// embedded into the binary and addressed by internal/layout.
package templates

import "embed"

// FS holds every template, under repo/, group/, version/, kind/, shared/ and docs/.
//
//go:embed all:repo all:admission all:group all:version all:kind all:shared all:docs
var FS embed.FS
