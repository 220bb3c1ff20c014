// Package placement holds types that several API groups of the project share.
// The tags give its types deep-copy functions and OpenAPI definitions, like
// the API packages: `apiserver-boot build generated` finds this package
// because the API uses it.
//
// +k8s:deepcopy-gen=package
// +k8s:openapi-gen=true
// +k8s:openapi-model-package=com.example.fleet.pkg.shared.placement
package placement
