#!/usr/bin/env bash
# Benchmark: `apiserver-boot run local --build=false` from start to the first
# successful `kubectl get`, median of RUNS (default 5), cold and warm:
#   cold: no data of an earlier run (--reset: a new PKI and an empty etcd);
#   warm: the PKI and the etcd data of the previous run are reused.
# Each run must answer within TIMEOUT seconds (default 60) and exit 0 on Ctrl-C.
set -euo pipefail
shopt -s inherit_errexit
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-5}
TIMEOUT=${TIMEOUT:-60}
WORK=$(mktemp -d)
# kubectl caches discovery per host:port: another project served on the same
# port earlier must not answer for this one.
export KUBECACHEDIR="$WORK/kube-cache"
cleanup() { [ -n "${PID:-}" ] && kill -INT "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
fail() { echo "bench/runlocal.sh: $*" >&2; [ -n "${PID:-}" ] && kill -INT "$PID" 2>/dev/null; exit 1; }
command -v kubectl >/dev/null || fail "kubectl is needed"

go build -ldflags "-X github.com/apiserver-boot/apiserver-boot/internal/release.SourceDir=$ROOT" -o "$WORK/apiserver-boot" "$ROOT/cmd/apiserver-boot"  # a development build: its projects pin this checkout
AB="$WORK/apiserver-boot"
mkdir "$WORK/bees" && cd "$WORK/bees"
"$AB" init repo --domain example.com --module example.com/bees >/dev/null
"$AB" create group version resource --group insect --version v1alpha1 --kind Bee >/dev/null
"$AB" build executables >/dev/null 2>&1 || fail "build executables"

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# one_run [--reset]: prints the seconds from start to the first kubectl get.
one_run() {
  rm -f kubeconfig
  local start; start=$(now)
  "$AB" run local --build=false --quiet "$@" >"$WORK/run.log" 2>&1 &
  PID=$!
  until [ -f kubeconfig ] && kubectl --kubeconfig kubeconfig get bees >/dev/null 2>&1; do
    kill -0 "$PID" 2>/dev/null || fail "run local exited early: $(tail -5 "$WORK/run.log")"
    awk -v a="$start" -v b="$(now)" -v t="$TIMEOUT" 'BEGIN { exit !(b - a > t) }' && fail "no answer within ${TIMEOUT}s"
    sleep 0.02
  done
  awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.3f\n", b - a }'
  kill -INT "$PID"
  local code=0
  wait "$PID" || code=$?
  PID=
  [ "$code" -eq 0 ] || fail "run local exited $code after Ctrl-C"
}

cold=(); warm=()
for i in $(seq "$RUNS"); do
  c=$(one_run --reset); cold+=("$c")
  w=$(one_run); warm+=("$w")
  echo "run $i: cold ${c}s, warm ${w}s"
done
cm=$(printf '%s\n' "${cold[@]}" | median)
wm=$(printf '%s\n' "${warm[@]}" | median)
echo "run local --build=false -> first kubectl get ($(nproc) cores, median of $RUNS): cold ${cm}s, warm ${wm}s"
