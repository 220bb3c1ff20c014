package manifests

import (
	"slices"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/apiserver-boot/apiserver-boot/internal/model"
	"github.com/apiserver-boot/apiserver-boot/internal/project"
)

// TestLeastPrivilege: each component is bound only to what it uses. The
// manager reads and writes the status of the kinds it reconciles, and holds
// Leases and records events in its own namespace only; the apiserver, which
// writes to its storage and not through the API, has the delegation rights
// and no rights on the project's groups; no one can write Leases elsewhere.
func TestLeastPrivilege(t *testing.T) {
	p := &project.Project{
		Layout: project.Layout, Domain: "example.com", Module: "example.com/bees", KubernetesVersion: project.KubernetesVersion,
		Groups: []project.Group{{
			Name:     "insect",
			Versions: []project.Version{{Name: "v1alpha1", StorageVersion: true}},
			Kinds: []project.Kind{
				{Kind: "Bee", Plural: "bees", Namespaced: true, StatusSubresource: true, Controller: true, Versions: []string{"v1alpha1"}},
				{Kind: "Hive", Plural: "hives", Controller: true, Versions: []string{"v1alpha1"}},
				{Kind: "Sighting", Plural: "sightings", Namespaced: true, Versions: []string{"v1alpha1"}},
			},
		}},
	}
	d := Deployment{Name: "bees-apiserver", Namespace: "bees", ServiceAccount: "bees-apiserver", Project: model.New(p)}
	if d.ManagerDeployment().Spec.Template.Spec.ServiceAccountName == d.APIServerDeployment().Spec.Template.Spec.ServiceAccountName {
		t.Fatal("the manager and the apiserver run as one ServiceAccount")
	}

	// What each identity may do: ClusterRole rules apply everywhere, Role
	// rules in the Role's namespace.
	type grant struct {
		namespace string // "" for every namespace
		rule      rbacv1.PolicyRule
	}
	grants := map[string][]grant{}
	roles := map[string][]rbacv1.PolicyRule{}
	clusterRoles := map[string][]rbacv1.PolicyRule{}
	for _, o := range d.RBAC() {
		switch o := o.(type) {
		case *rbacv1.ClusterRole:
			clusterRoles[o.Name] = o.Rules
		case *rbacv1.Role:
			roles[o.Namespace+"/"+o.Name] = o.Rules
		}
	}
	for _, o := range d.RBAC() {
		switch o := o.(type) {
		case *rbacv1.ClusterRoleBinding:
			for _, s := range o.Subjects {
				for _, r := range clusterRoles[o.RoleRef.Name] {
					grants[s.Name] = append(grants[s.Name], grant{"", r})
				}
				if o.RoleRef.Name == "system:auth-delegator" {
					grants[s.Name] = append(grants[s.Name], grant{"", rbacv1.PolicyRule{APIGroups: []string{"authentication.k8s.io"}, Resources: []string{"tokenreviews"}, Verbs: []string{"create"}}})
				}
			}
		case *rbacv1.RoleBinding:
			for _, s := range o.Subjects {
				for _, r := range roles[o.Namespace+"/"+o.RoleRef.Name] {
					grants[s.Name] = append(grants[s.Name], grant{o.Namespace, r})
				}
			}
		}
	}
	may := func(who, namespace, group, resource, verb string) bool {
		for _, g := range grants[who] {
			if g.namespace != "" && g.namespace != namespace {
				continue
			}
			r := g.rule
			if (slices.Contains(r.APIGroups, group) || slices.Contains(r.APIGroups, "*")) &&
				(slices.Contains(r.Resources, resource) || slices.Contains(r.Resources, "*")) &&
				(slices.Contains(r.Verbs, verb) || slices.Contains(r.Verbs, "*")) {
				return true
			}
		}
		return false
	}
	manager, apiserver := d.ManagerServiceAccount(), d.ServiceAccount
	for _, c := range []struct {
		who, namespace, group, resource, verb string
		want                                  bool
	}{
		{manager, "bees", "coordination.k8s.io", "leases", "update", true},
		{manager, "kube-system", "coordination.k8s.io", "leases", "update", false},
		{manager, "kube-node-lease", "coordination.k8s.io", "leases", "update", false},
		{manager, "kube-system", "coordination.k8s.io", "leases", "create", false},
		{manager, "default", "insect.example.com", "bees", "watch", true},
		{manager, "default", "insect.example.com", "bees/status", "update", true},
		{manager, "default", "insect.example.com", "bees", "update", false},
		{manager, "default", "insect.example.com", "bees", "delete", false},
		{manager, "default", "insect.example.com", "bees", "create", false},
		{manager, "", "insect.example.com", "hives", "update", true}, // no status subresource: the object
		{manager, "default", "insect.example.com", "sightings", "get", false},
		{manager, "", "authentication.k8s.io", "tokenreviews", "create", false},
		{manager, "default", "", "events", "create", false},
		{manager, "bees", "", "events", "create", true},
		{apiserver, "", "authentication.k8s.io", "tokenreviews", "create", true},
		{apiserver, "default", "insect.example.com", "bees", "create", false},
		{apiserver, "default", "insect.example.com", "bees", "update", false},
		{apiserver, "bees", "coordination.k8s.io", "leases", "update", false},
	} {
		if got := may(c.who, c.namespace, c.group, c.resource, c.verb); got != c.want {
			t.Errorf("%s may %s %s.%s in %q: %v, want %v", c.who, c.verb, c.resource, c.group, c.namespace, got, c.want)
		}
	}
}
