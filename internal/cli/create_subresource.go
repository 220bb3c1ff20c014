package cli

import (
	"github.com/spf13/cobra"

	"github.com/apiserver-boot/apiserver-boot/internal/scaffold"
	"github.com/apiserver-boot/apiserver-boot/internal/workspace"
)

func newCreateSubresourceCommand(streams IOStreams) *cobra.Command {
	o := &CreateOptions{streams: streams}
	var req workspace.SubresourceRequest
	cmd := &cobra.Command{
		Use:   "subresource",
		Short: "Add a subresource to a kind: status, scale, connector or getter",
		Long: `Add a subresource to a kind, served at /<plural>/<name>/<subresource>:
  status     the status subresource (if the kind was created without one)
  scale      an autoscaling/v1 Scale of --spec-replicas-path (and --status-replicas-path),
             for kubectl scale and the HorizontalPodAutoscaler
  connector  a connect endpoint like pods/log or pods/exec; the scaffolded handler
             writes a text rendering of the object for you to replace
  getter     a read-only view computed when it is read
The subresource's storage goes to pkg/registry/<group>/<kind>/<name>.go, which is
yours; pkg/registry/<group>/<kind>/subresources.go, which wires it, is regenerated.`,
		Example: `  apiserver-boot create subresource --group insect --version v1alpha1 --kind Bee --type scale
  apiserver-boot create subresource --group insect --version v1alpha1 --kind Bee --subresource logs --type connector`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			req.Group, req.Version = o.Group, o.Version
			return o.run(false, func(w *workspace.Workspace) ([]scaffold.Change, error) { return w.AddSubresource(req, o.options()) })
		},
	}
	f := cmd.Flags()
	o.addFlags(f, true)
	f.StringVar(&req.Kind, "kind", "", "the kind (required)")
	f.StringVar(&req.Name, "subresource", "", "name of the subresource (default status or scale for those types)")
	f.StringVar(&req.Type, "type", "", "status, scale, connector or getter (required)")
	f.StringVar(&req.SpecReplicasPath, "spec-replicas-path", "", "scale: field holding the desired replicas (default .spec.replicas)")
	f.StringVar(&req.StatusReplicasPath, "status-replicas-path", "", "scale: field holding the observed replicas (default: report the desired ones)")
	return cmd
}
