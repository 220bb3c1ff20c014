/*
Copyright (c) 2026 Jane Doe

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
*/

// Package server holds the command line and options of the apiserver: the
// generic apiserver's recommended options (etcd, secure serving, delegated
// authentication and authorization, admission, audit) plus this server's own.
package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/endpoints/openapi"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/apiserver/pkg/server/healthz"
	genericoptions "k8s.io/apiserver/pkg/server/options"
	"k8s.io/apiserver/pkg/util/compatibility"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	basecompatibility "k8s.io/component-base/compatibility"
	baseversion "k8s.io/component-base/version"
	netutils "k8s.io/utils/net"

	serveradmission "example.org/tools/empty/pkg/admission"
	"example.org/tools/empty/pkg/apiserver"
	generatedopenapi "example.org/tools/empty/pkg/generated/openapi"
)

// defaultEtcdPathPrefix is where this server keeps its objects in etcd.
const defaultEtcdPathPrefix = "/registry/empty.example.org"

// Options holds everything the apiserver can be configured with.
type Options struct {
	RecommendedOptions *genericoptions.RecommendedOptions
	// ServerRun holds how requests are limited and how the server shuts down:
	// with several replicas behind a Service, --shutdown-delay-duration keeps
	// serving while endpoints and the aggregator stop sending new requests.
	ServerRun *genericoptions.ServerRunOptions
	// ComponentGlobalsRegistry holds the effective version and feature gates.
	ComponentGlobalsRegistry basecompatibility.ComponentGlobalsRegistry

	// Storage chooses where objects are kept: etcd or a SQL database (storage.go).
	Storage *StorageOptions

	// Standalone serves without a kube-apiserver: see the --standalone flag.
	Standalone bool
	// standaloneAdmission holds the admission flags of a --standalone server,
	// whose chain Config builds from this server's own plugins only.
	standaloneAdmission *genericoptions.AdmissionOptions
}

// NewOptions returns the default options.
func NewOptions() *Options {
	storageVersions := apiserver.StorageVersions()
	o := &Options{
		// The storage codec follows --storage-media-type: Complete sets it.
		RecommendedOptions:       genericoptions.NewRecommendedOptions(defaultEtcdPathPrefix, nil),
		ComponentGlobalsRegistry: compatibility.DefaultComponentGlobalsRegistry,
		Storage:                  NewStorageOptions(),
	}
	o.ServerRun = genericoptions.NewServerRunOptionsForComponent(basecompatibility.DefaultKubeComponent, o.ComponentGlobalsRegistry)
	// The Kubernetes version and feature gates the server emulates (--emulated-version, --feature-gates).
	_, _ = o.ComponentGlobalsRegistry.ComponentGlobalsOrRegister(basecompatibility.DefaultKubeComponent,
		basecompatibility.NewEffectiveVersionFromString(baseversion.DefaultKubeBinaryVersion, "", ""), utilfeature.DefaultMutableFeatureGate)
	// Objects are written to etcd in each group's storage version, as
	// protobuf: what kube-apiserver does for its own types (see storageCodec).
	o.RecommendedOptions.Etcd.StorageConfig.EncodeVersioner = schema.GroupVersions(storageVersions)
	o.RecommendedOptions.Etcd.DefaultStorageMediaType = runtime.ContentTypeProtobuf
	// This server's own admission plugins (pkg/admission; apiserver-boot create
	// admission adds one), given the project's clientset and informers.
	serveradmission.Register(o.RecommendedOptions.Admission)
	o.RecommendedOptions.ExtraAdmissionInitializers = serveradmission.Initializers
	return o
}

// NewCommandStartServer returns the apiserver's command.
func NewCommandStartServer(ctx context.Context, defaults *Options) *cobra.Command {
	o := *defaults
	cmd := &cobra.Command{
		Use:   "apiserver",
		Short: "Launch the empty API server",
		Long: "Launch the empty API server. It is registered with a kube-apiserver through APIService " +
			"objects (see config/), or runs alone with --standalone.",
		PersistentPreRunE: func(*cobra.Command, []string) error {
			return defaults.ComponentGlobalsRegistry.Set()
		},
		RunE: func(c *cobra.Command, args []string) error {
			if err := o.Complete(); err != nil {
				return err
			}
			if err := o.Validate(args); err != nil {
				return err
			}
			return o.Run(c.Context())
		},
	}
	cmd.SetContext(ctx)
	o.AddFlags(cmd.Flags())
	return cmd
}

// AddFlags adds the server's flags to fs.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	o.RecommendedOptions.AddFlags(fs)
	o.Storage.AddFlags(fs)
	fs.BoolVar(&o.Standalone, "standalone", o.Standalone, ""+
		"Serve without a kube-apiserver, for local development and tests: clients authenticate with "+
		"certificates signed by --client-ca-file, members of the group system:masters may do anything and "+
		"everyone else nothing; the generic admission plugins and priority-and-fairness, which need the core API, "+
		"are off (this server's own admission plugins run); the server answers kubectl auth whoami and can-i itself.")
	// Also --emulated-version and --feature-gates, from ComponentGlobalsRegistry.
	o.ServerRun.AddUniversalFlags(fs)
}

// Complete fills in what the flags leave open.
func (o *Options) Complete() error {
	if o.Standalone {
		// Without a kube-apiserver there is nobody to delegate to: accept client
		// certificates and let the always-allowed group system:masters through.
		o.RecommendedOptions.Authentication.RemoteKubeConfigFileOptional = true
		o.RecommendedOptions.Authentication.SkipInClusterLookup = true
		o.RecommendedOptions.Authorization.RemoteKubeConfigFileOptional = true
		o.RecommendedOptions.CoreAPI = nil
		o.RecommendedOptions.Features.EnablePriorityAndFairness = false
		// The generic admission plugins need the core API too: Config builds
		// the chain of this server's own plugins instead.
		o.standaloneAdmission, o.RecommendedOptions.Admission = o.RecommendedOptions.Admission, nil
		o.RecommendedOptions.ExtraAdmissionInitializers = func(*genericapiserver.RecommendedConfig) ([]admission.PluginInitializer, error) {
			return nil, nil
		}
	}
	if err := o.Storage.Complete(o.RecommendedOptions.Etcd); err != nil {
		return err
	}
	codec, err := storageCodec(o.RecommendedOptions.Etcd.DefaultStorageMediaType)
	if err != nil {
		return err
	}
	o.RecommendedOptions.Etcd.StorageConfig.Codec = codec
	return nil
}

// storageCodec writes objects in --storage-media-type (protobuf unless the
// flag says otherwise), in each group's storage version. It reads every
// encoding the server knows, whatever the flag: objects stored as JSON (by
// an earlier release of this server, or with --storage-media-type
// application/json) are read as they are, and written in the new encoding
// when they are next updated.
func storageCodec(mediaType string) (runtime.Codec, error) {
	info, ok := runtime.SerializerInfoForMediaType(apiserver.Codecs.SupportedMediaTypes(), mediaType)
	if !ok {
		return nil, fmt.Errorf("--storage-media-type %q: no serializer for it", mediaType)
	}
	return apiserver.Codecs.CodecForVersions(info.Serializer, apiserver.Codecs.UniversalDeserializer(),
		schema.GroupVersions(apiserver.StorageVersions()), runtime.InternalGroupVersioner), nil
}

// Validate checks the options.
func (o *Options) Validate(args []string) error {
	var errs []error
	if len(args) > 0 {
		errs = append(errs, fmt.Errorf("unexpected arguments: %v", args))
	}
	if o.Standalone && o.RecommendedOptions.Authentication.ClientCert.ClientCA == "" {
		errs = append(errs, fmt.Errorf("--standalone needs --client-ca-file: without it nobody could authenticate"))
	}
	errs = append(errs, o.Storage.Validate()...)
	errs = append(errs, o.ServerRun.Validate()...)
	errs = append(errs, o.RecommendedOptions.Validate()...)
	errs = append(errs, o.ComponentGlobalsRegistry.Validate()...)
	return utilerrors.NewAggregate(errs)
}

// Config builds the server configuration from the options.
func (o *Options) Config() (*apiserver.Config, error) {
	// Without --tls-cert-file, serve with a self-signed certificate for localhost.
	if err := o.RecommendedOptions.SecureServing.MaybeDefaultWithSelfSignedCerts("localhost", nil, []net.IP{netutils.ParseIPSloppy("127.0.0.1")}); err != nil {
		return nil, fmt.Errorf("creating self-signed certificates: %w", err)
	}

	serverConfig := genericapiserver.NewRecommendedConfig(apiserver.Codecs)

	namer := openapi.NewDefinitionNamer(apiserver.Scheme)
	serverConfig.OpenAPIConfig = genericapiserver.DefaultOpenAPIConfig(generatedopenapi.GetOpenAPIDefinitions, namer)
	serverConfig.OpenAPIConfig.Info.Title = "empty"
	serverConfig.OpenAPIConfig.Info.Version = "0.1"
	serverConfig.OpenAPIV3Config = genericapiserver.DefaultOpenAPIV3Config(generatedopenapi.GetOpenAPIDefinitions, namer)
	serverConfig.OpenAPIV3Config.Info.Title = "empty"
	serverConfig.OpenAPIV3Config.Info.Version = "0.1"

	// The effective version and feature gates come with the run options.
	if err := o.ServerRun.ApplyTo(&serverConfig.Config); err != nil {
		return nil, err
	}
	if err := o.RecommendedOptions.ApplyTo(serverConfig); err != nil {
		return nil, err
	}
	if rh := serverConfig.Authentication.RequestHeaderConfig; rh != nil {
		// The front proxy's CA comes from kube-system's ConfigMap
		// extension-apiserver-authentication through an informer that syncs
		// only after the server listens. Until then every request that
		// kube-apiserver proxies here is served as system:anonymous, so the
		// server is not ready: a new replica of a rolling restart gets no
		// request it cannot authenticate.
		serverConfig.AddReadyzChecks(healthz.NamedCheck("front-proxy-ca", func(*http.Request) error {
			if len(rh.CAContentProvider.CurrentCABundleContent()) == 0 {
				return errors.New("the front proxy's CA (kube-system/extension-apiserver-authentication, requestheader-client-ca-file) is not loaded yet")
			}
			return nil
		}))
	}
	if o.Standalone {
		serverConfig.Authorization.Authorizer = apiserver.StandaloneAuthorizer(serverConfig.Authorization.Authorizer)
	}
	if o.standaloneAdmission != nil {
		chain, err := serveradmission.Standalone(o.standaloneAdmission, serverConfig)
		if err != nil {
			return nil, err
		}
		serverConfig.AdmissionControl = chain
	}
	return &apiserver.Config{GenericConfig: serverConfig, Standalone: o.Standalone}, nil
}

// Run starts the server and blocks until ctx is done.
func (o *Options) Run(ctx context.Context) error {
	server, err := o.NewServer(ctx)
	if err != nil {
		return err
	}
	return server.GenericAPIServer.PrepareRun().RunWithContext(ctx)
}

// NewServer starts the storage (kine, for a SQL backend) and returns the
// server, ready to run; pkg/testing runs it inside a test this way.
func (o *Options) NewServer(ctx context.Context) (*apiserver.Server, error) {
	if err := o.Storage.Start(ctx); err != nil {
		return nil, err
	}
	config, err := o.Config()
	if err != nil {
		return nil, err
	}
	server, err := config.Complete().New()
	if err != nil {
		return nil, err
	}
	if informers := config.GenericConfig.SharedInformerFactory; informers != nil {
		server.GenericAPIServer.AddPostStartHookOrDie("start-informers", func(hookCtx genericapiserver.PostStartHookContext) error {
			informers.Start(hookCtx.Done())
			return nil
		})
	}
	return server, nil
}
