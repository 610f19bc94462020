#!/usr/bin/env bash
# bench/compare.sh REF — query execute of the working tree against the same app built at git REF, measured in turns
# in one run (the machine's drift between two runs is larger than the differences this looks for).
# Both instances run on fresh DataDirs with their own SQLite target; DURATION (s per run, default 10), REPEAT
# (default 5) and WARMUP (s, default 20) can be set in the environment. Needs wrk, jq and curl (bench/run.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
REF=${1:?usage: bench/compare.sh <git ref to compare with>}
DURATION=${DURATION:-10}; REPEAT=${REPEAT:-5}; WARMUP=${WARMUP:-20}
WORK=$(mktemp -d /tmp/actions-compare.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true
  git worktree remove --force "$WORK/src" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

echo "Building Release of the working tree and of $REF..." >&2
git worktree add -q --detach "$WORK/src" "$REF"
publish() { dotnet publish "$1/Actions.Web" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$2" -v quiet -nologo >/dev/null; }
publish . "$WORK/new"; publish "$WORK/src" "$WORK/old"
dotnet publish bench/Floor -c Release -o "$WORK/floor" -v quiet -nologo >/dev/null

free_port() { local p=$1; while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p+1)); done; echo "$p"; }
declare -A URL KEY QUERY PID
port=18180
for build in old new; do
  port=$(free_port $((port+1))); URL[$build]="http://127.0.0.1:$port"
  dotnet "$WORK/floor/Floor.dll" init "$WORK/$build-target.db"
  ASPNETCORE_URLS="${URL[$build]}" Actions__DataDir="$WORK/$build-data" Actions__SampleData=false \
    Actions__Admin__Email=bench@example.com Actions__Admin__Password='Bench-passw0rd!' Logging__LogLevel__Default=Warning \
    dotnet "$WORK/$build/Actions.Web.dll" >"$WORK/$build.log" 2>&1 & PIDS+=($!); PID[$build]=$!
done
for build in old new; do
  base=${URL[$build]}
  for _ in $(seq 1 600); do curl -sf "$base/api/health" >/dev/null && break; sleep 0.1; done
  session=$(curl -sf -X POST "$base/api/session" -d '{"username":"bench@example.com","password":"Bench-passw0rd!"}' | jq -r .id)
  api() { curl -sf -X "$1" "$base$2" -H "X-Metabase-Session: $session" -H 'Content-Type: application/json' ${3:+-d "$3"}; }
  KEY[$build]=$(api POST /api/api-key '{"name":"bench","group_id":2}' | jq -r .unmasked_key)
  db=$(api POST /api/database "{\"name\":\"Target\",\"engine\":\"sqlite\",\"details\":{\"db\":\"$WORK/$build-target.db\"}}" | jq -r .id)
  api PUT "/api/database/$db" '{"settings":{"database-enable-actions":true}}' >/dev/null
  table=$(api GET "/api/database/$db/metadata" | jq '.tables[] | select(.name=="events") | .id')
  model=$(api POST /api/card "{\"name\":\"Events\",\"type\":\"model\",\"dataset_query\":{\"database\":$db,\"type\":\"query\",\"query\":{\"source-table\":$table}}}" | jq -r .id)
  QUERY[$build]=$(api POST /api/action "{\"name\":\"Insert event\",\"type\":\"query\",\"model_id\":$model,\"database_id\":$db,\"dataset_query\":{\"database\":$db,\"type\":\"native\",\"native\":{\"query\":\"INSERT INTO events (kind, amount, note) VALUES ({{kind}}, {{amount}}, {{note}})\",\"template-tags\":{\"amount\":{\"name\":\"amount\",\"display-name\":\"Amount\",\"type\":\"number\"}}}}}" | jq -r .id)
done

INSERT='{"parameters":{"kind":"bench","amount":42,"note":"hello"}}'
load() { BODY="$INSERT" HEADERS="X-Api-Key: ${KEY[$1]}" wrk -t "$(( $2 < 2 ? 1 : 2 ))" -c "$2" -d "$3s" --latency -s bench/post.lua "${URL[$1]}/api/action/${QUERY[$1]}/execute" 2>&1; }
for build in old new; do load "$build" 8 "$WARMUP" >/dev/null; done
RESULTS="$WORK/results.tsv"
# CPU time of the app process (user + system, in clock ticks): per answered request it does not move with the
# time other processes take from the cores, as req/s does on a shared machine.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
TICK_US=$(( 1000000 / $(getconf CLK_TCK) ))
for _ in $(seq 1 "$REPEAT"); do
  for c in 1 8; do
    for build in old new; do
      before=$(cpu_ticks "${PID[$build]}")
      out=$(load "$build" "$c" "$DURATION")
      after=$(cpu_ticks "${PID[$build]}")
      rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
      requests=$(echo "$out" | awk '/requests in/ {print $1}')
      cpu=$(awk -v t=$((after - before)) -v u="$TICK_US" -v n="$requests" 'BEGIN { printf "%.1f", t * u / n }')
      printf '%s\t%s\t%s\t%s\n' "$build" "$c" "$rps" "$cpu" >> "$RESULTS"
      echo "$build c=$c: $rps req/s, $cpu µs CPU per request" >&2
    done
  done
done
median() { awk -F'\t' -v b="$1" -v c="$2" -v f="$3" '$1==b && $2==c {print $f}' "$RESULTS" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
echo "query execute, median of $REPEAT runs of ${DURATION}s, taking turns ($REF = old, working tree = new)"
printf '| conns | %s req/s | new req/s | new/old | %s CPU µs/req | new CPU µs/req | new/old |\n|---|---|---|---|---|---|---|\n' "$REF" "$REF"
for c in 1 8; do
  o=$(median old "$c" 3); n=$(median new "$c" 3); oc=$(median old "$c" 4); nc=$(median new "$c" 4)
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$c" "$o" "$n" "$(awk -v a="$n" -v b="$o" 'BEGIN { printf "%.3f", a/b }')" \
    "$oc" "$nc" "$(awk -v a="$nc" -v b="$oc" 'BEGIN { printf "%.3f", a/b }')"
done
