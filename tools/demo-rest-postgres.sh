#!/usr/bin/env bash
# make demo-rest-postgres: make demo-rest with the server on PostgreSQL.
# Starts a private cluster (internal/pgtest/cmd/pgcluster: its own folder,
# port and password, as the postgres user when run as root), mints a token
# and serves on it with a fresh secret key, applies examples/rest twice (the
# second plan must be empty), then stops the server and the cluster, also on
# failure.
#
# Usage: tools/demo-rest-postgres.sh PROVIDER_BINARY TERRAFORM LISTEN_ADDR
set -euo pipefail
bin=$1 tf=$2 addr=$3
root=$(cd "$(dirname "$0")/.." && pwd)
work=$root/build/rest-demo-postgres
rest=$root/examples/rest

# The lock file too: it pins the checksum of the provider built last time.
rm -rf "$work" "$rest/.terraform" "$rest/.terraform.lock.hcl" "$rest"/terraform.tfstate*
mkdir -p "$work"
cluster_pid='' server_pid=''
stop() {
  if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "$cluster_pid" ]; then kill -TERM "$cluster_pid" 2>/dev/null; wait "$cluster_pid" 2>/dev/null || true; fi
}
trap stop EXIT

# The cluster runs until it is signalled or its standard input closes; a
# FIFO held open by this script is that input, so it ends with the script
# even if the trap cannot run.
mkfifo "$work/cluster.in"
(cd "$root" && go build -o "$work/pgcluster" ./internal/pgtest/cmd/pgcluster)
"$work/pgcluster" <"$work/cluster.in" >"$work/cluster.url" 2>"$work/cluster.log" &
cluster_pid=$!
exec 3>"$work/cluster.in"
for _ in $(seq 600); do [ -s "$work/cluster.url" ] && break; kill -0 "$cluster_pid" 2>/dev/null || break; sleep 0.1; done
if [ ! -s "$work/cluster.url" ]; then echo "demo-rest-postgres: the cluster did not start:"; cat "$work/cluster.log"; exit 1; fi
cat "$work/cluster.log"

# The password goes in PGPASSWORD, not in the URL on the command lines
# (process listings show those), as the README advises.
url=$(cat "$work/cluster.url")
PGPASSWORD=$(sed -E 's|^postgres://[^:]*:([^@]*)@.*|\1|' <<<"$url") # hex: nothing to unescape
export PGPASSWORD
database=$(sed -E 's|^(postgres://[^:@/]*):[^@]*@|\1@|' <<<"$url")
head -c 32 /dev/urandom | base64 >"$work/secret.key"
db_flags=(--database "$database" --secret-key-file "$work/secret.key")

token=$("$bin" token create "${db_flags[@]}" --name demo)
"$bin" serve --listen "$addr" "${db_flags[@]}" 2>"$work/server.log" &
server_pid=$!
for _ in $(seq 100); do (exec 4<>"/dev/tcp/${addr%:*}/${addr##*:}") 2>/dev/null && break; sleep 0.1; done
if ! kill -0 "$server_pid" 2>/dev/null; then echo "demo-rest-postgres: the server did not start:"; cat "$work/server.log"; exit 1; fi

export ENGAGE_ENDPOINT=http://$addr ENGAGE_API_TOKEN=$token
cd "$rest"
"$tf" init -input=false -upgrade >/dev/null
"$tf" apply -input=false -auto-approve
set +e
"$tf" plan -input=false -detailed-exitcode >/dev/null
code=$?
set -e
if [ $code -ne 0 ]; then echo "demo-rest-postgres: second plan is not empty (exit $code)"; exit 1; fi
echo "demo-rest-postgres: applied through the REST server on PostgreSQL; second plan has no changes"
