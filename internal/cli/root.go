// Package cli is the command line of apiserver-boot: one file per command,
// each a thin cobra layer that fills an Options struct, then calls
// Complete → Validate → Run. The work is done by the packages it calls.
package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// IOStreams are where commands read and write.
type IOStreams struct {
	Out    io.Writer
	ErrOut io.Writer
}

// NewRootCommand returns the apiserver-boot command tree.
func NewRootCommand(streams IOStreams) *cobra.Command {
	var configFile string
	root := &cobra.Command{
		Use:   "apiserver-boot",
		Short: "Scaffold, build and run Kubernetes aggregated API servers",
		Long: `apiserver-boot takes you from an empty folder to an aggregated API server: an
extension of the Kubernetes API served behind kube-apiserver's aggregation layer
(registered through an APIService), like metrics-server or k8s.io/sample-apiserver.

Flag defaults can also come from the environment (APISERVER_BOOT_<FLAG>, e.g.
APISERVER_BOOT_OWNER) or from a YAML config file given with --config.`,
		Example: `  mkdir bees && cd bees
  apiserver-boot init repo --domain example.com --module example.com/bees
  apiserver-boot create group version resource --group insect --version v1alpha1 --kind Bee`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return applyConfigDefaults(cmd, configFile)
		},
	}
	root.SetOut(streams.Out)
	root.SetErr(streams.ErrOut)
	root.PersistentFlags().StringVar(&configFile, "config", "", "YAML file with flag defaults (keys are flag names)")

	root.AddCommand(
		newInitCommand(streams),
		newCreateCommand(streams),
		newBuildCommand(streams),
		newRunCommand(streams),
		newDoctorCommand(streams),
		newDeprecateCommand(streams),
		newMigrateCommand(streams),
		newUninstallCommand(streams),
		newUpgradeCommand(streams),
		newVersionCommand(streams),
	)
	return root
}

// applyConfigDefaults sets every flag the user did not give from the
// environment or the config file, through viper. It only supplies defaults:
// logic never reads viper.
func applyConfigDefaults(cmd *cobra.Command, configFile string) error {
	v := viper.New()
	v.SetEnvPrefix("APISERVER_BOOT")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	v.AutomaticEnv()
	if configFile != "" {
		v.SetConfigFile(configFile)
		if err := v.ReadInConfig(); err != nil {
			return fmt.Errorf("reading --config: %w", err)
		}
	}
	var err error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if err != nil || f.Changed || f.Name == "config" || !v.IsSet(f.Name) {
			return
		}
		value := v.GetString(f.Name)
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			err = sv.Replace(v.GetStringSlice(f.Name))
		} else {
			err = f.Value.Set(value)
		}
		if err != nil {
			err = fmt.Errorf("default for --%s from the environment or --config: %w", f.Name, err)
		}
	})
	return err
}
