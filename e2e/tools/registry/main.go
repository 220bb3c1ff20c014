// Command registry is the CNCF distribution registry (the reference
// implementation of the OCI distribution spec) with only its filesystem
// storage driver: the loopback registry `build container` and `run
// in-cluster` push to, and the e2e node's containerd pulls from.
package main

import (
	"github.com/distribution/distribution/v3/registry"

	_ "github.com/distribution/distribution/v3/registry/storage/driver/filesystem"
)

func main() { _ = registry.RootCmd.Execute() }
