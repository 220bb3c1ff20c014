/*
Copyright 2026 The bees Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

// Package apiserver assembles the server: the scheme with every API group of
// this project, and the generic apiserver with each group's REST storage.
package apiserver

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	genericapiserver "k8s.io/apiserver/pkg/server"
)

var (
	// Scheme knows every type this server serves, in every version.
	Scheme = runtime.NewScheme()
	// Codecs encodes and decodes objects of Scheme.
	Codecs = serializer.NewCodecFactory(Scheme)
)

func init() {
	installGroups(Scheme)
	addSelfReviewTypes(Scheme)

	// The generic apiserver decodes query parameters (ListOptions, …) as meta/v1.
	metav1.AddToGroupVersion(Scheme, schema.GroupVersion{Version: "v1"})
	unversioned := schema.GroupVersion{Group: "", Version: "v1"}
	Scheme.AddUnversionedTypes(unversioned,
		&metav1.Status{},
		&metav1.APIVersions{},
		&metav1.APIGroupList{},
		&metav1.APIGroup{},
		&metav1.APIResourceList{},
	)
}

// Config is the configuration of the server. Add fields for your own
// configuration here (clients of other services, feature switches, …), set
// them in pkg/cmd/server/start.go and carry them through completedConfig.
type Config struct {
	GenericConfig *genericapiserver.RecommendedConfig
	// Standalone serves without a kube-apiserver (--standalone): the server
	// then answers kubectl auth whoami and can-i itself (selfreviews.go).
	Standalone bool
}

// Server is the running server.
type Server struct {
	GenericAPIServer *genericapiserver.GenericAPIServer
}

type completedConfig struct {
	GenericConfig genericapiserver.CompletedConfig
	Standalone    bool
}

// CompletedConfig is a Config with defaults filled in; only Complete makes one.
type CompletedConfig struct {
	*completedConfig
}

// Complete fills in the fields not set that are required to have valid data.
func (cfg *Config) Complete() CompletedConfig {
	return CompletedConfig{&completedConfig{GenericConfig: cfg.GenericConfig.Complete(), Standalone: cfg.Standalone}}
}

// New returns a server with every API group installed.
func (c completedConfig) New() (*Server, error) {
	genericServer, err := c.GenericConfig.New("bees-apiserver", genericapiserver.NewEmptyDelegate())
	if err != nil {
		return nil, err
	}
	s := &Server{GenericAPIServer: genericServer}

	groups, err := newAPIGroups(Scheme, Codecs, c.GenericConfig.RESTOptionsGetter)
	if err != nil {
		return nil, err
	}
	for _, group := range groups {
		if err := s.GenericAPIServer.InstallAPIGroup(group); err != nil {
			return nil, err
		}
	}
	if c.Standalone {
		if err := installSelfReviews(s.GenericAPIServer, c.GenericConfig.Authorization.Authorizer); err != nil {
			return nil, err
		}
	}
	return s, nil
}
