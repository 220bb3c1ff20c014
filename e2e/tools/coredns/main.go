// Command coredns is CoreDNS with only the plugins the e2e node needs: the
// cluster zone from the Kubernetes API, and no forwarding to any upstream
// resolver, so a name outside the cluster is answered here and never leaves
// the machine. It is CoreDNS's own server (coremain) with a shorter plugin
// list, the way CoreDNS documents building with a custom plugin set.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/ready"
)

// directives is the order plugins run in, a subset of CoreDNS's plugin.cfg.
var directives = []string{"bind", "log", "errors", "health", "ready", "cache", "kubernetes"}

func init() { dnsserver.Directives = directives }

func main() { coremain.Run() }
