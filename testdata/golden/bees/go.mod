module example.com/bees

go 1.26.0

// `go tool apiserver-boot …` runs the release pinned below, so every machine
// generates this project's code alike; `apiserver-boot upgrade` moves the pin.
tool github.com/apiserver-boot/apiserver-boot/cmd/apiserver-boot

require (
	github.com/apiserver-boot/apiserver-boot v0.0.0-00010101000000-000000000000
	github.com/go-sql-driver/mysql v1.10.1
	github.com/jackc/pgx/v5 v5.12.0
	github.com/k3s-io/kine v0.17.5
	github.com/spf13/cobra v1.10.2
	github.com/spf13/pflag v1.0.10
	go.etcd.io/etcd/client/v3 v3.7.3
	go.etcd.io/etcd/server/v3 v3.7.3
	google.golang.org/grpc v1.85.0
	k8s.io/api v0.37.1
	k8s.io/apimachinery v0.37.1
	k8s.io/apiserver v0.37.1
	k8s.io/client-go v0.37.1
	k8s.io/component-base v0.37.1
	k8s.io/klog/v2 v2.140.0
	k8s.io/kube-openapi v0.0.0-20260721132016-d427ff9ee9ad
	k8s.io/utils v0.0.0-20260626114624-be93311217bd
	modernc.org/sqlite v1.61.0
	sigs.k8s.io/controller-runtime v0.25.2
)

// A development build of apiserver-boot scaffolded this project: the pin is its checkout.
replace github.com/apiserver-boot/apiserver-boot => ../../..
