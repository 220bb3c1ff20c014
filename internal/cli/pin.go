package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/apiserver-boot/apiserver-boot/internal/release"
)

// warnPin prints one line when the project's go.mod pins another
// apiserver-boot than the one PROJECT says generated it: the two machines
// that run `go tool apiserver-boot` and this command would generate apart.
func warnPin(w io.Writer, dir, projectVersion string) {
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return
	}
	if msg := release.PinProblem(projectVersion, data); msg != "" {
		fmt.Fprintln(w, "Warning:", msg)
	}
}
