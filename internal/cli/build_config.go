package cli

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"

	"github.com/apiserver-boot/apiserver-boot/internal/certs"
	"github.com/apiserver-boot/apiserver-boot/internal/manifests"
	"github.com/apiserver-boot/apiserver-boot/internal/model"
	"github.com/apiserver-boot/apiserver-boot/internal/output"
	"github.com/apiserver-boot/apiserver-boot/internal/scaffold"
	"github.com/apiserver-boot/apiserver-boot/internal/workspace"
)

// BuildConfigOptions are the flags of `build config` (and of `run in-cluster`).
type BuildConfigOptions struct {
	ProjectOptions
	manifests.Options
	KeyType string
	Output  string
	Overlay string
	// ShowSecrets prints Secrets' values (see manifests.Redact).
	ShowSecrets bool
	// HostNetwork and HostNetworkPort: --host-network and --host-port.
	HostNetwork     bool
	HostNetworkPort int32
	// replicasSet: --replicas was given (sqlite refuses more than one).
	replicasSet bool
	// hostPortSet: --host-port was given (it goes with --host-network).
	hostPortSet bool
	res         ConfigResult
}

func (o *BuildConfigOptions) addFlags(f *pflag.FlagSet) {
	f.StringVar(&o.Name, "name", "", "name of the Service the APIServices point at, and prefix of every object (required)")
	f.StringVar(&o.Namespace, "namespace", "", "namespace to deploy into (required)")
	f.StringVar(&o.Image, "image", "", "container image holding /apiserver and /controller-manager (required)")
	f.StringVar(&o.ServiceAccount, "service-account", "", "ServiceAccount of the apiserver (default <name>); the manager runs as <it>-controller-manager, each bound only to what it uses")
	f.StringVar(&o.EtcdImage, "etcd-image", manifests.DefaultEtcdImage, "image of the etcd StatefulSet")
	f.StringVar(&o.Backend, "storage", model.BackendEtcd, "the apiserver's backend: etcd (a StatefulSet, or the external-etcd overlay), sqlite (a file on a PersistentVolumeClaim: one replica) or postgres, mysql (a DSN from a Secret: any number of replicas)")
	f.StringVar(&o.BackendDSN, "storage-dsn", "", "with --storage postgres|mysql: the DSN first written to config/base/storage.env (default a placeholder to edit; the file is never overwritten and should not be committed)")
	f.StringVar(&o.ExternalEtcdServers, "external-etcd-servers", "https://etcd.example.com:2379", "etcd URLs (comma-separated) of the external-etcd overlay; it reads your etcd's CA from the Secret <name>-external-etcd-ca and the client certificate from <name>-external-etcd-client")
	f.Int32Var(&o.Replicas, "replicas", 2, "apiserver replicas, spread over zones and nodes, with a PodDisruptionBudget (at most one away) and a standby manager; sqlite allows 1")
	f.Int32Var(&o.EtcdMembers, "etcd-members", 1, "members of the etcd StatefulSet: 1, 3 or 5 (a quorum survives the loss of 1 or 2), with peer and client TLS and a PodDisruptionBudget that keeps the quorum")
	f.BoolVar(&o.HostNetwork, "host-network", false, "run the apiserver on its node's network, listening on --host-port of the node's address, for clusters whose kube-apiserver cannot reach pods (some managed control planes with a custom CNI or Konnectivity); its namespace then enforces the privileged Pod Security Standard (restricted is still audited and warned)")
	f.Int32Var(&o.HostNetworkPort, "host-port", 4443, "with --host-network: the node's port the apiserver takes (one replica per node)")
	f.StringVar(&o.KeyType, "key-type", string(certs.ECDSA), "key type of new certificates: ecdsa (P-256) or rsa (2048)")
	f.BoolVar(&o.RotateCerts, "rotate-certs", false, "replace the existing CA and serving certificate")
	f.StringVar(&o.OutputDir, "output-dir", model.ConfigDir, "directory of the kustomize layout, relative to the project")
	f.BoolVar(&o.ShowSecrets, "show-secrets", false, "print Secrets' values where objects are printed (-o -, -o json, --dry-run); by default each is replaced by its size")
}

// Complete loads the project and fills in defaults.
func (o *BuildConfigOptions) Complete() error {
	if err := o.ProjectOptions.Complete(); err != nil {
		return err
	}
	o.Options.Dir = o.ProjectOptions.Dir
	o.Project = o.model
	if o.ServiceAccount == "" {
		o.ServiceAccount = o.Name
	}
	// The manifests pass flags the current templates' server has.
	w, err := workspace.Open(o.Options.Dir)
	if err != nil {
		return err
	}
	return w.CheckRecord()
}

// Validate checks the flags.
func (o *BuildConfigOptions) Validate() error {
	if err := validateDeploymentNames(o.Name, o.Namespace, o.ServiceAccount); err != nil {
		return err
	}
	if o.Image == "" {
		return fmt.Errorf("--image is required (the image that holds /apiserver and /controller-manager)")
	}
	switch certs.KeyType(o.KeyType) {
	case certs.ECDSA, certs.RSA:
		o.Options.KeyType = certs.KeyType(o.KeyType)
	default:
		return fmt.Errorf("invalid --key-type %q: want ecdsa or rsa", o.KeyType)
	}
	if err := model.ValidateBackend(o.Backend); err != nil {
		return err
	}
	switch o.Backend {
	case model.BackendEtcd, model.BackendSQLite:
		if o.BackendDSN != "" {
			return fmt.Errorf("--storage-dsn is for --storage postgres|mysql")
		}
	case model.BackendPostgres:
		if o.BackendDSN == "" {
			o.BackendDSN = "postgres://USER:PASSWORD@HOST:5432/" + o.model.Name + "?sslmode=verify-full"
		}
	case model.BackendMySQL:
		if o.BackendDSN == "" {
			o.BackendDSN = "mysql://USER:PASSWORD@tcp(HOST:3306)/" + o.model.Name + "?tls=true"
		}
	}
	if o.hostPortSet && !o.HostNetwork {
		return fmt.Errorf("--host-port goes with --host-network")
	}
	if o.HostNetwork {
		if o.HostNetworkPort < 1 || o.HostNetworkPort > 65535 {
			return fmt.Errorf("invalid --host-port %d: want 1 to 65535", o.HostNetworkPort)
		}
		o.HostPort = o.HostNetworkPort
	}
	if o.Replicas < 1 {
		return fmt.Errorf("invalid --replicas %d: want 1 or more", o.Replicas)
	}
	if o.Backend == model.BackendSQLite {
		if o.replicasSet && o.Replicas > 1 {
			return fmt.Errorf("--storage sqlite runs one apiserver replica (a SQLite file has one writer): drop --replicas, or use --storage postgres for more")
		}
		o.Replicas = 1
	}
	if !slices.Contains(manifests.ValidEtcdMembers, o.EtcdMembers) {
		return fmt.Errorf("invalid --etcd-members %d: want 1, 3 or 5 (an odd number, so that a quorum survives a member's loss)", o.EtcdMembers)
	}
	if o.EtcdMembers != 1 && o.Backend != model.BackendEtcd {
		return fmt.Errorf("--etcd-members is for --storage etcd")
	}
	if o.Overlay == "external-etcd" && o.Backend != model.BackendEtcd {
		return fmt.Errorf("--overlay external-etcd is for --storage etcd")
	}
	return validateOverlay(o.Overlay)
}

// validateOverlay checks --overlay: one of the layout's overlays, or none.
func validateOverlay(overlay string) error {
	switch overlay {
	case "", "cert-manager", "external-etcd":
		return nil
	}
	return fmt.Errorf("unknown --overlay %q: want cert-manager or external-etcd (or none for the base)", overlay)
}

// validateDeploymentNames checks --name, --namespace and --service-account,
// which name Kubernetes objects.
func validateDeploymentNames(name, namespace, serviceAccount string) error {
	for _, f := range []struct{ flag, value string }{{"--name", name}, {"--namespace", namespace}, {"--service-account", serviceAccount}} {
		if f.value == "" {
			return fmt.Errorf("%s is required", f.flag)
		}
		if errs := validation.IsDNS1035Label(f.value); len(errs) > 0 {
			return fmt.Errorf("invalid %s %q: %s", f.flag, f.value, errs[0])
		}
	}
	if slices.Contains(clusterNamespaces, namespace) {
		return fmt.Errorf("--namespace %s is the cluster's own: the deployment owns its Namespace object (it enforces the restricted Pod Security Standard there, and deleting the deployment deletes it); choose a namespace for the project", namespace)
	}
	return nil
}

// clusterNamespaces are the namespaces Kubernetes makes and other workloads share.
var clusterNamespaces = []string{"default", "kube-system", "kube-public", "kube-node-lease"}

// kustomization returns the directory to render: the base or an overlay.
func (o *BuildConfigOptions) kustomization() string {
	return kustomizationDir(o.Options.Dir, o.OutputDir, o.Overlay)
}

// kustomizationDir is the base of the layout in outputDir, or its overlay.
func kustomizationDir(projectDir, outputDir, overlay string) string {
	if overlay == "" {
		return filepath.Join(projectDir, outputDir, manifests.BasePath)
	}
	return filepath.Join(projectDir, outputDir, filepath.FromSlash(manifests.OverlayPath(overlay)))
}

func newBuildConfigCommand(streams IOStreams) *cobra.Command {
	o := &BuildConfigOptions{ProjectOptions: ProjectOptions{streams: streams}}
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Write the manifests that deploy the apiserver behind the aggregation layer",
		Long: `Write a kustomize layout that deploys the apiserver into a cluster and registers it
with the aggregation layer: config/base holds the Namespace, ServiceAccount, RBAC
(auth-delegator, the authentication reader in kube-system, the server's own and the
manager's roles), the apiserver and controller-manager Deployments (--replicas, spread
over zones and nodes, with PodDisruptionBudgets and a graceful shutdown), the Service, an
etcd StatefulSet (--etcd-members 1, 3 or 5, on peer and client TLS), the serving and
etcd certificate Secrets and one APIService per version with the CA in caBundle. config/overlays/cert-manager lets cert-manager issue and inject
the certificates instead; config/overlays/external-etcd uses your etcd.

Certificates are made in Go (ECDSA P-256 by default) under config/base/certificates
and reused on later runs, so the YAML always matches them; --rotate-certs replaces them.`,
		Example: `  apiserver-boot build config --name bees-apiserver --namespace bees --image registry.example.com/bees:v0.1.0
  kubectl apply --server-side -k config/base

  # Print the rendered cert-manager variant
  apiserver-boot build config --name bees-apiserver --namespace bees --image bees:dev --overlay cert-manager --output -`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch o.Output {
			case "", "-", output.JSON:
			default:
				return fmt.Errorf("invalid --output %q: want - (the rendered YAML) or json", o.Output)
			}
			o.replicasSet, o.hostPortSet = cmd.Flags().Changed("replicas"), cmd.Flags().Changed("host-port")
			o.res = ConfigResult{Files: []scaffold.FileChange{}, Objects: []map[string]any{}}
			return output.Run(o.streams.Out, o.Output, &o.res, func() error {
				if err := o.Complete(); err != nil {
					return err
				}
				if err := o.Validate(); err != nil {
					return err
				}
				return o.Run()
			})
		},
	}
	o.addFlags(cmd.Flags())
	cmd.Flags().StringVarP(&o.Output, "output", "o", "", "\"-\" to also print the rendered YAML (of --overlay, or the base); json: the result and the rendered objects as one JSON object (fields: docs/json-output.md)")
	cmd.Flags().StringVar(&o.Overlay, "overlay", "", "overlay to render with --output - or json: cert-manager or external-etcd")
	return cmd
}

// Run writes the layout and, with --output -, prints the rendered YAML.
func (o *BuildConfigOptions) Run() error {
	res, err := manifests.Write(o.Options)
	if err != nil {
		return err
	}
	rendered, err := manifests.Render(o.kustomization())
	if err != nil {
		return err
	}
	if o.Output == output.JSON {
		return o.fillResult(res, rendered)
	}
	if o.Output == "-" {
		if !o.ShowSecrets {
			if rendered, err = manifests.Redact(rendered); err != nil {
				return err
			}
		}
		_, err = o.streams.Out.Write(rendered)
		return err
	}
	scaffold.Print(o.streams.Out, res.Changes, false)
	if res.EtcdCertsCreated {
		fmt.Fprintf(o.streams.Out, "new etcd CA, member and client certificates in %s\n", filepath.Join(o.OutputDir, filepath.FromSlash(manifests.CertsPath)))
	}
	if res.CertsCreated {
		fmt.Fprintf(o.streams.Out, "new CA and serving certificate for %s in %s\n", o.ServiceHosts()[0], filepath.Join(o.OutputDir, filepath.FromSlash(manifests.CertsPath)))
	}
	switch o.Backend {
	case model.BackendSQLite:
		fmt.Fprintf(o.streams.Out, "storage: SQLite on the PersistentVolumeClaim %s, so one apiserver replica (a SQLite file has one writer; the Deployment recreates rather than rolls). For more replicas use --storage postgres.\n", o.DataClaimName())
	case model.BackendPostgres, model.BackendMySQL:
		fmt.Fprintf(o.streams.Out, "storage: %s; put its DSN in %s (never overwritten; keep it out of git): it becomes the Secret %s.\n",
			o.Backend, filepath.Join(o.OutputDir, filepath.FromSlash(manifests.StorageEnvPath)), o.StorageSecretName())
	}
	fmt.Fprintf(o.streams.Out, "\nDeploy with: kubectl apply --server-side -k %s\n", filepath.Join(o.OutputDir, manifests.BasePath))
	return nil
}

// ConfigResult is `build config -o json`.
type ConfigResult struct {
	output.Status
	// Kustomization is the directory rendered (the base, or --overlay's),
	// relative to the project.
	Kustomization string `json:"kustomization"`
	// Files are the layout's files created or updated.
	Files                   []scaffold.FileChange `json:"files"`
	CertificatesCreated     bool                  `json:"certificatesCreated"`
	EtcdCertificatesCreated bool                  `json:"etcdCertificatesCreated"`
	// Objects are the rendered objects, as `kubectl apply -k` sends them.
	Objects []map[string]any `json:"objects"`
	// Apply is the command that deploys them.
	Apply string `json:"apply"`
}

func (o *BuildConfigOptions) fillResult(res *manifests.Result, rendered []byte) error {
	dir, err := filepath.Rel(o.Options.Dir, o.kustomization())
	if err != nil {
		return err
	}
	o.res.Kustomization = filepath.ToSlash(dir)
	o.res.Files = scaffold.Listed(res.Changes)
	o.res.CertificatesCreated, o.res.EtcdCertificatesCreated = res.CertsCreated, res.EtcdCertsCreated
	for _, doc := range strings.Split(string(rendered), "\n---\n") {
		var obj map[string]any
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
			return fmt.Errorf("the rendered %s: %w", o.res.Kustomization, err)
		}
		if obj != nil {
			if !o.ShowSecrets {
				manifests.RedactObject(obj)
			}
			o.res.Objects = append(o.res.Objects, obj)
		}
	}
	o.res.Apply = "kubectl apply --server-side -k " + o.res.Kustomization
	return nil
}
