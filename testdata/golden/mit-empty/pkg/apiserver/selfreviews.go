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

package apiserver

import (
	"context"
	"fmt"
	"slices"

	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	authuser "k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
	genericapiserver "k8s.io/apiserver/pkg/server"
)

// A --standalone server answers `kubectl auth whoami` (SelfSubjectReview) and
// `kubectl auth can-i` (SelfSubjectAccessReview) itself, with its own
// authentication and authorizer. Registered into a cluster it does not: the
// cluster's kube-apiserver serves both APIs.

// addSelfReviewTypes adds the review types to scheme. Like autoscaling/v1
// Scale, each is its own internal version.
func addSelfReviewTypes(scheme *runtime.Scheme) {
	for gv, obj := range map[schema.GroupVersion]runtime.Object{
		authenticationv1.SchemeGroupVersion: &authenticationv1.SelfSubjectReview{},
		authorizationv1.SchemeGroupVersion:  &authorizationv1.SelfSubjectAccessReview{},
	} {
		scheme.AddKnownTypes(gv, obj)
		scheme.AddKnownTypes(schema.GroupVersion{Group: gv.Group, Version: runtime.APIVersionInternal}, obj)
		metav1.AddToGroupVersion(scheme, gv)
	}
}

// installSelfReviews serves authentication.k8s.io/v1 selfsubjectreviews and
// authorization.k8s.io/v1 selfsubjectaccessreviews.
func installSelfReviews(s *genericapiserver.GenericAPIServer, authz authorizer.Authorizer) error {
	for group, storage := range map[string]map[string]rest.Storage{
		authenticationv1.GroupName: {"selfsubjectreviews": selfSubjectReviews{}},
		authorizationv1.GroupName:  {"selfsubjectaccessreviews": selfSubjectAccessReviews{authz}},
	} {
		info := genericapiserver.NewDefaultAPIGroupInfo(group, Scheme, metav1.ParameterCodec, Codecs)
		info.VersionedResourcesStorageMap["v1"] = storage
		if err := s.InstallAPIGroup(&info); err != nil {
			return err
		}
	}
	return nil
}

// StandaloneAuthorizer is the authorizer of a --standalone server: authz,
// plus kube-apiserver's system:basic-user rule that every authenticated user
// (not an anonymous one) may ask who they are and what they may do.
func StandaloneAuthorizer(authz authorizer.Authorizer) authorizer.Authorizer {
	return authorizer.AuthorizerFunc(func(ctx context.Context, a authorizer.Attributes) (authorizer.Decision, string, error) {
		self := a.GetAPIGroup() == authenticationv1.GroupName && a.GetResource() == "selfsubjectreviews" ||
			a.GetAPIGroup() == authorizationv1.GroupName && a.GetResource() == "selfsubjectaccessreviews"
		if a.IsResourceRequest() && a.GetVerb() == "create" && self && a.GetUser() != nil && slices.Contains(a.GetUser().GetGroups(), authuser.AllAuthenticated) {
			return authorizer.DecisionAllow, "anyone may review themselves", nil
		}
		return authz.Authorize(ctx, a)
	})
}

// selfSubjectReviews tells the caller who the server thinks they are.
type selfSubjectReviews struct{}

func (selfSubjectReviews) New() runtime.Object     { return &authenticationv1.SelfSubjectReview{} }
func (selfSubjectReviews) Destroy()                {}
func (selfSubjectReviews) NamespaceScoped() bool   { return false }
func (selfSubjectReviews) GetSingularName() string { return "selfsubjectreview" }

func (selfSubjectReviews) Create(ctx context.Context, obj runtime.Object, _ rest.ValidateObjectFunc, _ *metav1.CreateOptions) (runtime.Object, error) {
	user, ok := genericapirequest.UserFrom(ctx)
	if !ok {
		return nil, fmt.Errorf("no user in the request")
	}
	review := obj.(*authenticationv1.SelfSubjectReview)
	review.Status.UserInfo = authenticationv1.UserInfo{Username: user.GetName(), UID: user.GetUID(), Groups: user.GetGroups()}
	for k, v := range user.GetExtra() {
		if review.Status.UserInfo.Extra == nil {
			review.Status.UserInfo.Extra = map[string]authenticationv1.ExtraValue{}
		}
		review.Status.UserInfo.Extra[k] = v
	}
	return review, nil
}

// selfSubjectAccessReviews asks the server's authorizer whether the caller
// may do something.
type selfSubjectAccessReviews struct{ authz authorizer.Authorizer }

func (selfSubjectAccessReviews) New() runtime.Object {
	return &authorizationv1.SelfSubjectAccessReview{}
}
func (selfSubjectAccessReviews) Destroy()                {}
func (selfSubjectAccessReviews) NamespaceScoped() bool   { return false }
func (selfSubjectAccessReviews) GetSingularName() string { return "selfsubjectaccessreview" }

func (r selfSubjectAccessReviews) Create(ctx context.Context, obj runtime.Object, _ rest.ValidateObjectFunc, _ *metav1.CreateOptions) (runtime.Object, error) {
	user, ok := genericapirequest.UserFrom(ctx)
	if !ok {
		return nil, fmt.Errorf("no user in the request")
	}
	review := obj.(*authorizationv1.SelfSubjectAccessReview)
	attrs := authorizer.AttributesRecord{User: user}
	switch spec := review.Spec; {
	case spec.ResourceAttributes != nil:
		ra := spec.ResourceAttributes
		attrs.ResourceRequest = true
		attrs.Verb, attrs.Namespace, attrs.APIGroup, attrs.APIVersion = ra.Verb, ra.Namespace, ra.Group, ra.Version
		attrs.Resource, attrs.Subresource, attrs.Name = ra.Resource, ra.Subresource, ra.Name
	case spec.NonResourceAttributes != nil:
		attrs.Verb, attrs.Path = spec.NonResourceAttributes.Verb, spec.NonResourceAttributes.Path
	default:
		return nil, fmt.Errorf("spec.resourceAttributes or spec.nonResourceAttributes is required")
	}
	decision, reason, err := r.authz.Authorize(ctx, attrs)
	review.Status = authorizationv1.SubjectAccessReviewStatus{
		Allowed: decision == authorizer.DecisionAllow,
		Denied:  decision == authorizer.DecisionDeny,
		Reason:  reason,
	}
	if err != nil {
		review.Status.EvaluationError = err.Error()
	}
	return review, nil
}
