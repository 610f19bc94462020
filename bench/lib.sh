# Functions the benchmark scripts share (bench/run.sh, bench/cluster.sh); they expect WORK, RESULTS and DURATION.

need() { command -v "$1" >/dev/null 2>&1; }
free_port() { local p=$1; while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p+1)); done; echo "$p"; }
wait_for() { for _ in $(seq 1 600); do curl -sf "$@" >/dev/null && return 0; sleep 0.1; done; echo "no answer from $*" >&2; exit 1; }

# The settings every benchmarked instance runs with: a bootstrap admin, rate limits raised, private networks allowed
# for the local stub, warnings only in the log.
BENCH_SETTINGS=(Actions__SampleData=false Actions__Admin__Email=bench@example.com Actions__Admin__Password='Bench-passw0rd!'
  Actions__PublicSharing__PerLinkPerSecond=1000000 Actions__PublicSharing__PerClientPerMinute=1000000
  Actions__HttpActions__AllowPrivateNetworks=true Logging__LogLevel__Default=Warning)

# start_app NAME URL: one instance of the app on the SQLite store in a fresh DataDir; its pid in LAST_PID.
start_app() {
  env "${BENCH_SETTINGS[@]}" ASPNETCORE_URLS="$2" Actions__DataDir="$WORK/$1" \
    dotnet "$WORK/app/Actions.Web.dll" >"$WORK/$1.log" 2>&1 & LAST_PID=$!; PIDS+=($LAST_PID)
}

# provision URL: signs in to the instance at URL, creates an API key, the target database, two models and the query
# action (on the SQLite file $TARGET, or TARGET_ENGINE with TARGET_DETAILS); sets BASE, SESSION, KEY, DB, EVENTS, COUNTERS, QUERY.
api() { curl -sf -X "$1" "$BASE$2" -H "X-Metabase-Session: $SESSION" -H 'Content-Type: application/json' ${3:+-d "$3"}; }
model() { api POST /api/card "{\"name\":\"$1\",\"type\":\"model\",\"dataset_query\":{\"database\":$DB,\"type\":\"query\",\"query\":{\"source-table\":$2}}}" | jq -r .id; }
provision() {
  BASE=$1
  SESSION=$(curl -sf -X POST "$BASE/api/session" -d '{"username":"bench@example.com","password":"Bench-passw0rd!"}' | jq -r .id)
  KEY=$(api POST /api/api-key '{"name":"bench","group_id":2}' | jq -r .unmasked_key)
  local engine=${TARGET_ENGINE:-sqlite} details
  details=${TARGET_DETAILS:-"{\"db\":\"$TARGET\"}"}
  DB=$(api POST /api/database "{\"name\":\"Target\",\"engine\":\"$engine\",\"details\":$details}" | jq -r .id)
  api PUT "/api/database/$DB" '{"settings":{"database-enable-actions":true}}' >/dev/null
  local events_table counters_table
  events_table=$(api GET "/api/database/$DB/metadata" | jq '.tables[] | select(.name=="events") | .id')
  counters_table=$(api GET "/api/database/$DB/metadata" | jq '.tables[] | select(.name=="counters") | .id')
  EVENTS=$(model Events "$events_table"); COUNTERS=$(model Counters "$counters_table")
  QUERY_BODY="{\"name\":\"Insert event\",\"type\":\"query\",\"model_id\":$EVENTS,\"database_id\":$DB,\"dataset_query\":{\"database\":$DB,\"type\":\"native\",\"native\":{\"query\":\"INSERT INTO events (kind, amount, note) VALUES ({{kind}}, {{amount}}, {{note}})\",\"template-tags\":{\"amount\":{\"name\":\"amount\",\"display-name\":\"Amount\",\"type\":\"number\"}}}}}"
  QUERY=$(api POST /api/action "$QUERY_BODY" | jq -r .id)
}
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

# The median of one figure (column f) over the repeats of a scenario.
field() { awk -F'\t' -v n="$1" -v c="$2" -v f="$3" '$1==n && $2==c {print $f}' "$RESULTS" | sort -g | awk '{v[NR]=$1} END {if (NR) print v[int((NR+1)/2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a/b; else print "-" }'; }
