package toolshim

import (
	"github.com/spf13/pflag"
	"k8s.io/code-generator/cmd/go-to-protobuf/protobuf"
)

// runGoToProtobuf is code-generator's go-to-protobuf command: its flags and
// its Run, which execs protoc, goimports and gofmt from PATH and exits with
// a message on failure.
func runGoToProtobuf(args []string) error {
	g := protobuf.New()
	fs := pflag.NewFlagSet(GoToProtobuf, pflag.ContinueOnError)
	g.BindFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	protobuf.Run(g)
	return nil
}
