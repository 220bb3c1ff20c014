# apiserver-boot — the two commands of the README are `make demo` and `make test`.
GO ?= go
BIN ?= bin/apiserver-boot
# The release (a tag) or the commit, recorded in the PROJECT files the binary scaffolds.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null)
# A build that is not a release also records its checkout: projects it scaffolds pin it there
# (a replace directive in their go.mod), since no module proxy serves an unreleased tree.
LDFLAGS := -X github.com/apiserver-boot/apiserver-boot/internal/release.Version=$(VERSION) \
	-X github.com/apiserver-boot/apiserver-boot/internal/release.SourceDir=$(CURDIR)

.PHONY: all build install demo docs test test-node e2e-tools unit golden bench-codegen bench-runlocal bench-storage bench-server bench-scale vet fmt

all: build

## build: build the CLI into bin/
build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/apiserver-boot

## install: go install the CLI into $(go env GOPATH)/bin
install:
	$(GO) install -ldflags "$(LDFLAGS)" ./cmd/apiserver-boot

## demo: install the CLI and show the main job end to end (scaffold, build, run local, kubectl, stop)
demo:
	hack/demo.sh

## test: every test — unit, golden, bad input, end to end (generated servers, kube-apiserver, registry, Chromium,
##       a real node); the e2e tools are built (once per machine, cached) before any test timer starts;
##       artifacts such as screenshots go to test-artifacts/, every event to test-artifacts/go-test.json;
##       it prints failed tests' output and the seconds each package and each slow top-level test took
test:
	$(GO) vet ./...
	e2e/tools/build.sh >/dev/null
	mkdir -p test-artifacts
	$(GO) build -o bin/testreport ./hack/testreport
	status=0; $(GO) test -json -timeout 80m -artifacts -outputdir $(CURDIR)/test-artifacts ./... \
		>test-artifacts/go-test.json || status=$$?; \
	bin/testreport test-artifacts/go-test.json; exit $$status

## e2e-tools: build the e2e tools (Kubernetes components, CoreDNS, registry, etcd), cached by version
e2e-tools:
	e2e/tools/build.sh

## test-node: the real-node tests only (root; containerd, runc, CNI plugins, iptables, nftables)
test-node: e2e-tools
	$(GO) test -timeout 40m -v -run Node ./e2e

## unit: the fast tests only (no e2e)
unit:
	$(GO) test $$($(GO) list ./... | grep -v /e2e)

## docs: render docs/ and CHANGELOG.md as a static site in _site/ (open _site/index.html)
docs:
	$(GO) run ./hack/docsite -o _site

## golden: rewrite testdata/golden, the -o json goldens, docs/reference, docs/commands.md and docs/tags.md from the current code
golden:
	$(GO) test ./cmd/apiserver-boot -run 'TestGolden|TestJSONOutput' -update
	$(GO) test ./internal/cli -run 'TestReferenceMatchesHelp|TestCommandTreePage' -update
	$(GO) test ./internal/docs -run TestTagReference -update

## bench-codegen: in-process codegen vs the upstream generator binaries (see bench/)
bench-codegen:
	bench/codegen.sh

## bench-runlocal: run local --build=false to the first kubectl get, median of 5
bench-runlocal:
	bench/runlocal.sh

## bench-storage: the storage backends side by side (etcd, kine/SQLite, kine/Postgres, custom)
bench-storage:
	bench/storage.sh

## bench-server: the generated apiserver (JSON, protobuf) against k8s.io/sample-apiserver v0.37.1, same load, same machine
bench-server:
	bench/server.sh

## bench-scale: lists, memory and start-up at 1k, 10k, 100k objects per backend; draws docs/images/scale.svg
bench-scale:
	bench/scale.sh

vet:
	$(GO) vet ./...

fmt:
	gofmt -l -w cmd internal e2e boilerplate templates
