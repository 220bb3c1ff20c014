package model

import (
	"fmt"
	"path"
)

// Folders of the generated code, one per generator (their import paths
// follow them: the clientset is ClientsetDir's package ClientsetName).
const (
	OpenAPIDir            = GeneratedDir + "/openapi"
	ClientsetDir          = GeneratedDir + "/clientset"
	ClientsetName         = "versioned"
	ApplyConfigurationDir = GeneratedDir + "/applyconfiguration"
	ListersDir            = GeneratedDir + "/listers"
	InformersDir          = GeneratedDir + "/informers"
)

// The generated code's packages, by the name templates import them with
// (`{{ pkg .Module "install" .Package }}`): every import path of the project's
// own packages is made here, from the folders above, so the layout has one
// owner. The arguments are the group's Go package, then the version or the
// kind's (or admission plugin's) package.
var packageDirs = map[string]struct {
	args int
	dir  func(a []string) string
}{
	"group":                 {1, func(a []string) string { return path.Join(APIsDir, a[0]) }},
	"version":               {2, func(a []string) string { return path.Join(APIsDir, a[0], a[1]) }},
	"install":               {1, func(a []string) string { return path.Join(APIsDir, a[0], "install") }},
	"validation":            {1, func(a []string) string { return path.Join(APIsDir, a[0], "validation") }},
	"fuzzer":                {1, func(a []string) string { return path.Join(APIsDir, a[0], "fuzzer") }},
	"registry":              {2, func(a []string) string { return path.Join(RegistryDir, a[0], a[1]) }},
	"custom":                {0, func([]string) string { return CustomStorageDir }},
	"openapi":               {0, func([]string) string { return OpenAPIDir }},
	"clientset":             {0, func([]string) string { return path.Join(ClientsetDir, ClientsetName) }},
	"clientset-fake":        {0, func([]string) string { return path.Join(ClientsetDir, ClientsetName, "fake") }},
	"informers":             {0, func([]string) string { return path.Join(InformersDir, "externalversions") }},
	"listers":               {2, func(a []string) string { return path.Join(ListersDir, a[0], a[1]) }},
	"apiserver":             {0, func([]string) string { return APIServerDir }},
	"apiservertest":         {0, func([]string) string { return APIServerTestDir }},
	"server":                {0, func([]string) string { return ServerCmdDir }},
	"roundtrip":             {0, func([]string) string { return RoundTripDir }},
	"admission":             {0, func([]string) string { return AdmissionDir }},
	"admission-initializer": {0, func([]string) string { return path.Join(AdmissionDir, "initializer") }},
	"admission-plugin":      {1, func(a []string) string { return path.Join(AdmissionDir, a[0]) }},
}

// ImportPath returns the import path of one of the project's packages in
// module, named as packageDirs names them.
func ImportPath(module, name string, args ...string) (string, error) {
	p, ok := packageDirs[name]
	if !ok {
		return "", fmt.Errorf("no generated package is named %q", name)
	}
	if len(args) != p.args {
		return "", fmt.Errorf("package %q takes %d arguments, not %d", name, p.args, len(args))
	}
	return module + "/" + p.dir(args), nil
}
