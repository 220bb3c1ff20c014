#!/usr/bin/env bash
# Benchmark: `apiserver-boot build generated` (every generator in-process, on
# one shared package load) against the upstream generator binaries
# (deepcopy-gen, validation-gen, defaulter-gen, conversion-gen, openapi-gen,
# applyconfiguration-gen, client-gen, lister-gen, informer-gen, go-to-protobuf
# with protoc, protoc-gen-gogo, goimports and gofmt) run one after another
# with exactly the same command lines (`build generated --print-commands`),
# on the same fixture. Equal work on both sides:
#   - both sides' binaries are built before any timing, the same way (go build;
#     goimports with go install at the x/tools version apiserver-boot links;
#     protoc is Debian's);
#   - the fixture's sources carry the lines apiserver-boot would otherwise
#     give the generators (bench/derive: +k8s:opaqueType, +k8s:optional, the
#     OpenAPI bridge's markers), so both read the same comments;
#   - only the generators the fixture uses run (no register-gen:
#     kube_codegen.sh would add it);
#   - every run's exit status is checked, and the two outputs must be identical.
# Warm: caches warm, median of RUNS. Cold: an empty GOCACHE and an empty
# user cache directory for every run (modules stay downloaded; the user cache
# holds goimports' index, and apiserver-boot's declarations-only copies of
# dependencies), median of RUNS. Then the no-op re-run.
#
#   bench/codegen.sh            # RUNS=5 by default
set -euo pipefail
shopt -s inherit_errexit
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-5}
WORK=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
fail() { echo "bench/codegen.sh: $*" >&2; exit 1; }

go build -ldflags "-X github.com/apiserver-boot/apiserver-boot/internal/release.SourceDir=$ROOT" -o "$WORK/apiserver-boot" "$ROOT/cmd/apiserver-boot"  # a development build: its projects pin this checkout
AB="$WORK/apiserver-boot"
mkdir "$WORK/gen"
(cd "$ROOT" && go build -o "$WORK/gen/" \
  k8s.io/code-generator/cmd/deepcopy-gen k8s.io/code-generator/cmd/defaulter-gen k8s.io/code-generator/cmd/conversion-gen \
  k8s.io/code-generator/cmd/applyconfiguration-gen k8s.io/code-generator/cmd/client-gen k8s.io/code-generator/cmd/lister-gen \
  k8s.io/code-generator/cmd/informer-gen k8s.io/code-generator/cmd/validation-gen k8s.io/kube-openapi/cmd/openapi-gen \
  k8s.io/code-generator/cmd/go-to-protobuf k8s.io/code-generator/cmd/go-to-protobuf/protoc-gen-gogo) || fail "building the upstream generators"
(cd "$ROOT" && GOBIN="$WORK/gen" GOFLAGS= go install "golang.org/x/tools/cmd/goimports@$(go list -m -f '{{.Version}}' golang.org/x/tools)") || fail "building goimports"
command -v protoc >/dev/null || fail "protoc is missing (Debian: protobuf-compiler): the upstream go-to-protobuf needs it"
(cd "$ROOT" && go build -o "$WORK/derive" ./bench/derive) || fail "building bench/derive"

# The fixture: two groups, three kinds.
mkdir "$WORK/fixture" && cd "$WORK/fixture"
export SOURCE_DATE_EPOCH=1767225600
"$AB" init repo --domain example.com --module example.com/bees >/dev/null
"$AB" create group version resource --group insect --version v1alpha1 --kind Bee --skip-go-mod-tidy >/dev/null
"$AB" create group version resource --group insect --version v1alpha1 --kind Hive --non-namespaced --skip-go-mod-tidy >/dev/null
"$AB" create group version resource --group garden --version v1 --kind Person >/dev/null
"$WORK/derive" >/dev/null || fail "bench/derive"
cd "$WORK"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f\n", b - a }'; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# Generated files, and the types (go-to-protobuf adds their protobuf tags).
generated() { (cd "$1" && find pkg \( -name 'zz_generated.*.go' -o -path 'pkg/generated/*.go' -o -name 'generated.pb.go' -o -name 'generated.proto' -o -name '*_types.go' \) | sort | xargs sha256sum); }

# A fresh copy of the fixture in $WORK/$1.
fresh() {
  rm -rf "${WORK:?}/$1" && cp -r "$WORK/fixture" "$WORK/$1"
}
# The upstream command lines, printed once: printing them loads the packages,
# which would warm the caches a cold run must start without.
fresh b
(cd "$WORK/b" && "$AB" build generated --print-commands >"$WORK/b.commands") || fail "print-commands"
# One timed run of each side in a fresh copy; prints seconds.
run_ab() {
  fresh a
  local t; t=$(now)
  (cd "$WORK/a" && "$AB" build generated >"$WORK/a.log" 2>&1) || fail "apiserver-boot build generated failed: $(tail -5 "$WORK/a.log")"
  elapsed "$t"
}
run_upstream() {
  fresh b
  local t; t=$(now)
  (cd "$WORK/b" && PATH="$WORK/gen:$PATH" bash -e "$WORK/b.commands" >"$WORK/b.log" 2>&1) || fail "the upstream generators failed: $(tail -5 "$WORK/b.log")"
  elapsed "$t"
}

echo "fixture: 2 groups, 3 kinds; $(nproc) cores; RUNS=$RUNS"
run_ab >/dev/null; run_upstream >/dev/null
diff <(generated "$WORK/a") <(generated "$WORK/b") >&2 || fail "the two sides generated different files (above)"
[ "$(generated "$WORK/a" | wc -l)" -ge 30 ] || fail "too few generated files"

warm_a=$(for _ in $(seq "$RUNS"); do run_ab; done | median)
warm_b=$(for _ in $(seq "$RUNS"); do run_upstream; done | median)
cold_a=$(for i in $(seq "$RUNS"); do GOCACHE="$WORK/cache-a$i" XDG_CACHE_HOME="$WORK/cache-xdga$i" run_ab; done | median)
cold_b=$(for i in $(seq "$RUNS"); do GOCACHE="$WORK/cache-b$i" XDG_CACHE_HOME="$WORK/cache-xdgb$i" run_upstream; done | median)
rm -rf "$WORK"/cache-*

# The no-op re-run: nothing changed since the last generation.
fresh a
(cd "$WORK/a" && "$AB" build generated >/dev/null 2>&1) || fail "generate before the no-op runs"
noop=$(for _ in $(seq "$RUNS"); do
  t=$(now)
  out=$(cd "$WORK/a" && "$AB" build generated 2>&1) || fail "no-op run failed"
  case "$out" in *"up to date"*) ;; *) fail "the re-run was not a no-op: $out" ;; esac
  elapsed "$t"
done | median)

printf '\n%-48s %8s\n' "" "seconds"
printf '%-48s %8.2f\n' "(a) apiserver-boot build generated, warm" "$warm_a"
printf '%-48s %8.2f\n' "(b) upstream generator binaries, warm" "$warm_b"
printf '%-48s %8.2f\n' "(a) cold (empty GOCACHE and user cache)" "$cold_a"
printf '%-48s %8.2f\n' "(b) cold (empty GOCACHE and user cache)" "$cold_b"
printf '%-48s %8.2f\n' "(a) no-op re-run" "$noop"
awk -v wa="$warm_a" -v wb="$warm_b" -v ca="$cold_a" -v cb="$cold_b" 'BEGIN { printf "\nspeed-up warm: %.1fx   cold: %.1fx\n", wb / wa, cb / ca }'
