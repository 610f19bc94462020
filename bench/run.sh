#!/usr/bin/env bash
# One command: builds Release, starts the app on a fresh DataDir beside the floor (bench/Floor), creates the target
# database and actions, drives load with wrk and prints one table, every app figure next to its floor.
# DURATION (seconds per run, default 10), REPEAT (runs per scenario, median shown, default 3) and WARMUP (seconds, default 30) can be set in the environment.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}

need() { command -v "$1" >/dev/null 2>&1; }
if ! need wrk || ! need jq || ! need curl; then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk jq curl >/dev/null
  else
    echo "Install wrk, jq and curl first: apt-get install -y wrk jq curl"; exit 1
  fi
fi

WORK=$(mktemp -d /tmp/actions-bench.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

echo "Building Release..." >&2
# ReadyToRun (as README § Deploying recommends): the app starts and warms up without JIT-compiling its whole stack first.
dotnet publish Actions.Web -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$WORK/app" -v quiet -nologo >/dev/null
dotnet publish bench/Floor -c Release -o "$WORK/floor" -v quiet -nologo >/dev/null

free_port() { local p=$1; while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p+1)); done; echo "$p"; }
APP_PORT=$(free_port 18080); FLOOR_PORT=$(free_port $((APP_PORT+1))); STUB_PORT=$(free_port $((FLOOR_PORT+1)))
APP="http://127.0.0.1:$APP_PORT"; FLOOR="http://127.0.0.1:$FLOOR_PORT"; STUB="http://127.0.0.1:$STUB_PORT/stub"
TARGET="$WORK/target.db"
dotnet "$WORK/floor/Floor.dll" init "$TARGET"

ASPNETCORE_URLS="http://127.0.0.1:$STUB_PORT" dotnet "$WORK/floor/Floor.dll" stub & PIDS+=($!)
ASPNETCORE_URLS="$FLOOR" dotnet "$WORK/floor/Floor.dll" serve "$TARGET" "$STUB" & PIDS+=($!)
wait_for() { for _ in $(seq 1 600); do curl -sf "$@" >/dev/null && return 0; sleep 0.1; done; echo "no answer from $*" >&2; exit 1; }

START_NS=$(date +%s%N)
ASPNETCORE_URLS="$APP" Actions__DataDir="$WORK/data" Actions__SampleData=false \
  Actions__Admin__Email=bench@example.com Actions__Admin__Password='Bench-passw0rd!' \
  Actions__PublicSharing__PerLinkPerSecond=1000000 Actions__PublicSharing__PerClientPerMinute=1000000 \
  Actions__HttpActions__AllowPrivateNetworks=true Logging__LogLevel__Default=Warning \
  dotnet "$WORK/app/Actions.Web.dll" >"$WORK/app.log" 2>&1 & APP_PID=$!; PIDS+=($APP_PID)
for _ in $(seq 1 1200); do curl -sf "$APP/api/health" >/dev/null && break; sleep 0.05; done
STARTUP_MS=$(( ($(date +%s%N) - START_NS) / 1000000 ))
wait_for "$APP/api/health"
wait_for "$FLOOR/insert" -X POST -d '{"parameters":{"kind":"x","amount":1,"note":"warm"}}'
wait_for "$STUB"

api() { curl -sf -X "$1" "$APP$2" -H "X-Metabase-Session: $SESSION" -H 'Content-Type: application/json' ${3:+-d "$3"}; }
SESSION=$(curl -sf -X POST "$APP/api/session" -d '{"username":"bench@example.com","password":"Bench-passw0rd!"}' | jq -r .id)
KEY=$(api POST /api/api-key '{"name":"bench","group_id":2}' | jq -r .unmasked_key)
DB=$(api POST /api/database "{\"name\":\"Target\",\"engine\":\"sqlite\",\"details\":{\"db\":\"$TARGET\"}}" | jq -r .id)
api PUT "/api/database/$DB" '{"settings":{"database-enable-actions":true}}' >/dev/null
api PUT /api/setting/enable-public-sharing '{"value":true}' >/dev/null
EVENTS_TABLE=$(api GET "/api/database/$DB/metadata" | jq '.tables[] | select(.name=="events") | .id')
COUNTERS_TABLE=$(api GET "/api/database/$DB/metadata" | jq '.tables[] | select(.name=="counters") | .id')
model() { api POST /api/card "{\"name\":\"$1\",\"type\":\"model\",\"dataset_query\":{\"database\":$DB,\"type\":\"query\",\"query\":{\"source-table\":$2}}}" | jq -r .id; }
EVENTS=$(model Events "$EVENTS_TABLE"); COUNTERS=$(model Counters "$COUNTERS_TABLE")
QUERY_BODY="{\"name\":\"Insert event\",\"type\":\"query\",\"model_id\":$EVENTS,\"database_id\":$DB,\"dataset_query\":{\"database\":$DB,\"type\":\"native\",\"native\":{\"query\":\"INSERT INTO events (kind, amount, note) VALUES ({{kind}}, {{amount}}, {{note}})\",\"template-tags\":{\"amount\":{\"name\":\"amount\",\"display-name\":\"Amount\",\"type\":\"number\"}}}}}"
QUERY=$(api POST /api/action "$QUERY_BODY" | jq -r .id)
IMPLICIT=$(api POST /api/action "{\"name\":\"Update counter\",\"type\":\"implicit\",\"kind\":\"row/update\",\"model_id\":$COUNTERS}" | jq -r .id)
HTTP=$(api POST /api/action "{\"name\":\"Call stub\",\"type\":\"http\",\"model_id\":$EVENTS,\"template\":{\"method\":\"GET\",\"url\":\"$STUB\"},\"response_handle\":\".body.items\"}" | jq -r .id)
UUID=$(api POST "/api/action/$QUERY/public_link" | jq -r .uuid)
echo "$QUERY_BODY" > "$WORK/action.json"
seed() { dotnet "$WORK/floor/Floor.dll" seed "$APP/api/action" "$KEY" "$1" "$WORK/action.json"; }

INSERT='{"parameters":{"kind":"bench","amount":42,"note":"hello"}}'
RESULTS="$WORK/results.tsv"
to_ms() { awk '{ v=$1; if (v ~ /us$/) { sub(/us/,"",v); print v/1000 } else if (v ~ /ms$/) { sub(/ms/,"",v); print v+0 } else if (v ~ /s$/) { sub(/s/,"",v); print v*1000 } else print v }'; }
# run NAME CONNECTIONS URL SCRIPT BODY HEADERS → one line: name conns rps p50 p99
run() {
  local out
  out=$(BODY="$5" HEADERS="$6" wrk -t "$(( $2 < 2 ? 1 : 2 ))" -c "$2" -d "${DURATION}s" --latency -s "bench/$4" "$3" 2>&1)
  if echo "$out" | grep -q "Non-2xx"; then echo "warning: $1 had non-2xx answers: $(echo "$out" | grep Non-2xx)" >&2; fi
  local rps p50 p99
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}' | to_ms)
  p99=$(echo "$out" | awk '$1=="99%" {print $2}' | to_ms)
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$rps" "$p50" "$p99" >> "$RESULTS"
  echo "$1 c=$2: $rps req/s, p50 $p50 ms, p99 $p99 ms" >&2
}

# Warm both up (JIT, pools, caches) before anything is recorded. The app has far more code than the floor:
# tiered compilation was measured still busy (a fifth of the CPU) 13 s into a load, and gone after 30 s.
BODY="$INSERT" HEADERS="X-Api-Key: $KEY" wrk -t 2 -c 8 -d "${WARMUP:-30}s" -s bench/post.lua "$APP/api/action/$QUERY/execute" >/dev/null 2>&1
BODY="$INSERT" HEADERS="" wrk -t 2 -c 8 -d "${WARMUP:-30}s" -s bench/post.lua "$FLOOR/insert" >/dev/null 2>&1

# Every scenario is measured REPEAT times (default 3), the floor and the app taking turns, and the table shows the
# median of each figure: on this shared machine one 10 s sample of a tail latency is mostly the neighbours' noise.
REPEAT=${REPEAT:-3}
times() { for _ in $(seq 1 "$REPEAT"); do "$@"; done; }
for c in 1 8 32; do
  for _ in $(seq 1 "$REPEAT"); do
    run floor-insert "$c" "$FLOOR/insert" post.lua "$INSERT" ""
    run query-execute "$c" "$APP/api/action/$QUERY/execute" post.lua "$INSERT" "X-Api-Key: $KEY"
  done
done
times run implicit-update 8 "$APP/api/action/$IMPLICIT/execute" post.lua '{"parameters":{"id":3,"value":7}}' "X-Api-Key: $KEY"
times run public-execute 8 "$APP/api/public/action/$UUID/execute" post.lua "$INSERT" ""
for _ in $(seq 1 "$REPEAT"); do
  run floor-http 8 "$FLOOR/http" post.lua '{}' ""
  run http-execute 8 "$APP/api/action/$HTTP/execute" post.lua '{}' "X-Api-Key: $KEY"
done
seed 6
times run execute-10-actions 1 "$APP/api/action/$QUERY/execute" post.lua "$INSERT" "X-Api-Key: $KEY"
seed 990
times run list-1000-actions 8 "$APP/api/action" get.lua "" "X-Api-Key: $KEY"
seed 9000
times run execute-10000-actions 1 "$APP/api/action/$QUERY/execute" post.lua "$INSERT" "X-Api-Key: $KEY"
RSS_MB=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$APP_PID/status")

# The table: each app figure beside its floor, as a ratio measured in this run.
# The median of one figure (column f) over the repeats of a scenario.
field() { awk -F'\t' -v n="$1" -v c="$2" -v f="$3" '$1==n && $2==c {print $f}' "$RESULTS" | sort -g | awk '{v[NR]=$1} END {if (NR) print v[int((NR+1)/2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a/b; else print "-" }'; }
echo
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r); wrk and the app share the cores; ${DURATION}s per run, median of ${REPEAT}"
printf '| %-24s | %5s | %10s | %8s | %8s | %10s | %8s |\n' scenario conns "req/s" "p50 ms" "p99 ms" "floor r/s" "ratio"
printf '|%s|\n' "--------------------------|-------|------------|----------|----------|------------|---------"
while IFS=$'\t' read -r name conns; do
  rps=$(field "$name" "$conns" 3); p50=$(field "$name" "$conns" 4); p99=$(field "$name" "$conns" 5)
  case "$name" in
    floor-*) continue ;;
    query-execute|public-execute|implicit-update|execute-10*-actions) floor=$(field floor-insert "$([ "$name" = query-execute ] && echo "$conns" || echo "$conns")" 3) ;;
    http-execute) floor=$(field floor-http 8 3) ;;
    *) floor="" ;;
  esac
  [ "$name" = implicit-update ] && floor=$(field floor-insert 8 3)
  [ "$name" = public-execute ] && floor=$(field floor-insert 8 3)
  printf '| %-24s | %5s | %10s | %8s | %8s | %10s | %8s |\n' "$name" "$conns" "$rps" "$p50" "$p99" "${floor:--}" "$( [ -n "$floor" ] && ratio "$rps" "$floor" || echo -)"
done < <(awk -F'\t' '!seen[$1 FS $2]++ {print $1 "\t" $2}' "$RESULTS")
P50_10=$(field execute-10-actions 1 4); P50_10K=$(field execute-10000-actions 1 4)
echo
echo "Execute p50 with 10,000 actions vs 10: $(ratio "$P50_10K" "$P50_10")x"
echo "Resident memory after the run: ${RSS_MB} MB"
echo "Start to healthy /api/health: ${STARTUP_MS} ms"
