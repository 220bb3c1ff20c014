#!/usr/bin/env bash
# The generated apiserver, with JSON clients and JSON storage (as before
# protobuf) and with protobuf clients and storage (its default), against
# k8s.io/sample-apiserver v0.37.1 (JSON: its types have no protobuf),
# in one run on this machine: the same shape (a namespaced kind with a spec
# of two fields), each on its own embedded etcd, all authenticating and authorizing
# through one real kube-apiserver (built from the module proxy and cached by
# version, like sample-apiserver, under ~/.cache/apiserver-boot/e2e). The load
# is internal/benchload's: 1000 creates by 16 workers (throughput, p50, p99),
# lists of 1k and 10k objects (median of 5), 100 watchers receiving 1000
# events (watch: from the first of those creates until every watcher has
# every event; lag: the part after the last create was acknowledged), 100
# watchers opened at resourceVersion 0 receiving all 11000 objects as the
# watch cache's initial events (replay: fan-out no write rate bounds), memory
# idle and loaded, and the bytes per object etcd holds. Two
# rounds on fresh servers, the second in the reverse order. Each figure is
# printed; the last line holds the ratios of both rounds (protobuf clients,
# then JSON clients, then etcd bytes protobuf/JSON), whose difference is the spread:
#   ratios vs sample-apiserver: protobuf: create-throughput X … | json: … || protobuf: …
# (ours divided by theirs: above 1 is better for throughput, below 1 for the
# rest; n/a where a figure is missing).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT/e2e"
go test -run '^$' -bench '^BenchmarkServerVsSampleAPIServer$' -benchtime 1x -timeout 60m . |
  grep -v -E '^(goos|goarch|pkg|cpu|PASS|ok |BenchmarkServerVsSampleAPIServer)'
