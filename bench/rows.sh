#!/usr/bin/env bash
# The model browser's reads on a 1,000,000-row SQLite table: the page query (first, middle and last page, and sorted by
# an unindexed column) and the row count the page shows, p50 over REPS runs each; then POST /api/card/:id/query req/s
# (wrk) next to the floor's plain SELECT of the same 2,000 rows. REPS (default 21) and DURATION (seconds, default 10).
set -euo pipefail
cd "$(dirname "$0")/.."
# need, free_port, wait_for, start_app, provision, run (shared with bench/run.sh)
source bench/lib.sh
DURATION=${DURATION:-10}
REPS=${REPS:-21}
for tool in wrk jq curl sqlite3; do need "$tool" || { echo "Install $tool first: apt-get install -y wrk jq curl sqlite3"; exit 1; }; done

WORK=$(mktemp -d /tmp/actions-rows.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

echo "Building Release..." >&2
dotnet publish Actions.Web -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$WORK/app" -v quiet -nologo >/dev/null
dotnet publish bench/Floor -c Release -o "$WORK/floor" -v quiet -nologo >/dev/null

TARGET="$WORK/target.db"
dotnet "$WORK/floor/Floor.dll" init "$TARGET"
echo "Building the 1,000,000-row table..." >&2
sqlite3 "$TARGET" <<'SQL'
CREATE TABLE big (id INTEGER PRIMARY KEY, name TEXT NOT NULL, category TEXT NOT NULL, amount INTEGER NOT NULL, created DATE NOT NULL);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)
INSERT INTO big SELECT i, 'item ' || i, 'cat' || (i % 50), (i * 7919) % 100000, date('2020-01-01', '+' || (i % 1500) || ' days') FROM n;
SQL

APP_PORT=$(free_port 18180); FLOOR_PORT=$(free_port $((APP_PORT+1)))
APP="http://127.0.0.1:$APP_PORT"; FLOOR="http://127.0.0.1:$FLOOR_PORT"
ASPNETCORE_URLS="$FLOOR" dotnet "$WORK/floor/Floor.dll" serve "$TARGET" "http://127.0.0.1:9/none" & PIDS+=($!)
start_app data "$APP"
wait_for "$APP/api/health"
wait_for "$FLOOR/select/big" -X POST
provision "$APP"
BIG_TABLE=$(api GET "/api/database/$DB/metadata" | jq '.tables[] | select(.name=="big") | .id')
BIG=$(model Big "$BIG_TABLE")
field_id() { api GET "/api/database/$DB/metadata" | jq ".tables[] | select(.name==\"big\") | .fields[] | select(.name==\"$1\") | .id"; }
AMOUNT=$(field_id amount)

# p50 NAME BODY: the median time (ms) of REPS POST /api/dataset with BODY, after 3 unrecorded runs.
p50() {
  for _ in 1 2 3; do curl -sf -X POST "$APP/api/dataset" -H "X-Api-Key: $KEY" -H 'Content-Type: application/json' -d "$2" >/dev/null; done
  local ms
  ms=$(for _ in $(seq 1 "$REPS"); do
    curl -sf -o "$WORK/answer.json" -w '%{time_total}\n' -X POST "$APP/api/dataset" -H "X-Api-Key: $KEY" -H 'Content-Type: application/json' -d "$2"
  done | sort -g | awk '{v[NR]=$1*1000} END {printf "%.1f", v[int((NR+1)/2)]}')
  [ "$(jq -r .status "$WORK/answer.json")" = completed ] || { echo "$1 failed: $(jq -c . "$WORK/answer.json")" >&2; exit 1; }
  printf '%-44s p50 %8s ms\n' "$1" "$ms"
}
# The page query exactly as the model browser sends it (ModelBrowserService.PageAsync): the model as card__<id>, 25 a page.
page() { echo "{\"database\":$DB,\"type\":\"query\",\"query\":{\"source-table\":\"card__$BIG\",$2\"page\":{\"page\":$1,\"items\":25}}}"; }

echo
echo "Model browser page query, 1,000,000 rows, 25 per page (POST /api/dataset, as the page's service reads it):"
p50 "first page (key order)" "$(page 1 "")"
p50 "middle page (500,001-500,025)" "$(page 20001 "")"
p50 "last page" "$(page 40000 "")"
p50 "first page sorted by amount (no index)" "$(page 1 "\"order-by\":[[\"desc\",[\"field\",$AMOUNT,null]]],")"
p50 "middle page sorted by amount (no index)" "$(page 20001 "\"order-by\":[[\"desc\",[\"field\",$AMOUNT,null]]],")"
p50 "first page, filter name contains 'item 99'" "$(page 1 "\"filter\":[\"contains\",[\"field\",$(field_id name),null],\"item 99\",{\"case-sensitive\":false}],")"
# The row count beside every page (DatasetService.CountAsync): not an endpoint of its own, so its SQL on the same file.
count_ms() {
  local ms
  ms=$(for _ in $(seq 1 "$REPS"); do
    s=$(date +%s%N); sqlite3 "$TARGET" "$2" >/dev/null; echo $(( ($(date +%s%N) - s) / 1000 ))
  done | sort -g | awk '{v[NR]=$1/1000} END {printf "%.1f", v[int((NR+1)/2)]}')
  printf '%-44s p50 %8s ms (sqlite3, process start included)\n' "$1" "$ms"
}
count_ms "row count, no filter" 'SELECT COUNT(*) FROM (SELECT "id", "name", "category", "amount", "created" FROM "big") AS "counted"'
count_ms "row count, name contains 'item 99' (≈ its SQL)" "SELECT COUNT(*) FROM (SELECT \"id\", \"name\", \"category\", \"amount\", \"created\" FROM \"big\" WHERE lower(\"name\") LIKE '%item 99%' ESCAPE '\\') AS \"counted\""

echo
echo "POST /api/card/:id/query on the 1,000,000-row model (2,000 rows an answer) next to a plain SELECT of them:"
RESULTS="$WORK/results.tsv"
BODY='{}' HEADERS="X-Api-Key: $KEY" wrk -t 2 -c 8 -d 5s -s bench/post.lua "$APP/api/card/$BIG/query" >/dev/null 2>&1
BODY='{}' HEADERS="" wrk -t 2 -c 8 -d 5s -s bench/post.lua "$FLOOR/select/big" >/dev/null 2>&1
for c in 1 8; do
  run card-query "$c" "$APP/api/card/$BIG/query" post.lua '{}' "X-Api-Key: $KEY"
  run floor-select "$c" "$FLOOR/select/big" post.lua '{}' ""
done
printf '\n%-14s %5s %10s %9s %9s\n' scenario conns req/s p50_ms p99_ms
awk -F'\t' '{printf "%-14s %5s %10s %9s %9s\n", $1, $2, $3, $4, $5}' "$RESULTS"
