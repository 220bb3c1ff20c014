#!/usr/bin/env bash
# Declarative validation against the same rules hand-written, in one run on
# this machine: the scaffold's Bee (replicas >= 0, a description of at most 256
# characters, an enum, a DNS-label format, as +k8s: tags) and the same Bee with
# those four rules in Go in validation.go and no declarative validation in its
# strategy, each a standalone generated server on its own embedded etcd,
# 500 creates to warm up, then 2000 creates by 16 workers (internal/benchload). Two rounds, the order
# swapped in the second. First, the CPU one create spends in the strategy
# with and without the declarative step (rest.BeforeCreate in a go test
# benchmark of the project). The last line holds the ratios of both rounds:
#   ratios tags vs hand-written: create-throughput X p99 X | create-throughput Y p99 Y
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT/e2e"
go test -run '^$' -bench '^BenchmarkDeclarativeValidation$' -benchtime 1x -timeout 30m . |
  grep -v -E '^(goos|goarch|pkg|cpu|PASS|ok |BenchmarkDeclarativeValidation)'
