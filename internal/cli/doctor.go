package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/apiserver-boot/apiserver-boot/internal/cluster"
	"github.com/apiserver-boot/apiserver-boot/internal/doctor"
	"github.com/apiserver-boot/apiserver-boot/internal/names"
	"github.com/apiserver-boot/apiserver-boot/internal/output"
)

// DoctorOptions are the flags of `doctor`.
type DoctorOptions struct {
	Kubeconfig, Context string
	Group, Version      string
	Name, Namespace     string
	ServiceAccount      string
	Output              string
	ProjectOptions
	apis []doctor.GroupVersion
	res  DoctorResult
}

// DoctorResult is `doctor -o json`: the findings, root causes first.
type DoctorResult struct {
	output.Status
	Findings []doctor.Finding `json:"findings"`
	Healthy  bool             `json:"healthy"`
}

func newDoctorCommand(streams IOStreams) *cobra.Command {
	o := &DoctorOptions{ProjectOptions: ProjectOptions{streams: streams}}
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Explain why an APIService is not Available, and how to fix it",
		Long: `Examine every APIService of the project (or --group/--version outside one) in the
cluster: the Service and its ready endpoints; the certificate the server serves, against
the caBundle and the name kube-apiserver verifies (<service>.<namespace>.svc), and its
expiry; kube-apiserver's aggregation configuration; the RBAC of the server's
ServiceAccount (system:auth-delegator, the authentication reader in kube-system, what
the admission chain watches), asked with SubjectAccessReviews; the APIService's
condition in words; discovery and a list of each resource through the aggregator; and
namespaces stuck Terminating because of it. Root causes are listed first, each with
its evidence and fix. Doctor only reads: it changes nothing in the cluster.

Exit code: 0 healthy, 1 something is wrong, 2 the cluster cannot be reached.`,
		Example: `  apiserver-boot doctor
  apiserver-boot doctor --kubeconfig ~/.kube/config --context kind-kind -o json

  # Outside a project
  apiserver-boot doctor --group insect.example.com --version v1alpha1 --namespace bees-system --name bees-apiserver`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := output.Check(o.Output); err != nil {
				return err
			}
			o.res = DoctorResult{Findings: []doctor.Finding{}}
			return output.Run(o.streams.Out, o.Output, &o.res, func() error {
				if err := o.Complete(); err != nil {
					return err
				}
				return o.Run(cmd.Context())
			})
		},
	}
	f := cmd.Flags()
	addClusterFlags(f, &o.Kubeconfig, &o.Context)
	f.StringVar(&o.Group, "group", "", "examine this API group (full name, e.g. insect.example.com) instead of the project's")
	f.StringVar(&o.Version, "version", "", "with --group: the version")
	f.StringVar(&o.Namespace, "namespace", "", "namespace of the server's ServiceAccount (default: the APIService's Service namespace)")
	f.StringVar(&o.Name, "name", "", "name the server was deployed with; its ServiceAccount defaults to it (default: the APIService's Service name)")
	f.StringVar(&o.ServiceAccount, "service-account", "", "the server's ServiceAccount (default --name)")
	output.AddFlag(f, &o.Output)
	return cmd
}

// Complete decides which APIs to examine: --group/--version, or the project's.
func (o *DoctorOptions) Complete() error {
	if o.ServiceAccount == "" {
		o.ServiceAccount = o.Name
	}
	if (o.Namespace == "") != (o.ServiceAccount == "") {
		return fmt.Errorf("--namespace and --name (or --service-account) go together: they name the server's ServiceAccount")
	}
	if o.Group != "" || o.Version != "" {
		if err := names.ValidateVersion(o.Version); err != nil {
			return err
		}
		if o.Group == "" {
			return fmt.Errorf("--version goes with --group")
		}
		o.apis = []doctor.GroupVersion{{Group: o.Group, Version: o.Version}}
		return nil
	}
	if err := o.ProjectOptions.Complete(); err != nil {
		return fmt.Errorf("%w (or name the API with --group and --version)", err)
	}
	for _, g := range o.model.Groups {
		for _, v := range g.Versions {
			gv := doctor.GroupVersion{Group: g.Full, Version: v.Name}
			for _, k := range v.Kinds {
				gv.Resources = append(gv.Resources, k.Plural)
			}
			o.apis = append(o.apis, gv)
		}
	}
	if len(o.apis) == 0 {
		return fmt.Errorf("the project serves no API version yet: nothing to examine")
	}
	return nil
}

// Run examines the cluster and prints the report.
func (o *DoctorOptions) Run(ctx context.Context) error {
	cfg, err := cluster.Config(o.Kubeconfig, o.Context)
	if err != nil {
		return &doctor.UnreachableError{Err: err}
	}
	sa := ""
	if o.Namespace != "" {
		sa = o.Namespace + "/" + o.ServiceAccount
	}
	report, err := doctor.Run(ctx, doctor.Options{Config: cfg, APIs: o.apis, ServiceAccount: sa})
	if err != nil {
		return err
	}
	if report.Findings != nil {
		o.res.Findings = report.Findings
	}
	o.res.Healthy = report.Healthy
	if o.Output != output.JSON {
		report.WriteText(o.streams.Out)
	}
	if !report.Healthy {
		return &doctor.ProblemsError{First: *report.FirstProblem()}
	}
	return nil
}
