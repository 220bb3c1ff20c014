// Package output is apiserver-boot's output for programs: with -o json a
// command prints one JSON object on stdout, its result, and the same object
// with "error" set when it fails (the exit code is what it is in text). The
// fields are listed in docs/json-output.md and pinned by the golden files in
// cmd/apiserver-boot/testdata/json.
package output

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/pflag"
)

// The formats of -o.
const (
	Text = "text"
	JSON = "json"
)

// AddFlag adds -o/--output text|json.
func AddFlag(f *pflag.FlagSet, format *string) {
	f.StringVarP(format, "output", "o", Text, "text, or json: one JSON object on stdout for programs, also on failure (fields: docs/json-output.md)")
}

// Check validates a -o value.
func Check(format string) error {
	switch format {
	case Text, JSON:
		return nil
	}
	return fmt.Errorf("invalid --output %q: want text or json", format)
}

// Error is the "error" member of a failed command's object.
type Error struct {
	Message string `json:"message"`
	// ExitCode is the command's exit status.
	ExitCode int `json:"exitCode"`
}

// Status is embedded in every command's result: its "error" member.
type Status struct {
	Error *Error `json:"error,omitempty"`
}

func (s *Status) setError(e *Error) { s.Error = e }

// A Result is a command's JSON object (a struct embedding Status).
type Result interface{ setError(*Error) }

// ExitCode is the exit status main gives err: its own (ExitCode() int) or 1.
func ExitCode(err error) int {
	var coded interface{ ExitCode() int }
	if errors.As(err, &coded) {
		return coded.ExitCode()
	}
	return 1
}

// Run runs the command. In JSON it then prints res, which run filled in,
// with the error set if run failed; the error is returned either way, for
// the exit code (and the one line on stderr for people).
func Run(w io.Writer, format string, res Result, run func() error) error {
	err := run()
	if format != JSON {
		return err
	}
	if err != nil {
		res.setError(&Error{Message: err.Error(), ExitCode: ExitCode(err)})
	}
	if werr := Write(w, res); werr != nil && err == nil {
		return werr
	}
	return err
}

// Write prints v as indented JSON.
func Write(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
