#!/usr/bin/env bash
# Benchmark of the storage backends, in one run on this machine, with the
# load of bench/server.sh (internal/benchload): 1000 creates by 16 workers
# (throughput, p50 and p99 latency), a list of them (median of 5), objects up
# to 10000 and a list of those, 100 watchers receiving 1000 events, and the
# apiserver's memory; against the generated apiserver on
#   etcd     the embedded etcd of `run local`
#   sqlite   kine on SQLite, embedded in the apiserver
#   postgres kine on a PostgreSQL server this script starts (Debian's postgresql)
#   custom   a --storage custom kind (pkg/storage/custom, in memory) on the etcd server
# The last line gives each one's figures divided by etcd's, in bench/server.sh's
# format. etcd runs inside run local's process, kine inside the apiserver's:
# rss is the apiserver's process, so it includes the SQL engine but not etcd.
set -euo pipefail
shopt -s inherit_errexit
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
# kubectl caches discovery per host:port: another project served on the same
# port earlier must not answer for this one.
export KUBECACHEDIR="$WORK/kube-cache"
chmod 755 "$WORK"
cleanup() {
  [ -n "${PID:-}" ] && kill -INT "$PID" 2>/dev/null
  # postgres runs under a background subshell (and runuser), which ignore
  # SIGINT: signal postgres itself (fast shutdown).
  [ -n "${PGPID:-}" ] && pkill -INT -f "postgres -D $WORK/pg/data" 2>/dev/null
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "bench/storage.sh: $*" >&2; exit 1; }

go build -ldflags "-X github.com/apiserver-boot/apiserver-boot/internal/release.SourceDir=$ROOT" -o "$WORK/apiserver-boot" "$ROOT/cmd/apiserver-boot"  # a development build: its projects pin this checkout
go build -o "$WORK/load" "$ROOT/bench/load"
AB="$WORK/apiserver-boot"
mkdir "$WORK/bees" && cd "$WORK/bees"
"$AB" init repo --domain example.com --module example.com/bees >/dev/null
"$AB" create group version resource --group insect --version v1alpha1 --kind Bee >/dev/null
"$AB" create group version resource --group insect --version v1alpha1 --kind Sighting --storage custom --controller=false >/dev/null
"$AB" build executables >/dev/null 2>&1 || fail "build executables"

# A PostgreSQL server on a free port, as the postgres user when root.
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -1)
[ -n "$pgbin" ] || fail "PostgreSQL is needed (Debian's postgresql package)"
PGPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
mkdir "$WORK/pg" && { [ "$(id -u)" != 0 ] || chown postgres "$WORK/pg"; }
as_pg "$pgbin/initdb" -D "$WORK/pg/data" -U kine --auth=trust --no-sync -E UTF8 >/dev/null
as_pg "$pgbin/postgres" -D "$WORK/pg/data" -h 127.0.0.1 -p "$PGPORT" -k "$WORK/pg" >"$WORK/pg.log" 2>&1 &
PGPID=$!
until grep -q "ready to accept connections" "$WORK/pg.log"; do kill -0 "$PGPID" || fail "postgres: $(cat "$WORK/pg.log")"; sleep 0.1; done

# measure NAME RESOURCE KIND [run local flags...]
measure() {
  local name=$1 resource=$2 kind=$3; shift 3
  rm -f kubeconfig
  "$AB" run local --build=false --quiet --reset --manager=false "$@" >"$WORK/run.log" 2>&1 &
  PID=$!
  until [ -f kubeconfig ] && kubectl --kubeconfig kubeconfig get "$resource" >/dev/null 2>&1; do
    kill -0 "$PID" 2>/dev/null || fail "run local ($name) exited: $(tail -5 "$WORK/run.log")"
    sleep 0.05
  done
  local line apiserver
  apiserver=$(pgrep -P "$PID" -f "bin/apiserver" | head -1) || fail "no apiserver process for $name"
  line=$("$WORK/load" --kubeconfig kubeconfig --resource "$resource" --kind "$kind" --pid "$apiserver") || fail "load on $name"
  kill -INT "$PID"; wait "$PID" || true; PID=
  echo "$name $line"
}

{
  measure etcd bees Bee
  measure sqlite bees Bee --storage sqlite
  measure postgres bees Bee --storage postgres --storage-dsn "postgres://kine@127.0.0.1:$PGPORT/kine?sslmode=disable"
  measure custom sightings Sighting
} | tee "$WORK/results"

echo "machine: $(nproc) cores; 1000 creates by 16 workers, then objects up to 10000; lists: median of 5; watch: 100 watchers, 1000 events"
awk '
  { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[$1, kv[1]] = kv[2] } names[NR] = $1 }
  END {
    line = "ratios vs etcd:"
    for (i = 2; i <= NR; i++) {
      n = names[i]
      line = line sprintf(" %s create-throughput %.2f p99 %.2f list-10k %.2f watch %.2f rss %.2f;", n,
        v[n, "throughput"] / v["etcd", "throughput"], v[n, "p99_ms"] / v["etcd", "p99_ms"], v[n, "list10k_ms"] / v["etcd", "list10k_ms"],
        v[n, "watch_ms"] / v["etcd", "watch_ms"], v[n, "rss_mib"] / v["etcd", "rss_mib"])
    }
    print substr(line, 1, length(line) - 1)
  }' "$WORK/results"
