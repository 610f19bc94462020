#!/usr/bin/env bash
# Query execute on several instances: through HAProxy with one and with two instances on a PostgreSQL app store
# (deploy/cluster.sh), next to one instance on the embedded SQLite store, all three against the same PostgreSQL target
# table and measured in turns in one run. Prints one table.
# DURATION (seconds per run, default 10), REPEAT (runs per scenario, median shown, default 3), WARMUP (seconds, default
# 30) and CONNECTIONS (default "8 32") can be set in the environment.
set -euo pipefail
cd "$(dirname "$0")/.."
# need, free_port, wait_for, start_app, provision, run, field, ratio (shared with bench/run.sh)
source bench/lib.sh
DURATION=${DURATION:-10}
REPEAT=${REPEAT:-3}
WARMUP=${WARMUP:-30}
CONNECTIONS=${CONNECTIONS:-8 32}

if ! need wrk || ! need jq || ! need curl || ! { need haproxy || [ -x /usr/sbin/haproxy ]; } || ! ls /usr/lib/postgresql/*/bin/psql >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk jq curl haproxy postgresql >/dev/null
  else
    echo "Install wrk, jq, curl, haproxy and postgresql first: apt-get install -y wrk jq curl haproxy postgresql"; exit 1
  fi
fi
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

WORK=$(mktemp -d /tmp/actions-bench-cluster.XXXXXX)
chmod 755 "$WORK"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  # The one-instance cluster's store lives on the two-instance cluster's server: stop it first.
  for c in one two; do [ -f "$WORK/$c/cluster.env" ] && bash deploy/cluster.sh stop --dir "$WORK/$c" >/dev/null; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "Building Release..." >&2
dotnet publish Actions.Web -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$WORK/app" -v quiet -nologo >/dev/null

# cluster NAME INSTANCES [STORE]: deploy/cluster.sh, detached, with the bench settings; its balancer's URL in LB.
cluster() {
  env "${BENCH_SETTINGS[@]}" ACTIONS_CLUSTER_STORE="${3:-}" bash deploy/cluster.sh --detach --instances "$2" --dir "$WORK/$1" \
    --port "$(free_port $((18180 + 10 * $2)))" --app "$WORK/app/Actions.Web.dll" >&2
  LB=$(sed -n 's/^LB_URL=//p' "$WORK/$1/cluster.env")
}
echo "Starting two instances behind HAProxy (with a throwaway PostgreSQL server)..." >&2
cluster two 2; LB2=$LB
STORE=$(sed -n 's/^STORE=//p' "$WORK/two/cluster.env")
store_field() { echo "$STORE" | tr ';' '\n' | sed -n "s/^$1=//p"; }
PG_HOST=$(store_field Host); PG_PORT=$(store_field Port); PG_USER=$(store_field Username); PG_PASSWORD=$(store_field Password)
psql_on() { PGPASSWORD=$PG_PASSWORD "$PG_BIN/psql" -q -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$1" -v ON_ERROR_STOP=1 -c "$2" >/dev/null; }
# The one-instance cluster's store and the target, both on that same server.
psql_on postgres "CREATE DATABASE store_one"
psql_on postgres "CREATE DATABASE target"
psql_on target "CREATE TABLE events (id serial PRIMARY KEY, kind text NOT NULL, amount integer NOT NULL, note text);
  CREATE TABLE counters (id integer PRIMARY KEY, name text NOT NULL, value integer NOT NULL);
  INSERT INTO counters SELECT i, 'c' || i, 0 FROM generate_series(1, 10) i"
echo "Starting one instance behind HAProxy..." >&2
cluster one 1 "Host=$PG_HOST;Port=$PG_PORT;Username=$PG_USER;Password=$PG_PASSWORD;Database=store_one"; LB1=$LB
SQLITE="http://127.0.0.1:$(free_port 18170)"
start_app sqlite "$SQLITE"
wait_for "$SQLITE/api/health"

TARGET_ENGINE=postgres
TARGET_DETAILS="{\"host\":\"$PG_HOST\",\"port\":$PG_PORT,\"dbname\":\"target\",\"user\":\"$PG_USER\",\"password\":\"$PG_PASSWORD\"}"
INSERT='{"parameters":{"kind":"bench","amount":42,"note":"hello"}}'
RESULTS="$WORK/results.tsv"
declare -A URL KEYS
for setup in sqlite-1 postgres-lb-1 postgres-lb-2; do
  case $setup in sqlite-1) base=$SQLITE ;; postgres-lb-1) base=$LB1 ;; postgres-lb-2) base=$LB2 ;; esac
  provision "$base"
  URL[$setup]="$base/api/action/$QUERY/execute"; KEYS[$setup]="X-Api-Key: $KEY"
  BODY="$INSERT" HEADERS="${KEYS[$setup]}" wrk -t 2 -c 8 -d "${WARMUP}s" -s bench/post.lua "${URL[$setup]}" >/dev/null 2>&1
done

for c in $CONNECTIONS; do
  for _ in $(seq 1 "$REPEAT"); do
    for setup in sqlite-1 postgres-lb-1 postgres-lb-2; do run "$setup" "$c" "${URL[$setup]}" post.lua "$INSERT" "${KEYS[$setup]}"; done
  done
done

echo
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r); wrk, HAProxy, PostgreSQL and the instances share the cores; ${DURATION}s per run, median of ${REPEAT}"
echo "Query execute (INSERT into a PostgreSQL target, API key); the ratio is to one instance on the SQLite store."
printf '| %-14s | %5s | %10s | %8s | %8s | %8s |\n' setup conns "req/s" "p50 ms" "p99 ms" "ratio"
printf '|%s|\n' "----------------|-------|------------|----------|----------|---------"
for c in $CONNECTIONS; do
  base=$(field sqlite-1 "$c" 3)
  for setup in sqlite-1 postgres-lb-1 postgres-lb-2; do
    rps=$(field "$setup" "$c" 3)
    printf '| %-14s | %5s | %10s | %8s | %8s | %8s |\n' "$setup" "$c" "$rps" "$(field "$setup" "$c" 4)" "$(field "$setup" "$c" 5)" "$(ratio "$rps" "$base")"
  done
done
