package manifests

import (
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/apiserver-boot/apiserver-boot/internal/model"
)

// Each component has an identity of its own, with only the rights it uses.

func (d *Deployment) subject() []rbacv1.Subject {
	return []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: d.ServiceAccount, Namespace: d.Namespace}}
}

// ManagerServiceAccount is the controller manager's identity: its own, so
// that neither component holds the other's rights.
func (d *Deployment) ManagerServiceAccount() string {
	return d.ServiceAccount + "-" + model.Manager.Name
}

func (d *Deployment) managerSubject() []rbacv1.Subject {
	return []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: d.ManagerServiceAccount(), Namespace: d.Namespace}}
}

// ServiceAccountObject is the apiserver's identity.
func (d *Deployment) ServiceAccountObject() *corev1.ServiceAccount {
	return &corev1.ServiceAccount{TypeMeta: typeMeta("v1", "ServiceAccount"), ObjectMeta: d.meta(d.ServiceAccount, "rbac")}
}

// ManagerServiceAccountObject is the controller manager's identity.
func (d *Deployment) ManagerServiceAccountObject() *corev1.ServiceAccount {
	return &corev1.ServiceAccount{TypeMeta: typeMeta("v1", "ServiceAccount"), ObjectMeta: d.meta(d.ManagerServiceAccount(), "rbac")}
}

// RBAC is what both components may do (see APIServerRBAC and ManagerRBAC).
func (d *Deployment) RBAC() []any { return append(d.APIServerRBAC(), d.ManagerRBAC()...) }

// APIServerRBAC returns what the apiserver's identity needs to serve behind
// the aggregator, and nothing more (it writes its objects to its storage,
// not through the API):
//   - system:auth-delegator: create TokenReviews and SubjectAccessReviews
//     (delegated authentication and authorization);
//   - extension-apiserver-authentication-reader in kube-system: read the
//     client CA and request-header settings of kube-apiserver;
//   - its own ClusterRole: read namespaces (admission), admission
//     configuration and flow control objects (informers of the generic apiserver).
func (d *Deployment) APIServerRBAC() []any {
	apiserverRole := d.Name + ":apiserver"
	return []any{
		&rbacv1.ClusterRole{
			TypeMeta: typeMeta("rbac.authorization.k8s.io/v1", "ClusterRole"), ObjectMeta: clusterMeta(apiserverRole, d.labels("rbac")),
			Rules: []rbacv1.PolicyRule{
				{APIGroups: []string{""}, Resources: []string{"namespaces"}, Verbs: []string{"get", "list", "watch"}},
				{APIGroups: []string{"admissionregistration.k8s.io"}, Resources: []string{"*"}, Verbs: []string{"get", "list", "watch"}},
				{APIGroups: []string{"flowcontrol.apiserver.k8s.io"}, Resources: []string{"prioritylevelconfigurations", "flowschemas"}, Verbs: []string{"get", "list", "watch"}},
			},
		},
		&rbacv1.ClusterRoleBinding{
			TypeMeta: typeMeta("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"), ObjectMeta: clusterMeta(apiserverRole, d.labels("rbac")),
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: apiserverRole},
			Subjects: d.subject(),
		},
		&rbacv1.ClusterRoleBinding{
			TypeMeta: typeMeta("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"), ObjectMeta: clusterMeta(d.Name+":system:auth-delegator", d.labels("rbac")),
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "system:auth-delegator"},
			Subjects: d.subject(),
		},
		&rbacv1.RoleBinding{
			TypeMeta:   typeMeta("rbac.authorization.k8s.io/v1", "RoleBinding"),
			ObjectMeta: metav1.ObjectMeta{Name: d.Name + ":extension-apiserver-authentication-reader", Namespace: "kube-system", Labels: d.labels("rbac")},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "extension-apiserver-authentication-reader"},
			Subjects:   d.subject(),
		},
	}
}

// ManagerRBAC returns what the controller manager does: read the kinds it
// reconciles and write what its reconcilers write (their status, or the
// object for a kind without a status subresource), cluster-wide; and, in
// its own namespace only, hold its leader-election Lease and record events.
// A controller you write that does more needs its rules here.
func (d *Deployment) ManagerRBAC() []any {
	managerRole := d.Name + ":" + model.Manager.Name
	var rules []rbacv1.PolicyRule
	for _, g := range d.Project.Groups {
		var read, write []string
		for _, k := range g.Kinds {
			if !k.Spec.Controller {
				continue
			}
			read = append(read, k.Plural)
			if k.Spec.StatusSubresource {
				write = append(write, k.Plural+"/status")
			} else {
				write = append(write, k.Plural)
			}
		}
		if len(read) > 0 {
			rules = append(rules,
				rbacv1.PolicyRule{APIGroups: []string{g.Full}, Resources: read, Verbs: []string{"get", "list", "watch"}},
				rbacv1.PolicyRule{APIGroups: []string{g.Full}, Resources: write, Verbs: []string{"update", "patch"}})
		}
	}
	return []any{
		&rbacv1.ClusterRole{
			TypeMeta: typeMeta("rbac.authorization.k8s.io/v1", "ClusterRole"), ObjectMeta: clusterMeta(managerRole, d.labels("rbac")),
			Rules: rules,
		},
		&rbacv1.ClusterRoleBinding{
			TypeMeta: typeMeta("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"), ObjectMeta: clusterMeta(managerRole, d.labels("rbac")),
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: managerRole},
			Subjects: d.managerSubject(),
		},
		&rbacv1.Role{
			TypeMeta: typeMeta("rbac.authorization.k8s.io/v1", "Role"), ObjectMeta: d.meta(managerRole+":leader-election", "rbac"),
			Rules: []rbacv1.PolicyRule{
				{APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"leases"}, Verbs: []string{"get", "create", "update"}},
				{APIGroups: []string{"", "events.k8s.io"}, Resources: []string{"events"}, Verbs: []string{"create", "patch"}},
			},
		},
		&rbacv1.RoleBinding{
			TypeMeta: typeMeta("rbac.authorization.k8s.io/v1", "RoleBinding"), ObjectMeta: d.meta(managerRole+":leader-election", "rbac"),
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: managerRole + ":leader-election"},
			Subjects: d.managerSubject(),
		},
	}
}
