package codegen

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"

	"k8s.io/gengo/v2/generator"
	"k8s.io/gengo/v2/namer"
)

// validation-gen's tag registry (k8s.io/code-generator's validators package)
// can be initialised once per process: its GetTargets panics the second time.
// The first run in a process is in-process, on the shared load; any later run
// (the tests generate many projects in one process) is a child process of this
// executable, which loads the same packages and runs the same step.

// validationChildEnv makes the executable a validation-gen child (see ServeValidationChild).
const validationChildEnv = "APISERVER_BOOT_VALIDATION_CHILD"

var validationInProcess atomic.Bool

// validationRequest is what a child needs to repeat the parent's run.
type validationRequest struct {
	Dir      string
	Packages []string // loaded first, as loadAll loads them
	Extra    []string // then added to the load
	Argv     []string // validation-gen's command line
}

// runValidationStep runs validation-gen in-process the first time, else in a child.
func runValidationStep(c *generator.Context, s step, req validationRequest, out *capture) error {
	if validationInProcess.CompareAndSwap(false, true) {
		return validate(c, s, req.Argv)
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	body, err := json.Marshal(req)
	if err != nil {
		return err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), validationChildEnv+"=1")
	cmd.Stdin = bytes.NewReader(body)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return errors.New(msg)
		}
		return fmt.Errorf("the validation-gen child process: %w", err)
	}
	var files map[string][]byte
	if err := json.Unmarshal(stdout.Bytes(), &files); err != nil {
		return fmt.Errorf("reading the validation-gen child's output: %w", err)
	}
	out.mu.Lock()
	defer out.mu.Unlock()
	for path, content := range files {
		out.files[path] = content
	}
	return nil
}

// ServeValidationChild makes this process a validation-gen child when the
// parent asked for one: it reads the request on stdin, writes the generated
// files as JSON on stdout, and reports whether it served. The binary's main
// (and the tests' TestMain) call it first, as they call pkgdriver.Serve.
func ServeValidationChild() (bool, error) {
	if os.Getenv(validationChildEnv) == "" {
		return false, nil
	}
	var req validationRequest
	if err := json.NewDecoder(os.Stdin).Decode(&req); err != nil {
		return true, err
	}
	files, err := validationChild(req)
	if err != nil {
		return true, err
	}
	return true, json.NewEncoder(os.Stdout).Encode(files)
}

func validationChild(req validationRequest) (map[string][]byte, error) {
	p, err := load(req.Dir, req.Packages...)
	if err != nil {
		return nil, err
	}
	base, err := generator.NewContext(p, namer.NameSystems{}, "")
	if err != nil {
		return nil, err
	}
	if _, err := base.LoadPackages(req.Extra...); err != nil {
		return nil, err
	}
	s, err := validationStep(req.Argv)
	if err != nil {
		return nil, err
	}
	out := &capture{files: map[string][]byte{}}
	os.Args[0] = s.name
	c := stepContext(base, s, out)
	validationInProcess.Store(true)
	if err := validate(c, s, req.Argv); err != nil {
		return nil, err
	}
	return out.files, nil
}

// validate runs the validation-gen step with the +k8s:opaqueType lines it
// needs on the project's fields (see validationMarkers).
func validate(c *generator.Context, s step, argv []string) error {
	inputs, included := validationIncluded(argv)
	defer addMarkers(c.Universe, validationMarkers(c.Universe, inputs, included))()
	return fatalAsError(func() error { return c.ExecuteTargets(s.targets(c)) })
}
