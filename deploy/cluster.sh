#!/usr/bin/env bash
# Several Actions instances on one machine, the way a team runs them on many: a PostgreSQL app store, N instances
# (each its own process, port and DataDir) and HAProxy in front (deploy/haproxy.cfg), all on loopback.
#
#   bash deploy/cluster.sh                  start, print the address, run until Ctrl-C (then stop everything)
#   bash deploy/cluster.sh --detach         start and return once every part is healthy; stop later with:
#   bash deploy/cluster.sh stop             stop a detached cluster (same --dir)
#
# Options (each also read from the environment variable in brackets):
#   --port N        [ACTIONS_CLUSTER_PORT, 8080]  the load balancer's port; the instances take the next free ports
#   --instances N   [ACTIONS_CLUSTER_INSTANCES, 2]  1 or 2 instances behind the balancer
#   --store CONN    [ACTIONS_CLUSTER_STORE]  an Npgsql connection string to an existing, empty database (the instances
#                   create the tables); without it a throwaway PostgreSQL server is started in --dir (needs Debian's
#                   postgresql package; as root it runs as the postgres user)
#   --app DLL       [ACTIONS_CLUSTER_APP]  the Actions.Web.dll to run; without it the app is published (Release) first
#   --dir DIR       [ACTIONS_CLUSTER_DIR, /tmp/actions-cluster]  pids, logs, each instance's DataDir, the throwaway server;
#                   removed by stop
#   --detach        [ACTIONS_CLUSTER_DETACH=1]  return once healthy instead of waiting for Ctrl-C
#   --watch PID     [ACTIONS_CLUSTER_WATCH]  stop the cluster by itself once process PID has ended (for tests)
#
# Every Actions__* and ConnectionStrings__* variable in the environment reaches each instance (for example
# Actions__Admin__Email and Actions__Admin__Password for a first superuser). DIR/cluster.env lists, once started,
# LB_URL, INSTANCE_<n>_URL, INSTANCE_<n>_PID, INSTANCE_<n>_LOG, HAPROXY_PID and STORE (KEY=VALUE lines).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)

COMMAND=start
PORT=${ACTIONS_CLUSTER_PORT:-8080}
INSTANCES=${ACTIONS_CLUSTER_INSTANCES:-2}
STORE=${ACTIONS_CLUSTER_STORE:-}
APP=${ACTIONS_CLUSTER_APP:-}
DIR=${ACTIONS_CLUSTER_DIR:-/tmp/actions-cluster}
DETACH=${ACTIONS_CLUSTER_DETACH:-0}
WATCH=${ACTIONS_CLUSTER_WATCH:-}

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    start|stop) COMMAND=$1 ;;
    --port) PORT=$2; shift ;;
    --instances) INSTANCES=$2; shift ;;
    --store) STORE=$2; shift ;;
    --app) APP=$2; shift ;;
    --dir) DIR=$2; shift ;;
    --detach) DETACH=1 ;;
    --watch) WATCH=$2; shift ;;
    -h|--help) usage 0 ;;
    *) echo "Unknown argument: $1" >&2; usage 1 >&2 ;;
  esac
  shift
done
DIR=$(mkdir -p "$DIR" && cd "$DIR" && pwd) || { echo "Cannot use $DIR" >&2; exit 1; }
STATE="$DIR/cluster.env"
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)

# KEY=VALUE lines; values are kept verbatim (a connection string holds '=' and ';').
state() { [ -f "$STATE" ] && sed -n "s/^$1=//p" "$STATE" | tail -n 1; }
remember() { echo "$1=$2" >> "$STATE"; }

as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

stop_cluster() {
  [ -f "$STATE" ] || { echo "No cluster in $DIR"; return 0; }
  local pids=() pid
  for key in HAPROXY_PID $(grep -o '^INSTANCE_[0-9]*_PID' "$STATE"); do
    pid=$(state "$key")
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && pids+=("$pid")
  done
  # Instances finish their requests and flush their logs; whatever is still there after 10 s is killed.
  for _ in $(seq 1 100); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" -eq 0 ] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null; done
  local pg_data
  pg_data=$(state PG_DATA)
  if [ -n "$pg_data" ] && [ -f "$pg_data/postmaster.pid" ]; then
    as_postgres "$PG_BIN/pg_ctl" -D "$pg_data" -m fast -w stop >/dev/null 2>&1
  fi
  rm -rf "$DIR"
  echo "Cluster stopped"
}

if [ "$COMMAND" = stop ]; then stop_cluster; exit 0; fi

case "$INSTANCES" in 1|2) ;; *) echo "--instances must be 1 or 2" >&2; exit 1 ;; esac
if [ -f "$STATE" ]; then
  echo "A cluster already runs from $DIR ($(state LB_URL)): stop it first with: bash $0 stop --dir $DIR" >&2
  exit 1
fi
HAPROXY=$(command -v haproxy 2>/dev/null || echo /usr/sbin/haproxy)
[ -x "$HAPROXY" ] || { echo "HAProxy is missing: apt-get install -y haproxy" >&2; exit 1; }
chmod 755 "$DIR"
: > "$STATE"
remember DIR "$DIR"
# From here on a failure or Ctrl-C leaves nothing running.
trap 'stop_cluster >/dev/null; exit 130' INT TERM
fail() { echo "$1" >&2; [ -n "${2:-}" ] && [ -f "$2" ] && tail -n 30 "$2" >&2; stop_cluster >/dev/null; exit 1; }
if [ -n "$WATCH" ]; then
  # Also when the process that asked for the cluster is killed, even mid-start: nothing is left running.
  ( while kill -0 "$WATCH" 2>/dev/null && [ -f "$STATE" ]; do sleep 1; done
    [ -f "$STATE" ] && bash "$ROOT/deploy/cluster.sh" stop --dir "$DIR" ) >/dev/null 2>&1 </dev/null &
fi

free_port() {
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || grep -qx "$port" "$DIR/ports" 2>/dev/null; do port=$((port + 1)); done
  echo "$port" >> "$DIR/ports"
  echo "$port"
}

# The HTTP status of GET http://ADDRESS/PATH (no curl needed); empty when nothing answers.
http_status() {
  local host=${1%:*} port=${1##*:}
  timeout 5 bash -c "exec 3<>/dev/tcp/$host/$port && printf 'GET $2 HTTP/1.0\r\nHost: $1\r\n\r\n' >&3 && head -n 1 <&3" 2>/dev/null \
    | awk '{print $2}'
}
# wait_healthy ADDRESS LOG PID: until /api/health answers 200 (start-up applies migrations: up to 3 minutes).
wait_healthy() {
  for _ in $(seq 1 900); do
    [ "$(http_status "$1" /api/health)" = 200 ] && return 0
    [ -n "${3:-}" ] && ! kill -0 "$3" 2>/dev/null && fail "The process behind $1 ended during start-up:" "$2"
    sleep 0.2
  done
  fail "$1 did not become healthy within 3 minutes:" "$2"
}

# The app store: the given database, or a throwaway PostgreSQL server of its own.
if [ -z "$STORE" ]; then
  [ -n "$PG_BIN" ] || fail "PostgreSQL is missing (apt-get install -y postgresql), or pass --store with a connection string"
  PG_DATA="$DIR/pg"
  PG_PORT=$(free_port 55432)
  PG_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
  mkdir -p "$PG_DATA" && chmod 700 "$PG_DATA"
  echo "$PG_PASSWORD" > "$DIR/pgpass"
  [ "$(id -u)" -eq 0 ] && chown postgres "$PG_DATA" "$DIR/pgpass"
  remember PG_DATA "$PG_DATA"
  as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -A scram-sha-256 --pwfile="$DIR/pgpass" >"$DIR/pg-init.log" 2>&1 \
    || fail "initdb failed:" "$DIR/pg-init.log"
  rm -f "$DIR/pgpass"
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DATA -c max_connections=300" start >/dev/null \
    || fail "PostgreSQL did not start:" "$PG_DATA/server.log"
  PGPASSWORD=$PG_PASSWORD "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres actions \
    || fail "Could not create the store database"
  STORE="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Password=$PG_PASSWORD;Database=actions"
fi
remember STORE "$STORE"

if [ -z "$APP" ]; then
  APP="$ROOT/Actions.Web/bin/cluster/Actions.Web.dll"
  echo "Publishing the app (Release) to $(dirname "$APP") ..."
  dotnet publish "$ROOT/Actions.Web" -c Release -o "$(dirname "$APP")" -v quiet -nologo >"$DIR/publish.log" 2>&1 \
    || fail "dotnet publish failed:" "$DIR/publish.log"
fi
[ -f "$APP" ] || fail "No app at $APP"
APP=$(cd "$(dirname "$APP")" && pwd)/$(basename "$APP")

LB_PORT=$(free_port "$PORT")
# Every instance is started at once on the (possibly empty) store: they take turns applying the migrations.
for n in $(seq 1 "$INSTANCES"); do
  port=$(free_port $((LB_PORT + n)))
  mkdir -p "$DIR/instance-$n"
  (
    cd "$(dirname "$APP")" || exit 1
    export ASPNETCORE_URLS="http://127.0.0.1:$port"
    export Actions__AppDbProvider=Postgres
    export ConnectionStrings__AppDb="$STORE"
    # Nothing the cluster shares lives in DataDir (only SQLite targets such as the Sample Database: README).
    export Actions__DataDir="$DIR/instance-$n/data"
    # HAProxy connects from loopback: its X-Forwarded-For names the client.
    export Actions__ForwardedHeaders__KnownProxies="${Actions__ForwardedHeaders__KnownProxies:-127.0.0.1}"
    exec dotnet "$APP"
  ) >"$DIR/instance-$n/app.log" 2>&1 </dev/null &
  remember "INSTANCE_${n}_PID" "$!"
  remember "INSTANCE_${n}_URL" "http://127.0.0.1:$port"
  remember "INSTANCE_${n}_LOG" "$DIR/instance-$n/app.log"
  declare "INSTANCE_$n=127.0.0.1:$port"
done
for n in $(seq 1 "$INSTANCES"); do
  address="INSTANCE_$n"
  wait_healthy "${!address}" "$(state "INSTANCE_${n}_LOG")" "$(state "INSTANCE_${n}_PID")"
done

LB_ENV=(ACTIONS_LB_BIND="127.0.0.1:$LB_PORT" ACTIONS_INSTANCE_1="$INSTANCE_1")
[ "$INSTANCES" -eq 2 ] && LB_ENV+=(ACTIONS_INSTANCE_2="$INSTANCE_2")
env -u ACTIONS_INSTANCE_2 "${LB_ENV[@]}" "$HAPROXY" -f "$ROOT/deploy/haproxy.cfg" -db >"$DIR/haproxy.log" 2>&1 </dev/null &
HAPROXY_PID=$!
remember HAPROXY_PID "$HAPROXY_PID"
wait_healthy "127.0.0.1:$LB_PORT" "$DIR/haproxy.log" "$HAPROXY_PID"
remember LB_URL "http://127.0.0.1:$LB_PORT"

echo "Cluster ready: open http://127.0.0.1:$LB_PORT"
for n in $(seq 1 "$INSTANCES"); do echo "  instance $n: $(state "INSTANCE_${n}_URL") (pid $(state "INSTANCE_${n}_PID"), log $(state "INSTANCE_${n}_LOG"))"; done
echo "  HAProxy: pid $HAPROXY_PID, log $DIR/haproxy.log; store: $([ -n "${PG_DATA:-}" ] && echo "throwaway PostgreSQL in $PG_DATA" || echo "$STORE")" | sed 's/Password=[^;]*/Password=***/'
if [ "$DETACH" = 1 ]; then
  echo "Stop it with: bash $0 stop --dir $DIR"
  exit 0
fi
echo "Ctrl-C stops everything. Try: kill -9 $(state INSTANCE_1_PID) (one instance dies; the balancer keeps serving)"
trap 'echo; stop_cluster; exit 0' INT TERM
while [ -f "$STATE" ]; do sleep 1; done
