#!/usr/bin/env bash
# The scale curve: how the generated apiserver behaves as its data grows.
# For 1k, 10k and 100k objects on each backend — etcd (embedded), SQLite and
# PostgreSQL through kine (embedded in the apiserver; the tests' own Postgres
# server on loopback), and a --storage custom kind kept by custom.Memory —
# the latency of a consistent list of every object (protobuf clients, median
# of 3), the apiserver's RSS with them, and the time from starting it to a
# full list from its watch cache (a restart on the same data: what a
# rollout costs; not for custom.Memory, which keeps nothing across one).
# Objects are created by 32 protobuf clients. Writes the points to
# docs/images/scale.json and draws docs/images/scale.svg (bench/plot, gonum
# plot); README.md shows both. SCALE_MAX=10000 stops earlier.
#
#   bench/scale.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$ROOT/docs/images"
mkdir -p "$OUT"
cd "$ROOT/e2e"
SCALE_OUT="$OUT/scale.json" go test -run '^$' -bench '^BenchmarkScaleCurve$' -benchtime 1x -timeout 120m . |
  grep -v -E '^(goos|goarch|pkg|cpu|PASS|ok |BenchmarkScaleCurve)'
cd "$ROOT/bench/plot"
go run . -in "$OUT/scale.json" -out "$OUT/scale.svg"
echo "plot: $OUT/scale.svg"
