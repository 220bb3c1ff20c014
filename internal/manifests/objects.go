// Package manifests builds the Kubernetes objects that deploy an aggregated
// apiserver (typed k8s.io/api structs, not text templates), writes them as a
// kustomize layout (a base and overlays), and renders that layout in-process
// with kustomize's krusty.
package manifests

import (
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	"k8s.io/utils/ptr"

	"github.com/apiserver-boot/apiserver-boot/internal/model"
)

// DefaultEtcdImage is the etcd the StatefulSet runs, pinned: the version
// Kubernetes 1.37 is tested with, by digest (a tag can be moved).
const DefaultEtcdImage = "registry.k8s.io/etcd:3.6.5-0@sha256:042ef9c02799eb9303abf1aa99b09f09d94b8ee3ba0c2dd3f42dc4e1d3dce534"

// Deployment describes where and how the apiserver is deployed.
type Deployment struct {
	Name           string // the Service and the prefix of every object
	Namespace      string
	Image          string // holds /apiserver and /controller-manager
	ServiceAccount string
	EtcdImage      string
	// Backend is the apiserver's backend: etcd (a StatefulSet here, or the
	// external-etcd overlay), sqlite (a file on a PersistentVolumeClaim, one
	// replica) or postgres/mysql (a DSN from the Secret StorageSecretName).
	Backend string
	// Replicas of the apiserver (1 for sqlite). Above one, a
	// PodDisruptionBudget keeps all but one up, and the manager runs a standby.
	Replicas int32
	// EtcdMembers of the etcd StatefulSet: 1, 3 or 5.
	EtcdMembers int32
	// HostPort, when set, runs the apiserver on its node's network, listening
	// on this port of the node's address only: for clusters whose
	// kube-apiserver cannot reach the pod network.
	HostPort int32
	Project  *model.Project
}

// SQL reports whether the apiserver keeps objects in SQL through kine.
func (d *Deployment) SQL() bool { return model.SQLBackend(d.Backend) }

// StorageSecretName is the Secret holding the DSN of postgres or mysql.
func (d *Deployment) StorageSecretName() string { return d.Name + "-storage" }

// DataClaimName is the PersistentVolumeClaim of the SQLite file.
func (d *Deployment) DataClaimName() string { return d.Name + "-data" }

const sqliteDir = "/var/lib/apiserver"

const (
	servingSecretSuffix = "-serving-cert"
	securePort          = 8443
	certMount           = "/var/run/serving-cert"
)

func (d *Deployment) labels(component string) map[string]string {
	return map[string]string{"app.kubernetes.io/name": d.Name, "app.kubernetes.io/component": component}
}

func (d *Deployment) meta(name, component string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: d.Namespace, Labels: d.labels(component)}
}

func clusterMeta(name string, labels map[string]string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Labels: labels}
}

// ServingSecretName is the Secret holding the serving certificate.
func (d *Deployment) ServingSecretName() string { return d.Name + servingSecretSuffix }

// EtcdName is the etcd StatefulSet and Service.
func (d *Deployment) EtcdName() string { return d.Name + "-etcd" }

// ServiceHost is the DNS name the aggregator dials, which the serving
// certificate must hold.
func (d *Deployment) ServiceHosts() []string {
	return []string{d.Name + "." + d.Namespace + ".svc", d.Name + "." + d.Namespace + ".svc.cluster.local"}
}

// NamespaceObject is the namespace everything runs in. It enforces the
// restricted Pod Security Standard, which every pod here meets: a pod that
// does not (an edit that runs as root, say) is refused at admission instead
// of running.
func (d *Deployment) NamespaceObject() *corev1.Namespace {
	labels := d.labels("namespace")
	for _, mode := range []string{"enforce", "audit", "warn"} {
		labels["pod-security.kubernetes.io/"+mode] = "restricted"
	}
	if d.HostPort != 0 {
		// The node's network is a host namespace, which only the privileged
		// standard allows; audit and warn still report what is not restricted.
		labels["pod-security.kubernetes.io/enforce"] = "privileged"
	}
	return &corev1.Namespace{TypeMeta: typeMeta("v1", "Namespace"), ObjectMeta: clusterMeta(d.Namespace, labels)}
}

// Service is what the APIServices point at.
func (d *Deployment) Service() *corev1.Service {
	return &corev1.Service{
		TypeMeta: typeMeta("v1", "Service"), ObjectMeta: d.meta(d.Name, model.APIServer.Name),
		Spec: corev1.ServiceSpec{
			Selector: d.labels(model.APIServer.Name),
			Ports:    []corev1.ServicePort{{Name: "https", Port: 443, TargetPort: intstr.FromInt32(d.apiserverPort())}},
		},
	}
}

// restricted is a securityContext for the restricted Pod Security Standard.
func restricted() *corev1.SecurityContext {
	return &corev1.SecurityContext{
		RunAsNonRoot:             ptr.To(true),
		ReadOnlyRootFilesystem:   ptr.To(true),
		AllowPrivilegeEscalation: ptr.To(false),
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
}

func probe(path string, port intstr.IntOrString, scheme corev1.URIScheme, period int32) *corev1.Probe {
	return &corev1.Probe{
		ProbeHandler:  corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: path, Port: port, Scheme: scheme}},
		PeriodSeconds: period, FailureThreshold: 3, TimeoutSeconds: 5,
	}
}

func resources(reqMem, limitMem, reqCPU string) corev1.ResourceRequirements {
	return corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse(reqMem), corev1.ResourceCPU: resource.MustParse(reqCPU)},
		Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse(limitMem)},
	}
}

// APIServerDeployment runs the apiserver. Its memory is sized from the RSS
// measured under `run local` (63 MiB idle, 75 MiB holding 200 objects; the
// manager 33 MiB): the request leaves headroom for the watch cache, the
// limit for bursts of large lists.
func (d *Deployment) APIServerDeployment() *appsv1.Deployment {
	pod := corev1.PodSpec{
		ServiceAccountName: d.ServiceAccount,
		SecurityContext:    &corev1.PodSecurityContext{RunAsNonRoot: ptr.To(true), RunAsUser: ptr.To[int64](65532), RunAsGroup: ptr.To[int64](65532)},
		Containers: []corev1.Container{{
			Name:    "apiserver",
			Image:   d.Image,
			Command: []string{"/" + model.APIServer.Name},
			Args: append(d.storageArgs(),
				fmt.Sprintf("--secure-port=%d", d.apiserverPort()),
				"--tls-cert-file="+certMount+"/tls.crt",
				"--tls-private-key-file="+certMount+"/tls.key",
				// On SIGTERM: /readyz fails at once, so the Service stops
				// sending new connections here, while the server keeps serving
				// for the delay; then it stops listening and sends HTTP/2
				// GOAWAY, so kube-apiserver's aggregator, which multiplexes
				// every request on one connection it keeps open, moves to a
				// new connection (another replica) and in-flight requests
				// finish. Not --shutdown-send-retry-after: its 429s carry
				// Retry-After: 5, and clients (client-go) wait 5 s for each
				// request the aggregator still sends on the old connection
				// (the node e2e's rolling restarts measured it).
				"--shutdown-delay-duration="+shutdownDelay.String(),
				// Then close the watches it holds (clients re-establish them
				// on another replica from their last resourceVersion), so it
				// exits in seconds instead of waiting out the kubelet's grace
				// period for watches that last minutes.
				"--shutdown-watch-termination-grace-period="+watchDrain.String(),
			),
			Ports:           []corev1.ContainerPort{{Name: "https", ContainerPort: d.apiserverPort()}},
			ReadinessProbe:  probe("/readyz", intstr.FromString("https"), corev1.URISchemeHTTPS, 5),
			LivenessProbe:   probe("/livez", intstr.FromString("https"), corev1.URISchemeHTTPS, 10),
			Resources:       resources("128Mi", "512Mi", "100m"),
			SecurityContext: restricted(),
			VolumeMounts: []corev1.VolumeMount{
				{Name: "serving-cert", MountPath: certMount, ReadOnly: true},
				{Name: "tmp", MountPath: "/tmp"},
			},
		}},
		Volumes: []corev1.Volume{
			{Name: "serving-cert", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: d.ServingSecretName()}}},
			{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
		},
	}
	pod.TerminationGracePeriodSeconds = ptr.To(int64(terminationGrace.Seconds()))
	pod.TopologySpreadConstraints = spread(d.labels(model.APIServer.Name))
	if !d.SQL() {
		// The etcd client certificate, CA included (the external-etcd overlay
		// points this volume at your Secrets).
		pod.Volumes = append(pod.Volumes, corev1.Volume{Name: "etcd-client", VolumeSource: corev1.VolumeSource{
			Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{{Secret: &corev1.SecretProjection{
				LocalObjectReference: corev1.LocalObjectReference{Name: d.EtcdClientSecretName()}}}}}}})
		pod.Containers[0].VolumeMounts = append(pod.Containers[0].VolumeMounts, corev1.VolumeMount{Name: "etcd-client", MountPath: etcdClientMount, ReadOnly: true})
	}
	if d.HostPort != 0 {
		d.onHostNetwork(&pod)
	}
	dep := deployment(d.meta(d.Name+"-"+model.APIServer.Name, model.APIServer.Name), d.labels(model.APIServer.Name), pod)
	dep.Spec.Replicas = ptr.To(d.apiserverReplicas())
	if d.HostPort != 0 {
		// A node holds one replica on the port: the old one goes first.
		dep.Spec.Strategy = appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType, RollingUpdate: &appsv1.RollingUpdateDeployment{
			MaxSurge: ptr.To(intstr.FromInt32(0)), MaxUnavailable: ptr.To(intstr.FromInt32(1))}}
	}
	switch d.Backend {
	case model.BackendSQLite:
		// One process writes a SQLite file: one replica, and the old pod gone
		// before the new one opens it.
		dep.Spec.Strategy = appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}
		pod := &dep.Spec.Template.Spec
		pod.SecurityContext.FSGroup = ptr.To[int64](65532)
		pod.Volumes = append(pod.Volumes, corev1.Volume{Name: "data", VolumeSource: corev1.VolumeSource{
			PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: d.DataClaimName()}}})
		pod.Containers[0].VolumeMounts = append(pod.Containers[0].VolumeMounts, corev1.VolumeMount{Name: "data", MountPath: sqliteDir})
	case model.BackendPostgres, model.BackendMySQL:
		pod := &dep.Spec.Template.Spec
		pod.Containers[0].Env = append(pod.Containers[0].Env, corev1.EnvVar{Name: "STORAGE_DSN", ValueFrom: &corev1.EnvVarSource{
			SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: d.StorageSecretName()}, Key: "dsn"}}})
	}
	return dep
}

// apiserverPort is the port the apiserver listens on.
func (d *Deployment) apiserverPort() int32 {
	if d.HostPort != 0 {
		return d.HostPort
	}
	return securePort
}

// onHostNetwork moves the apiserver's pod onto its node's network. It
// listens on the node's address only (the pod's, there), not on every
// interface of the node, and resolves cluster names (etcd's Service) still.
func (d *Deployment) onHostNetwork(pod *corev1.PodSpec) {
	pod.HostNetwork = true
	pod.DNSPolicy = corev1.DNSClusterFirstWithHostNet
	c := &pod.Containers[0]
	c.Env = append(c.Env, corev1.EnvVar{Name: "POD_IP", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "status.podIP"}}})
	c.Args = append(c.Args, "--bind-address=$(POD_IP)")
}

// storageArgs are the apiserver's storage flags; for etcd the first is
// --etcd-servers, which the external-etcd overlay replaces.
func (d *Deployment) storageArgs() []string {
	switch d.Backend {
	case model.BackendSQLite:
		return []string{"--storage=sqlite", "--storage-dsn=" + sqliteDir + "/state.db"}
	case model.BackendPostgres, model.BackendMySQL:
		// The server reads $STORAGE_DSN, set from the Secret: an argument
		// would put the password in the pod's spec and the node's /proc.
		return []string{"--storage=" + d.Backend}
	}
	var servers []string
	for i := range d.members() {
		servers = append(servers, "https://"+d.etcdMemberHost(i)+":2379")
	}
	return []string{
		"--etcd-servers=" + strings.Join(servers, ","),
		"--etcd-cafile=" + etcdClientMount + "/ca.crt",
		"--etcd-certfile=" + etcdClientMount + "/tls.crt",
		"--etcd-keyfile=" + etcdClientMount + "/tls.key",
	}
}

// DataClaim is the volume of the SQLite file.
func (d *Deployment) DataClaim() *corev1.PersistentVolumeClaim {
	return &corev1.PersistentVolumeClaim{
		TypeMeta: typeMeta("v1", "PersistentVolumeClaim"), ObjectMeta: d.meta(d.DataClaimName(), model.APIServer.Name),
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}},
		},
	}
}

// ManagerDeployment runs the controller manager, with leader election.
func (d *Deployment) ManagerDeployment() *appsv1.Deployment {
	pod := corev1.PodSpec{
		ServiceAccountName: d.ManagerServiceAccount(),
		SecurityContext:    &corev1.PodSecurityContext{RunAsNonRoot: ptr.To(true), RunAsUser: ptr.To[int64](65532), RunAsGroup: ptr.To[int64](65532)},
		Containers: []corev1.Container{{
			Name:            "manager",
			Image:           d.Image,
			Command:         []string{"/" + model.Manager.Name},
			Args:            []string{"--leader-elect", "--health-probe-bind-address=:8081"},
			Ports:           []corev1.ContainerPort{{Name: "probes", ContainerPort: 8081}},
			ReadinessProbe:  probe("/readyz", intstr.FromString("probes"), corev1.URISchemeHTTP, 5),
			LivenessProbe:   probe("/healthz", intstr.FromString("probes"), corev1.URISchemeHTTP, 10),
			Resources:       resources("64Mi", "256Mi", "50m"),
			SecurityContext: restricted(),
		}},
	}
	pod.TopologySpreadConstraints = spread(d.labels(model.Manager.Name))
	dep := deployment(d.meta(d.Name+"-"+model.Manager.Name, model.Manager.Name), d.labels(model.Manager.Name), pod)
	dep.Spec.Replicas = ptr.To(d.managerReplicas())
	return dep
}

func deployment(meta metav1.ObjectMeta, selector map[string]string, pod corev1.PodSpec) *appsv1.Deployment {
	return &appsv1.Deployment{
		TypeMeta: typeMeta("apps/v1", "Deployment"), ObjectMeta: meta,
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](1),
			Selector: &metav1.LabelSelector{MatchLabels: selector},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: selector}, Spec: pod},
		},
	}
}

// APIServices returns one APIService per served version, pointing at service
// (in namespace, on port), trusting caPEM. The most preferred version gets the
// highest versionPriority.
func (d *Deployment) APIServices(service, namespace string, port int32, caPEM []byte) []any {
	var out []any
	for _, g := range d.Project.Groups {
		versions := g.Versions
		for j, mv := range versions {
			group, v := g.Full, mv.Name
			out = append(out, &apiregistrationv1.APIService{
				TypeMeta:   typeMeta("apiregistration.k8s.io/v1", "APIService"),
				ObjectMeta: clusterMeta(v+"."+group, d.labels(model.APIServer.Name)),
				Spec: apiregistrationv1.APIServiceSpec{
					Group: group, Version: v,
					GroupPriorityMinimum: 1000,
					VersionPriority:      int32(15 + 5*(len(versions)-1-j)),
					Service:              &apiregistrationv1.ServiceReference{Name: service, Namespace: namespace, Port: ptr.To(port)},
					CABundle:             caPEM,
				},
			})
		}
	}
	return out
}

func typeMeta(apiVersion, kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: apiVersion, Kind: kind}
}
