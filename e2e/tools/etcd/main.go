// Command etcd is etcd's own server (etcdmain, what the etcd binary runs), at
// the version Kubernetes pins: the image of the etcd StatefulSet on the e2e node.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
