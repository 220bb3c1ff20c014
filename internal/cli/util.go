package cli

import (
	"os"
	"strconv"
	"time"

	"github.com/spf13/pflag"
)

// projectDir is the project directory: dir, or the working directory.
func projectDir(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	return os.Getwd()
}

// currentYear is the year for license headers. SOURCE_DATE_EPOCH (the
// reproducible-builds convention) fixes it, so generated trees can be
// compared byte for byte across years.
func currentYear() int {
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		if sec, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(sec, 0).UTC().Year()
		}
	}
	return time.Now().UTC().Year()
}

// addClusterFlags adds the flags that choose a cluster, as kubectl names them.
func addClusterFlags(f *pflag.FlagSet, kubeconfig, kubeContext *string) {
	f.StringVar(kubeconfig, "kubeconfig", "", "kubeconfig of the cluster (default: $KUBECONFIG or ~/.kube/config)")
	f.StringVar(kubeContext, "context", "", "kubeconfig context to use (default: the current one)")
}
