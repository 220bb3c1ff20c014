#!/usr/bin/env bash
# Builds the binaries the e2e tests need and no project ships — the Kubernetes
# components of the test cluster and node, CoreDNS, the distribution registry,
# etcd, the pod sandbox's pause and a network probe for pods — from this
# module, and the linters of generated projects, once per machine: they are cached under a directory named by the
# Kubernetes version and a hash of this module, whose paths are the two last lines
# printed. `make test` runs it before go test, so the cold build (about 19
# minutes on 2 cores) is outside any test timeout; the tests run it too and
# then find everything built.
set -euo pipefail
cd "$(dirname "$0")"
K=$(sed -n 's/^\tk8s.io\/kubernetes \(v[^ ]*\).*/\1/p; s/^require k8s.io\/kubernetes \(v[^ ]*\).*/\1/p' go.mod | head -1)
[ -n "$K" ] || { echo "go.mod does not require k8s.io/kubernetes" >&2; exit 1; }
hash=$(cat go.mod go.sum build.sh */main.go | sha256sum | cut -c1-12)
cache=${APISERVER_BOOT_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/apiserver-boot/e2e}
out="$cache/tools-$K-$hash"
bins=(kube-apiserver kubelet kube-controller-manager kube-scheduler kube-proxy coredns registry etcd pause netprobe)
missing=0
for b in "${bins[@]}"; do [ -x "$out/$b" ] || missing=1; done
if [ "$missing" = 1 ]; then
  minor=${K#v1.}; minor=${minor%%.*}
  ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$K -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor"
  tmp="$out.tmp.$$"
  mkdir -p "$tmp"
  trap 'rm -rf "$tmp"' EXIT
  echo "building the e2e tools for Kubernetes $K into $out (once per machine)" >&2
  start=$(date +%s)
  # One invocation, so the packages they share compile once; static, as
  # Kubernetes releases them (etcd and pause also go into images FROM scratch),
  # and with the cgo setting of the generated projects' builds, which share
  # the build cache.
  CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$tmp/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubelet \
    k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler \
    k8s.io/kubernetes/cmd/kube-proxy ./coredns ./registry ./etcd ./pause ./netprobe
  rm -rf "$out"
  mv "$tmp" "$out"
  trap - EXIT
  echo "built in $(( $(date +%s) - start )) s" >&2
fi
# The linters of generated projects: golangci-lint at the version their
# Makefile runs (project.GolangciLintVersion; TestLintVersionMatchesBuildScript)
# and actionlint, each built from its own module as `go install pkg@version`
# builds it (their dependencies do not agree with each other's), cached by version.
GOLANGCI_LINT_VERSION=v2.15.0
ACTIONLINT_VERSION=v1.7.12
lint="$cache/linters-golangci-lint-$GOLANGCI_LINT_VERSION-actionlint-$ACTIONLINT_VERSION"
if [ ! -x "$lint/golangci-lint" ] || [ ! -x "$lint/actionlint" ]; then
  echo "building golangci-lint and actionlint into $lint (once per machine)" >&2
  start=$(date +%s)
  rm -rf "$lint.tmp"
  GOBIN="$lint.tmp" GOFLAGS=-trimpath go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$GOLANGCI_LINT_VERSION"
  GOBIN="$lint.tmp" GOFLAGS=-trimpath go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
  rm -rf "$lint"
  mv "$lint.tmp" "$lint"
  echo "built in $(( $(date +%s) - start )) s" >&2
fi
echo "$out"
echo "$lint"
