#!/usr/bin/env bash
# Runs every test on a fresh machine that has only the .NET SDK.
# As root it installs what is missing (Debian packages and the dotnet tools), starts PostgreSQL and MariaDB
# on loopback in a temporary folder (and stops them at the end), checks that no EF Core migration is
# missing, runs `dotnet test` with TRX results and prints "N passed, M failed" as its last line.
set -uo pipefail
cd "$(dirname "$0")"

PACKAGES=(chromium jq postgresql mariadb-server haproxy)
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v jq >/dev/null 2>&1 || missing+=(jq)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v mariadbd >/dev/null 2>&1 || missing+=(mariadb-server)
# The cluster tests run deploy/cluster.sh: instances behind HAProxy.
[ -x /usr/sbin/haproxy ] || command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing Debian packages: ${missing[*]}"
    echo "Install them as root first:  apt-get update && apt-get install -y ${PACKAGES[*]}"
    exit 1
  fi
  echo "Installing ${missing[*]} ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" >/dev/null || { echo "apt-get install failed"; exit 1; }
fi

dotnet tool restore >/dev/null || { echo "dotnet tool restore failed"; exit 1; }

WORK=$(mktemp -d /tmp/actions-test.XXXXXX)
chmod 755 "$WORK"
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PG_DATA="$WORK/pg"
MY_DATA="$WORK/mariadb"
DB_PASSWORD="actions-test-pw"

free_port() {
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}

stop_servers() {
  if [ -f "$PG_DATA/postmaster.pid" ]; then
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast stop >/dev/null 2>&1
  fi
  if [ -n "${MY_PID:-}" ]; then
    kill "$MY_PID" 2>/dev/null
    wait "$MY_PID" 2>/dev/null
  fi
  rm -rf "$WORK"
}
trap stop_servers EXIT

start_postgres() {
  PG_PORT=$(free_port 25432)
  mkdir -p "$PG_DATA" && chown postgres "$PG_DATA"
  echo "$DB_PASSWORD" > "$WORK/pgpass" && chown postgres "$WORK/pgpass"
  runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -A scram-sha-256 --pwfile="$WORK/pgpass" >"$WORK/pg-init.log" 2>&1 \
    || { cat "$WORK/pg-init.log"; return 1; }
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DATA -c max_connections=200 -c fsync=off" start >/dev/null \
    || { cat "$PG_DATA/server.log"; return 1; }
  export ACTIONS_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Password=$DB_PASSWORD;Database=postgres"
}

start_mariadb() {
  MY_PORT=$(free_port 23306)
  mkdir -p "$MY_DATA"
  mariadb-install-db --user=root --datadir="$MY_DATA" --auth-root-authentication-method=normal >"$WORK/my-init.log" 2>&1 \
    || { cat "$WORK/my-init.log"; return 1; }
  mariadbd --user=root --datadir="$MY_DATA" --socket="$WORK/mariadb.sock" --port="$MY_PORT" --bind-address=127.0.0.1 \
    --pid-file="$WORK/mariadb.pid" --skip-log-bin --innodb-flush-log-at-trx-commit=0 >"$WORK/mariadb.log" 2>&1 &
  MY_PID=$!
  for _ in $(seq 1 60); do
    mariadb --socket="$WORK/mariadb.sock" -uroot -e "SELECT 1" >/dev/null 2>&1 && break
    sleep 1
  done
  mariadb --socket="$WORK/mariadb.sock" -uroot -e "CREATE USER 'actions'@'127.0.0.1' IDENTIFIED BY '$DB_PASSWORD'; GRANT ALL PRIVILEGES ON *.* TO 'actions'@'127.0.0.1' WITH GRANT OPTION; CREATE DATABASE actions_test;" \
    || { cat "$WORK/mariadb.log"; return 1; }
  export ACTIONS_TEST_MYSQL="Server=127.0.0.1;Port=$MY_PORT;User ID=actions;Password=$DB_PASSWORD;Database=actions_test"
}

if [ "$(id -u)" -eq 0 ]; then
  start_postgres || { echo "PostgreSQL did not start"; exit 1; }
  start_mariadb || { echo "MariaDB did not start"; exit 1; }
else
  echo "Not root: PostgreSQL and MariaDB are not started; set ACTIONS_TEST_POSTGRES and ACTIONS_TEST_MYSQL to servers of your own."
fi

# A clean clone has no restored packages yet: the migration check below needs them.
dotnet restore Actions.sln >"$WORK/restore.log" 2>&1 || { cat "$WORK/restore.log"; echo "dotnet restore failed"; exit 1; }

# Each app store provider has its own migrations (SQLite: AppDbContext, PostgreSQL: PostgresAppDbContext). The
# tools take the context from the app's own services, so the PostgreSQL one is asked for with the app set to it (no
# connection is opened).
check_migrations() {
  local context=$1 folder=$2
  shift 2
  if ! dotnet ef migrations has-pending-model-changes "$@" --context "$context" --project Actions.Data --startup-project Actions.Web >"$WORK/ef.log" 2>&1; then
    cat "$WORK/ef.log"
    echo "The EF Core model has changes without a migration: run '[Actions__AppDbProvider=Postgres ConnectionStrings__AppDb=Host=localhost] dotnet ef migrations add <Name> --context $context --project Actions.Data --startup-project Actions.Web --output-dir $folder'."
    exit 1
  fi
}
check_migrations AppDbContext Store/Migrations
Actions__AppDbProvider=Postgres ConnectionStrings__AppDb="Host=localhost" check_migrations PostgresAppDbContext Store/PostgresMigrations --no-build

RESULTS="$WORK/results"
dotnet test Actions.sln --logger "trx;LogFilePrefix=actions" --logger "console;verbosity=minimal" --results-directory "$RESULTS" -v quiet \
  > "$WORK/test.log" 2>&1
test_exit=$?

# The API tests once more with the app store on PostgreSQL (a fresh database per app, on the server above);
# their own TRX file, so the count below includes both runs.
API_TESTS="FullyQualifiedName~Actions.Tests.Api.|FullyQualifiedName~Actions.Tests.ActionApi.|FullyQualifiedName~Actions.Tests.Http.|FullyQualifiedName~Actions.Tests.Hardening."
ACTIONS_TEST_APP_STORE=postgres dotnet test Actions.Tests --no-build --filter "$API_TESTS" \
  --logger "trx;LogFilePrefix=actions-pgstore" --logger "console;verbosity=minimal" --results-directory "$RESULTS" -v quiet \
  > "$WORK/test-pgstore.log" 2>&1
pgstore_exit=$?
[ "$test_exit" -ne 0 ] || test_exit=$pgstore_exit

# The failures with their messages (and each run's summary), not the whole log.
for log in "$WORK/test.log" "$WORK/test-pgstore.log"; do
  grep -E "^\s+Failed |Error Message:|^\s{3}\S" -A3 "$log" | grep -vE "^\s+at " | head -n 200
done
grep -E "^(Passed|Failed)!" "$WORK/test.log"
echo "PostgreSQL app store: $(grep -E "^(Passed|Failed)!" "$WORK/test-pgstore.log")"

passed=0
failed=0
for trx in "$RESULTS"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(echo "$counters" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p')
  f=$(echo "$counters" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p')
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done
if [ "$test_exit" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; echo "dotnet test exited with $test_exit"; fi
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then echo "No test ran"; failed=1; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
