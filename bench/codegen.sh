#!/usr/bin/env bash
# Benchmark: `apiserver-boot build generated` (in-process, one shared package
# load) against the same generators run the upstream way — kube_codegen.sh from
# k8s.io/code-generator, which `go install`s the generator binaries and runs
# them one after another — on the same fixture, warm and cold. Prints the ratio.
#
#   bench/codegen.sh            # RUNS=3 by default
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-3}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
CG_VERSION=$(cd "$ROOT" && go list -m -f '{{.Version}}' k8s.io/code-generator)

go build -o "$WORK/apiserver-boot" "$ROOT/cmd/apiserver-boot"
AB="$WORK/apiserver-boot"

# The fixture: two groups, three kinds.
mkdir "$WORK/fixture" && cd "$WORK/fixture"
export SOURCE_DATE_EPOCH=1767225600
"$AB" init repo --domain example.com --module example.com/bees >/dev/null
"$AB" create group version resource --group insect --version v1alpha1 --kind Bee --skip-go-mod-tidy >/dev/null
"$AB" create group version resource --group insect --version v1alpha1 --kind Hive --non-namespaced --skip-go-mod-tidy >/dev/null
"$AB" create group version resource --group garden --version v1 --kind Person >/dev/null
clean() { # remove every generated file and the no-op stamp
  find "$1/pkg/apis" -name 'zz_generated.*.go' -delete
  rm -rf "$1/pkg/generated" "$1/.local"
}
clean "$WORK/fixture"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f\n", b - a }'; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# (a) apiserver-boot build generated
run_ab() {
  cp -r "$WORK/fixture" "$WORK/a" && cd "$WORK/a"
  local t; t=$(now); "$AB" build generated >/dev/null 2>&1; elapsed "$t"
  cd "$WORK"
}
# (b) kube_codegen.sh with sample-apiserver's flags; GOBIN holds the installed binaries.
run_upstream() {
  cp -r "$WORK/fixture" "$WORK/b" && cd "$WORK/b"
  local t; t=$(now)
  (
    set +u
    source "$(go env GOMODCACHE)/k8s.io/code-generator@${CG_VERSION}/kube_codegen.sh"
    kube::codegen::gen_helpers --boilerplate hack/boilerplate.go.txt pkg/apis
    kube::codegen::gen_openapi --output-dir pkg/generated/openapi --output-pkg example.com/bees/pkg/generated/openapi \
      --output-model-name-file zz_generated.model_name.go --report-filename "$WORK/report.list" --update-report \
      --boilerplate hack/boilerplate.go.txt pkg/apis
    kube::codegen::gen_client --with-watch --with-applyconfig --output-dir pkg/generated --output-pkg example.com/bees/pkg/generated \
      --plural-exceptions Bee:Bees,Hive:Hives,Person:People --boilerplate hack/boilerplate.go.txt pkg/apis
  ) >/dev/null 2>&1
  elapsed "$t"
  cd "$WORK"
}

(cd "$WORK/fixture" && go mod download k8s.io/code-generator@"$CG_VERSION" >/dev/null 2>&1 || go get k8s.io/code-generator@"$CG_VERSION" >/dev/null 2>&1)
export GOBIN="$WORK/gobin"

echo "fixture: 2 groups, 3 kinds; code-generator $CG_VERSION; $(nproc) cores"

# Cold: empty build cache (modules stay downloaded) and no installed generator binaries.
export GOCACHE="$WORK/gocache-cold-a"; cold_a=$(run_ab); rm -rf "$WORK/a"
export GOCACHE="$WORK/gocache-cold-b"; cold_b=$(run_upstream); rm -rf "$WORK/b"
# Warm: binaries installed, caches warm.
unset GOCACHE
run_upstream >/dev/null; rm -rf "$WORK/b"; run_ab >/dev/null; rm -rf "$WORK/a"
warm_a=$(for i in $(seq "$RUNS"); do run_ab; rm -rf "$WORK/a"; done | median)
warm_b=$(for i in $(seq "$RUNS"); do run_upstream; rm -rf "$WORK/b"; done | median)

# The no-op re-run: nothing changed since the last generation.
cp -r "$WORK/fixture" "$WORK/a" && cd "$WORK/a" && "$AB" build generated >/dev/null 2>&1
noop=$(for i in $(seq "$RUNS"); do t=$(now); "$AB" build generated >/dev/null 2>&1; elapsed "$t"; done | median)
cd "$WORK"

printf '\n%-44s %8s\n' "" "seconds"
printf '%-44s %8.2f\n' "(a) apiserver-boot build generated, warm" "$warm_a"
printf '%-44s %8.2f\n' "(b) kube_codegen.sh binaries, warm" "$warm_b"
printf '%-44s %8.2f\n' "(a) cold (empty GOCACHE)" "$cold_a"
printf '%-44s %8.2f\n' "(b) cold (empty GOCACHE, go install)" "$cold_b"
printf '%-44s %8.2f\n' "(a) no-op re-run" "$noop"
awk -v wa="$warm_a" -v wb="$warm_b" -v ca="$cold_a" -v cb="$cold_b" 'BEGIN { printf "\nspeed-up warm: %.1fx   cold: %.1fx\n", wb / wa, cb / ca }'
