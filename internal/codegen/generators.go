package codegen

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/go-logr/logr/funcr"

	"github.com/spf13/pflag"
	applyargs "k8s.io/code-generator/cmd/applyconfiguration-gen/args"
	applygenerators "k8s.io/code-generator/cmd/applyconfiguration-gen/generators"
	clientargs "k8s.io/code-generator/cmd/client-gen/args"
	clientgenerators "k8s.io/code-generator/cmd/client-gen/generators"
	conversionargs "k8s.io/code-generator/cmd/conversion-gen/args"
	conversiongenerators "k8s.io/code-generator/cmd/conversion-gen/generators"
	deepcopyargs "k8s.io/code-generator/cmd/deepcopy-gen/args"
	deepcopygenerators "k8s.io/code-generator/cmd/deepcopy-gen/generators"
	defaulterargs "k8s.io/code-generator/cmd/defaulter-gen/args"
	defaultergenerators "k8s.io/code-generator/cmd/defaulter-gen/generators"
	informerargs "k8s.io/code-generator/cmd/informer-gen/args"
	informergenerators "k8s.io/code-generator/cmd/informer-gen/generators"
	listerargs "k8s.io/code-generator/cmd/lister-gen/args"
	listergenerators "k8s.io/code-generator/cmd/lister-gen/generators"
	lifecycleargs "k8s.io/code-generator/cmd/prerelease-lifecycle-gen/args"
	lifecyclegenerators "k8s.io/code-generator/cmd/prerelease-lifecycle-gen/prerelease-lifecycle-generators"
	"k8s.io/code-generator/pkg/util"
	"k8s.io/gengo/v2"
	"k8s.io/gengo/v2/generator"
	"k8s.io/gengo/v2/namer"
	"k8s.io/klog/v2"
	openapiargs "k8s.io/kube-openapi/cmd/openapi-gen/args"
	openapigenerators "k8s.io/kube-openapi/pkg/generators"
)

// step is one run of one generator on the shared package load: what its
// command-line main would do after parsing its flags.
type step struct {
	// name is the generator's binary name; it appears in the "Code generated
	// by" header of its files.
	name        string
	nameSystems namer.NameSystems
	defaultNS   string
	inputs      []string
	targets     func(*generator.Context) []generator.Target
}

// stepFuncs configure the single-pass generators from their command lines.
var stepFuncs = map[string]func([]string) (step, error){
	"deepcopy-gen":             deepcopyStep,
	"defaulter-gen":            defaulterStep,
	"prerelease-lifecycle-gen": lifecycleStep,
	"conversion-gen":           conversionStep,
	"applyconfiguration-gen":   applyconfigurationStep,
	"client-gen":               clientStep,
	"lister-gen":               listerStep,
	"informer-gen":             informerStep,
}

// parseFlags parses argv with a generator's own flag definitions, so that every
// default and flag translation is exactly the upstream binary's.
func parseFlags(name string, add func(*pflag.FlagSet), argv []string) ([]string, error) {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	add(fs)
	if err := fs.Parse(argv); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return fs.Args(), nil
}

func deepcopyStep(argv []string) (step, error) {
	a := deepcopyargs.New()
	inputs, err := parseFlags("deepcopy-gen", a.AddFlags, argv)
	if err == nil {
		err = a.Validate()
	}
	return step{"deepcopy-gen", deepcopygenerators.NameSystems(), deepcopygenerators.DefaultNameSystem(), inputs,
		func(c *generator.Context) []generator.Target { return deepcopygenerators.GetTargets(c, a) }}, err
}

// generatorExit is what klog's exit becomes while a generator runs in-process.
type generatorExit struct{ code int }

// fatalAsError runs fn with klog.Fatal and panics turned into an error that
// carries what the generator logged, instead of exiting the process.
func fatalAsError(fn func() error) (err error) {
	var logged strings.Builder
	savedExit := klog.OsExit
	klog.OsExit = func(code int) { panic(generatorExit{code}) }
	klog.SetLogger(funcr.New(func(prefix, args string) {
		logged.WriteString(args)
		logged.WriteString("\n")
	}, funcr.Options{}))
	defer func() {
		klog.OsExit = savedExit
		klog.ClearLogger()
		if r := recover(); r != nil {
			msg := strings.TrimSpace(logged.String())
			if _, ok := r.(generatorExit); !ok {
				msg = strings.TrimSpace(msg + "\n" + fmt.Sprint(r))
			}
			err = errors.New(msg)
		}
	}()
	return fn()
}

func lifecycleStep(argv []string) (step, error) {
	a := lifecycleargs.New()
	inputs, err := parseFlags("prerelease-lifecycle-gen", a.AddFlags, argv)
	if err == nil {
		err = a.Validate()
	}
	return step{"prerelease-lifecycle-gen", lifecyclegenerators.NameSystems(), lifecyclegenerators.DefaultNameSystem(), inputs,
		func(c *generator.Context) []generator.Target { return lifecyclegenerators.GetTargets(c, a) }}, err
}

func defaulterStep(argv []string) (step, error) {
	a := defaulterargs.New()
	inputs, err := parseFlags("defaulter-gen", a.AddFlags, argv)
	if err == nil {
		err = a.Validate()
	}
	return step{"defaulter-gen", defaultergenerators.NameSystems(), defaultergenerators.DefaultNameSystem(), inputs,
		func(c *generator.Context) []generator.Target { return defaultergenerators.GetTargets(c, a) }}, err
}

func conversionStep(argv []string) (step, error) {
	a := conversionargs.New()
	inputs, err := parseFlags("conversion-gen", a.AddFlags, argv)
	if err == nil {
		err = a.Validate()
	}
	return step{"conversion-gen", conversiongenerators.NameSystems(), conversiongenerators.DefaultNameSystem(), inputs,
		func(c *generator.Context) []generator.Target { return conversiongenerators.GetTargets(c, a) }}, err
}

// openapiSteps are openapi-gen's two passes: model-name accessors, then definitions.
func openapiSteps(argv []string) ([]step, error) {
	a := openapiargs.New()
	inputs, err := parseFlags("openapi-gen", a.AddFlags, argv)
	if err == nil {
		err = a.Validate()
	}
	if err != nil {
		return nil, err
	}
	// The header names the generator after os.Args[0] (see Generate).
	saved := os.Args[0]
	os.Args[0] = "openapi-gen"
	boilerplate, err := gengo.GoBoilerplate(a.GoHeaderFile, gengo.StdBuildTag, gengo.StdGeneratedBy)
	os.Args[0] = saved
	if err != nil {
		return nil, err
	}
	var steps []step
	if a.OutputModelNameFile != "" {
		steps = append(steps, step{"openapi-gen", openapigenerators.NameSystems(), openapigenerators.DefaultNameSystem(), inputs,
			func(c *generator.Context) []generator.Target {
				return openapigenerators.GetModelNameTargets(c, a, boilerplate)
			}})
	}
	steps = append(steps, step{"openapi-gen", openapigenerators.NameSystems(), openapigenerators.DefaultNameSystem(), inputs,
		func(c *generator.Context) []generator.Target {
			return openapigenerators.GetOpenAPITargets(c, a, boilerplate)
		}})
	return steps, nil
}

func applyconfigurationStep(argv []string) (step, error) {
	a := applyargs.New()
	inputs, err := parseFlags("applyconfiguration-gen", func(fs *pflag.FlagSet) { a.AddFlags(fs, "k8s.io/kubernetes/pkg/apis") }, argv)
	if err == nil {
		err = a.Validate()
	}
	return step{"applyconfiguration-gen", applygenerators.NameSystems(), applygenerators.DefaultNameSystem(), inputs,
		func(c *generator.Context) []generator.Target { return applygenerators.GetTargets(c, a) }}, err
}

func clientStep(argv []string) (step, error) {
	a := clientargs.New()
	if _, err := parseFlags("client-gen", func(fs *pflag.FlagSet) { a.AddFlags(fs, "k8s.io/kubernetes/pkg/apis") }, argv); err != nil {
		return step{}, err
	}
	if err := a.Validate(); err != nil {
		return step{}, err
	}
	var inputs []string
	for _, g := range a.Groups {
		for _, v := range g.Versions {
			inputs = append(inputs, v.Package)
		}
	}
	return step{"client-gen", clientgenerators.NameSystems(util.PluralExceptionListToMapOrDie(a.PluralExceptions)), clientgenerators.DefaultNameSystem(), inputs,
		func(c *generator.Context) []generator.Target { return clientgenerators.GetTargets(c, a) }}, nil
}

func listerStep(argv []string) (step, error) {
	a := listerargs.New()
	inputs, err := parseFlags("lister-gen", a.AddFlags, argv)
	if err == nil {
		err = a.Validate()
	}
	if err != nil {
		return step{}, err
	}
	return step{"lister-gen", listergenerators.NameSystems(util.PluralExceptionListToMapOrDie(a.PluralExceptions)), listergenerators.DefaultNameSystem(), inputs,
		func(c *generator.Context) []generator.Target { return listergenerators.GetTargets(c, a) }}, nil
}

func informerStep(argv []string) (step, error) {
	a := informerargs.New()
	inputs, err := parseFlags("informer-gen", a.AddFlags, argv)
	if err == nil {
		err = a.Validate()
	}
	if err != nil {
		return step{}, err
	}
	return step{"informer-gen", informergenerators.NameSystems(util.PluralExceptionListToMapOrDie(a.PluralExceptions)), informergenerators.DefaultNameSystem(), inputs,
		func(c *generator.Context) []generator.Target { return informergenerators.GetTargets(c, a) }}, nil
}
