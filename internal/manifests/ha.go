package manifests

import (
	"fmt"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/apiserver-boot/apiserver-boot/internal/model"
)

// How an apiserver replica leaves: it keeps serving for shutdownDelay after
// SIGTERM while it reports not ready (endpoints and the aggregator move new
// requests to the other replicas), then drains; the kubelet waits
// terminationGrace before it kills it.
const (
	shutdownDelay    = 15 * time.Second
	watchDrain       = 10 * time.Second
	terminationGrace = 60 * time.Second
)

const (
	etcdClientMount = "/var/run/etcd-client"
	etcdPKIMount    = "/var/run/etcd-pki"
	etcdDataDir     = "/var/lib/etcd"
)

// ValidEtcdMembers are the etcd cluster sizes build config makes: odd, so a
// quorum survives the loss of (n-1)/2 members.
var ValidEtcdMembers = []int32{1, 3, 5}

func (d *Deployment) apiserverReplicas() int32 {
	if d.Backend == model.BackendSQLite || d.Replicas < 1 {
		return 1
	}
	return d.Replicas
}

// managerReplicas: one active manager holds the Lease; with several
// apiserver replicas a second one stands by to take over.
func (d *Deployment) managerReplicas() int32 {
	if d.Replicas > 1 {
		return 2
	}
	return 1
}

func (d *Deployment) members() int {
	if d.EtcdMembers < 1 {
		return 1
	}
	return int(d.EtcdMembers)
}

// EtcdClientSecretName holds the apiserver's etcd client certificate and the etcd CA.
func (d *Deployment) EtcdClientSecretName() string { return d.Name + "-etcd-client" }

// ExternalEtcdCASecretName and ExternalEtcdClientSecretName are the Secrets
// of the external-etcd overlay: your etcd's CA (ca.crt) and the apiserver's
// client certificate for it (tls.crt, tls.key).
func (d *Deployment) ExternalEtcdCASecretName() string     { return d.Name + "-external-etcd-ca" }
func (d *Deployment) ExternalEtcdClientSecretName() string { return d.Name + "-external-etcd-client" }

// etcdClientVolume is the index of the etcd-client volume in the apiserver's pod.
const etcdClientVolume = 2

// EtcdServerSecretName holds the members' certificate (serving and peer) and the etcd CA.
func (d *Deployment) EtcdServerSecretName() string { return d.EtcdName() + "-tls" }

// etcdMemberHost is the stable DNS name of member i behind the headless Service.
func (d *Deployment) etcdMemberHost(i int) string {
	return fmt.Sprintf("%s-%d.%s.%s.svc", d.EtcdName(), i, d.EtcdName(), d.Namespace)
}

// EtcdHosts are the names the members' certificate is valid for.
func (d *Deployment) EtcdHosts() []string {
	svc := d.EtcdName() + "." + d.Namespace + ".svc"
	return []string{"*." + svc, "*." + svc + ".cluster.local", svc, svc + ".cluster.local", "localhost"}
}

// spread asks the scheduler to put replicas in different zones and on
// different nodes. ScheduleAnyway: a one-node cluster still runs them all.
func spread(labels map[string]string) []corev1.TopologySpreadConstraint {
	var out []corev1.TopologySpreadConstraint
	for _, key := range []string{corev1.LabelTopologyZone, corev1.LabelHostname} {
		out = append(out, corev1.TopologySpreadConstraint{
			MaxSkew: 1, TopologyKey: key, WhenUnsatisfiable: corev1.ScheduleAnyway,
			LabelSelector: &metav1.LabelSelector{MatchLabels: labels},
		})
	}
	return out
}

func (d *Deployment) pdb(name, component string, budget policyv1.PodDisruptionBudgetSpec) *policyv1.PodDisruptionBudget {
	budget.Selector = &metav1.LabelSelector{MatchLabels: d.labels(component)}
	return &policyv1.PodDisruptionBudget{TypeMeta: typeMeta("policy/v1", "PodDisruptionBudget"), ObjectMeta: d.meta(name, component), Spec: budget}
}

// DisruptionBudgets keep the apiserver and the manager serving through
// voluntary disruptions (node drains, upgrades): at most one replica away at
// a time. One replica gets none, since a budget would block every drain.
func (d *Deployment) DisruptionBudgets() []any {
	var out []any
	one := intstr.FromInt32(1)
	if d.apiserverReplicas() > 1 {
		out = append(out, d.pdb(d.Name+"-"+model.APIServer.Name, model.APIServer.Name, policyv1.PodDisruptionBudgetSpec{MaxUnavailable: &one}))
	}
	if d.managerReplicas() > 1 {
		out = append(out, d.pdb(d.Name+"-"+model.Manager.Name, model.Manager.Name, policyv1.PodDisruptionBudgetSpec{MaxUnavailable: &one}))
	}
	return out
}

// Etcd returns the etcd cluster: a StatefulSet of EtcdMembers members that
// find each other through a headless Service, serve clients and peers on TLS
// with certificates of their own CA and accept only certificates of it (the
// apiserver's client certificate), keep their data on a PersistentVolumeClaim,
// prefer distinct nodes, and a PodDisruptionBudget that keeps a quorum. For
// an etcd you run yourself, use the external-etcd overlay.
func (d *Deployment) Etcd() []any {
	if d.SQL() {
		return nil
	}
	name := d.EtcdName()
	labels := d.labels("etcd")
	n := d.members()
	var initial []string
	for i := range n {
		initial = append(initial, fmt.Sprintf("%s-%d=https://%s:2380", name, i, d.etcdMemberHost(i)))
	}
	self := "$(POD_NAME)." + name + "." + d.Namespace + ".svc"
	pki := func(f string) string { return etcdPKIMount + "/" + f }
	command := []string{"etcd",
		"--name=$(POD_NAME)", "--data-dir=" + etcdDataDir,
		"--listen-client-urls=https://0.0.0.0:2379", "--advertise-client-urls=https://" + self + ":2379",
		"--listen-peer-urls=https://0.0.0.0:2380", "--initial-advertise-peer-urls=https://" + self + ":2380",
		"--initial-cluster=" + strings.Join(initial, ","), "--initial-cluster-state=new", "--initial-cluster-token=" + name,
		"--client-cert-auth", "--trusted-ca-file=" + pki("ca.crt"), "--cert-file=" + pki("tls.crt"), "--key-file=" + pki("tls.key"),
		"--peer-client-cert-auth", "--peer-trusted-ca-file=" + pki("ca.crt"), "--peer-cert-file=" + pki("tls.crt"), "--peer-key-file=" + pki("tls.key"),
		// Health and metrics, plain HTTP for the kubelet's probes (which
		// send no client certificate): etcdNetworkPolicy keeps it to the node.
		"--listen-metrics-urls=http://0.0.0.0:2381",
	}
	objs := []any{
		&corev1.Service{
			TypeMeta: typeMeta("v1", "Service"), ObjectMeta: d.meta(name, "etcd"),
			Spec: corev1.ServiceSpec{
				Selector: labels, ClusterIP: corev1.ClusterIPNone,
				// Members resolve each other before they are ready: a new
				// cluster is only ready once a quorum has met.
				PublishNotReadyAddresses: true,
				Ports:                    []corev1.ServicePort{{Name: "client", Port: 2379}, {Name: "peer", Port: 2380}},
			},
		},
		&appsv1.StatefulSet{
			TypeMeta: typeMeta("apps/v1", "StatefulSet"), ObjectMeta: d.meta(name, "etcd"),
			Spec: appsv1.StatefulSetSpec{
				ServiceName: name,
				Replicas:    ptr.To(int32(n)),
				// All members start together: with OrderedReady the first would
				// wait for a quorum that the others never get to form.
				PodManagementPolicy: appsv1.ParallelPodManagement,
				Selector:            &metav1.LabelSelector{MatchLabels: labels},
				Template: corev1.PodTemplateSpec{
					ObjectMeta: metav1.ObjectMeta{Labels: labels},
					Spec: corev1.PodSpec{
						// etcd never calls the Kubernetes API: no token in its pods.
						AutomountServiceAccountToken: ptr.To(false),
						SecurityContext:              &corev1.PodSecurityContext{RunAsNonRoot: ptr.To(true), RunAsUser: ptr.To[int64](65532), FSGroup: ptr.To[int64](65532)},
						Affinity: &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{
							PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{{
								Weight: 100,
								PodAffinityTerm: corev1.PodAffinityTerm{
									LabelSelector: &metav1.LabelSelector{MatchLabels: labels}, TopologyKey: corev1.LabelHostname,
								},
							}},
						}},
						TopologySpreadConstraints: spread(labels)[:1],
						Containers: []corev1.Container{{
							Name:    "etcd",
							Image:   d.EtcdImage,
							Command: command,
							Env: []corev1.EnvVar{{Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{
								FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}}},
							Ports: []corev1.ContainerPort{
								{Name: "client", ContainerPort: 2379}, {Name: "peer", ContainerPort: 2380}, {Name: "metrics", ContainerPort: 2381},
							},
							ReadinessProbe:  probe("/readyz", intstr.FromString("metrics"), corev1.URISchemeHTTP, 5),
							LivenessProbe:   probe("/livez", intstr.FromString("metrics"), corev1.URISchemeHTTP, 10),
							Resources:       resources("128Mi", "512Mi", "100m"),
							SecurityContext: restricted(),
							VolumeMounts: []corev1.VolumeMount{
								{Name: "data", MountPath: etcdDataDir},
								{Name: "pki", MountPath: etcdPKIMount, ReadOnly: true},
							},
						}},
						Volumes: []corev1.Volume{{Name: "pki", VolumeSource: corev1.VolumeSource{
							Secret: &corev1.SecretVolumeSource{SecretName: d.EtcdServerSecretName(), DefaultMode: ptr.To[int32](0o440)}}}},
					},
				},
				VolumeClaimTemplates: []corev1.PersistentVolumeClaim{{
					TypeMeta:   typeMeta("v1", "PersistentVolumeClaim"),
					ObjectMeta: metav1.ObjectMeta{Name: "data"},
					Spec: corev1.PersistentVolumeClaimSpec{
						AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
						Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}},
					},
				}},
			},
		},
	}
	objs = append(objs, d.etcdNetworkPolicy(labels))
	if n > 1 {
		quorum := intstr.FromInt32(int32(n/2 + 1))
		objs = append(objs, d.pdb(name, "etcd", policyv1.PodDisruptionBudgetSpec{MinAvailable: &quorum}))
	}
	return objs
}

// etcdNetworkPolicy lets anyone reach the members' client and peer ports,
// which take only certificates of etcd's own CA, and no pod the plain-HTTP
// metrics port: a NetworkPolicy always allows a pod's own node, where the
// kubelet probes from. (A cluster whose network plugin enforces no policy
// ignores it.)
func (d *Deployment) etcdNetworkPolicy(labels map[string]string) *networkingv1.NetworkPolicy {
	port := func(p int) networkingv1.NetworkPolicyPort {
		return networkingv1.NetworkPolicyPort{Protocol: ptr.To(corev1.ProtocolTCP), Port: ptr.To(intstr.FromInt(p))}
	}
	return &networkingv1.NetworkPolicy{
		TypeMeta: typeMeta("networking.k8s.io/v1", "NetworkPolicy"), ObjectMeta: d.meta(d.EtcdName(), "etcd"),
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: labels},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
			Ingress:     []networkingv1.NetworkPolicyIngressRule{{Ports: []networkingv1.NetworkPolicyPort{port(2379), port(2380)}}},
		},
	}
}
