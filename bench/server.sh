#!/usr/bin/env bash
# The generated apiserver against k8s.io/sample-apiserver v0.37.1, in one run
# on this machine: the same shape (a namespaced kind with a spec of two
# fields), each on its own embedded etcd, both authenticating and authorizing
# through one real kube-apiserver (built from the module proxy and cached by
# version, like sample-apiserver, under ~/.cache/apiserver-boot/e2e). The load
# is internal/benchload's: 1000 creates by 16 workers (throughput, p50, p99),
# lists of 1k and 10k objects (median of 5), 100 watchers receiving 1000
# events, memory idle and loaded. Two rounds on fresh servers, ours measured
# first in one and second in the other. Each figure is printed; the last line
# holds the ratios of both rounds, whose difference is the spread:
#   ratios vs sample-apiserver: create-throughput X p99 X … | create-throughput Y …
# (ours divided by theirs: above 1 is better for throughput, below 1 for the
# rest; n/a where a figure is missing).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT/e2e"
go test -run '^$' -bench '^BenchmarkServerVsSampleAPIServer$' -benchtime 1x -timeout 60m . |
  grep -v -E '^(goos|goarch|pkg|cpu|PASS|ok |BenchmarkServerVsSampleAPIServer)'
