package project

// The one tested set of dependency versions. A generated project's go.mod,
// this tool's own go.mod and the e2e tools all use these, so that Go's build
// cache is shared between them (a mismatch costs minutes of recompiling).
// TestPinnedVersionsMatchGoMod keeps this file and go.mod in step.
const (
	// KubernetesVersion is the k8s.io/* library version (apimachinery, apiserver, client-go, …).
	KubernetesVersion = "v0.37.1"
	// ControllerRuntimeVersion is built on KubernetesVersion's minor.
	ControllerRuntimeVersion = "v0.25.2"
	// GoVersion is the go directive of generated projects (k8s v0.37 needs Go 1.26).
	GoVersion = "1.26.0"
	// GolangciLintVersion is the golangci-lint generated projects' .golangci.yml
	// is written for (their `make lint`); the e2e tests lint with it
	// (e2e/tools/build.sh, kept equal by TestLintVersionMatchesBuildScript).
	GolangciLintVersion = "v2.15.0"
	// BaseImage is the base of project images (build container and the
	// generated Dockerfile): distroless static, nonroot, pinned by digest.
	BaseImage = "gcr.io/distroless/static:nonroot@sha256:e2e927ec666bae08560abb3c55d0659eceabb657f56b6782ab500a9fc7f555e3"
)
