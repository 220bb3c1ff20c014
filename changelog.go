// Package apiserverboot holds what the repository's root gives the binary:
// its changelog, which `upgrade` prints from.
package apiserverboot

import _ "embed"

// Changelog is CHANGELOG.md.
//
//go:embed CHANGELOG.md
var Changelog string
