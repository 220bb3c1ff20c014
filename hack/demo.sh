#!/usr/bin/env bash
# The main job end to end: install apiserver-boot, scaffold a project in a
# temporary folder, build it, run it locally (embedded etcd), create the sample
# object with kubectl, watch the controller mark it Ready, print it, stop.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

command -v kubectl >/dev/null || { echo "the demo needs kubectl on PATH" >&2; exit 1; }
# make install stamps the version and this checkout: the project the demo
# scaffolds pins apiserver-boot to it (a development build no proxy serves).
step "make install"
make -C "$ROOT" --no-print-directory install
AB="$(go env GOPATH)/bin/apiserver-boot"
"$AB" version

WORK=$(mktemp -d)
RUN_PID=
cleanup() {
  if [ -n "$RUN_PID" ] && kill -0 "$RUN_PID" 2>/dev/null; then kill -INT "$RUN_PID"; wait "$RUN_PID" || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK" && mkdir bees && cd bees

step "apiserver-boot init repo --domain example.com --module example.com/bees"
"$AB" init repo --domain example.com --module example.com/bees
step "apiserver-boot create group version resource --group insect --version v1alpha1 --kind Bee"
"$AB" create group version resource --group insect --version v1alpha1 --kind Bee
step "apiserver-boot run local   (builds first; a cold build of a new project takes a few minutes)"
"$AB" run local > run.log 2>&1 &
RUN_PID=$!
until grep -q "apiserver ready" run.log; do
  kill -0 "$RUN_PID" 2>/dev/null || { cat run.log; echo "run local failed" >&2; exit 1; }
  sleep 1
done
grep -A1 "apiserver ready" run.log

step "kubectl --kubeconfig kubeconfig create -f sample/bee.yaml"
kubectl --kubeconfig kubeconfig create -f sample/bee.yaml
for _ in $(seq 60); do
  [ "$(kubectl --kubeconfig kubeconfig get bee bee-sample -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = True ] && break
  sleep 0.5
done
step "kubectl --kubeconfig kubeconfig get bees"
kubectl --kubeconfig kubeconfig get bees
step "kubectl --kubeconfig kubeconfig get bee bee-sample -o yaml"
kubectl --kubeconfig kubeconfig get bee bee-sample -o yaml

step "stopping (Ctrl-C)"
kill -INT "$RUN_PID"; wait "$RUN_PID"; RUN_PID=
tail -n 3 run.log
echo "demo finished"
