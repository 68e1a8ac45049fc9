#!/usr/bin/env bash
# The Leadline benchmark (`make bench`): a private, tuned PostgreSQL cluster loaded by
# `leadline bench-data`, wrk against `leadline serve`, pgbench running the same SQL on the
# same database, one table of throughput, latency and ratios (bench/README.md explains it).
#
# Usage: bench/run.sh [path/to/leadline]
# Environment (defaults in brackets):
#   BENCH_LEADS [1000000]  BENCH_HISTORY [10 x leads]  BENCH_AUDIT [5 x leads]
#   BENCH_SMOKE=1          tiny data and 1-second runs, to check that everything works
#   BENCH_DURATION [10]    seconds per measurement   BENCH_WARMUP [3] seconds of wrk first
#   BENCH_CONNECTIONS [8]  wrk and pgbench clients   BENCH_THREADS [2] wrk/pgbench threads
#   BENCH_SERVER_THREADS   leadline serve --threads (default: the server's own default)
#   BENCH_BULK [10000]     ids per bulk request      BENCH_BULK_RUNS [3]
#   BENCH_SHARED_BUFFERS [1GB, at most a quarter of RAM]
#   BENCH_DIR              work directory (default: a new one under /tmp, removed after)
#   BENCH_KEEP=1           keep the work directory (cluster and data) afterwards
#   BENCH_RESULTS          where to write the report [bench/RESULTS.md; smoke: the work dir]
#   BENCH_ONLY [all]       all, leads (the lead scenarios), dnc (the Do-Not-Call part only) or
#                          imports (bench/imports.sh only)
#   BENCH_IMPORT_ROWS [1000000], BENCH_XLSX_ROWS [100000]  rows of the import files
#   BENCH_BREAKDOWN_ROWS [200000]  rows of the import timed statement by statement
#   BENCH_DNC_NUMBERS [258000000]  numbers in the synthetic national registry file
#   BENCH_DNC_AREAS [330]          its area codes
#   BENCH_DNC_CHECKS [1000000]     numbers compared between is_on_dnc_list and the checker
#   BENCH_DNC_ORG_LIST [100000]    entries of the organization's own list
#   BENCH_UNIT_TESTS       the unit_tests binary (in-process lookup rates) [next to leadline]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
bin=$(readlink -f "${1:-build/leadline}")
[ -x "$bin" ] || { echo "bench: no leadline binary at $bin (run make build)" >&2; exit 1; }

smoke=${BENCH_SMOKE:-0}
only=${BENCH_ONLY:-all}
case "$only" in all | leads | dnc | imports) ;; *) echo "bench: BENCH_ONLY is all, leads, dnc or imports" >&2; exit 1 ;; esac
if [ "$only" = imports ]; then
  if [ "$smoke" = 1 ]; then
    export BENCH_IMPORT_ROWS=${BENCH_IMPORT_ROWS:-5000} BENCH_XLSX_ROWS=${BENCH_XLSX_ROWS:-1000}
    export BENCH_RESULTS=${BENCH_RESULTS:--}
  fi
  exec "$here/imports.sh" "$bin"
fi
if [ "$smoke" = 1 ]; then
  leads=${BENCH_LEADS:-2000}
  duration=${BENCH_DURATION:-1}
  warmup=${BENCH_WARMUP:-0}
  bulk=${BENCH_BULK:-200}
  bulk_runs=${BENCH_BULK_RUNS:-1}
  dnc_numbers=${BENCH_DNC_NUMBERS:-2000000}
  dnc_areas=${BENCH_DNC_AREAS:-20}
  dnc_checks=${BENCH_DNC_CHECKS:-20000}
  dnc_org_list=${BENCH_DNC_ORG_LIST:-2000}
else
  leads=${BENCH_LEADS:-1000000}
  duration=${BENCH_DURATION:-10}
  warmup=${BENCH_WARMUP:-3}
  bulk=${BENCH_BULK:-10000}
  bulk_runs=${BENCH_BULK_RUNS:-3}
  dnc_numbers=${BENCH_DNC_NUMBERS:-258000000}
  dnc_areas=${BENCH_DNC_AREAS:-330}
  dnc_checks=${BENCH_DNC_CHECKS:-1000000}
  dnc_org_list=${BENCH_DNC_ORG_LIST:-100000}
fi
# The DNC part alone needs an organization and a key, not a data set.
if [ "$only" = dnc ]; then
  leads=${BENCH_LEADS:-1000}
fi
history=${BENCH_HISTORY:-$((leads * 10))}
audit=${BENCH_AUDIT:-$((leads * 5))}
connections=${BENCH_CONNECTIONS:-8}
threads=${BENCH_THREADS:-2}
server_threads=${BENCH_SERVER_THREADS:-}

[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is required (package time)" >&2; exit 1; }
for tool in wrk curl pgbench psql python3 c++; do
  command -v "$tool" >/dev/null || {
    echo "bench: $tool is required (make bench installs wrk and postgresql-contrib; c++ builds" \
      "the registry file generator)" >&2
    exit 1
  }
done

log() { echo "bench: $*" >&2; }

if [ -n "${BENCH_DIR:-}" ]; then
  work=$BENCH_DIR
  mkdir -p "$work"
else
  work=$(mktemp -d /tmp/leadline-bench-XXXXXX)
fi
# When we are root the cluster runs as the postgres user, which must reach the directory.
chmod 755 "$work"
results_md=${BENCH_RESULTS:-$here/RESULTS.md}
[ "$smoke" = 1 ] && results_md=${BENCH_RESULTS:-$work/RESULTS.md}
data="$work/data"
sqldir="$work/sql"
mkdir -p "$data" "$sqldir"
results="$work/results.txt"
: >"$results"

server_pid=""
cleanup() {
  local code=$?
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ "${BENCH_KEEP:-0}" != 1 ] && [ -z "${BENCH_DIR:-}" ]; then
    rm -rf "$work"
  else
    log "work directory kept: $work"
  fi
  exit $code
}
trap cleanup EXIT
trap 'exit 130' INT TERM
unset DATABASE_URL

sock="$work/var/run"
pg=(-h "$sock" -p 5432 -U postgres leadline)  # no -d: it means --debug to pgbench
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "${pg[@]}" "$@"; }

# --- 1. cluster: initialise and migrate, then tune it for the benchmark -------------------
log "work directory $work"
"$bin" migrate up --data-dir "$work/var" >/dev/null 2>>"$work/leadline.log"
mem_kb=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)
shared_buffers=1GB
[ "$mem_kb" -lt $((4 * 1024 * 1024)) ] && shared_buffers="$((mem_kb / 4 / 1024))MB"
shared_buffers=${BENCH_SHARED_BUFFERS:-$shared_buffers}
# A bench-only cluster: memory sized for a 1M-lead data set on a small machine, few
# checkpoints during the load, no JIT (it compiles for tens of milliseconds on queries whose
# estimated cost is high, which an OLTP request should never pay). Durability stays on.
cat >>"$work/var/pgdata/postgresql.auto.conf" <<EOF
# bench/run.sh
shared_buffers = '$shared_buffers'
effective_cache_size = '4GB'
work_mem = '16MB'
maintenance_work_mem = '512MB'
max_wal_size = '8GB'
checkpoint_timeout = '30min'
random_page_cost = 1.1
jit = off
EOF

# --- 2. server ------------------------------------------------------------------------
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0))
print(s.getsockname()[1])')
serve_args=(serve --host 127.0.0.1 --port "$port" --data-dir "$work/var")
[ -n "$server_threads" ] && serve_args+=(--threads "$server_threads")
"$bin" "${serve_args[@]}" >"$work/serve.out" 2>>"$work/leadline.log" &
server_pid=$!
for _ in $(seq 1 300); do
  grep -q "running at" "$work/serve.out" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if ! grep -q "running at" "$work/serve.out"; then
  tail -20 "$work/leadline.log" >&2
  log "server did not start"
  exit 1
fi
base="http://127.0.0.1:$port"
log "server pid $server_pid at $base"

# --- 3. data --------------------------------------------------------------------------
log "loading $leads leads, $history history rows, $audit audit rows"
load_start=$(date +%s.%N)
"$bin" bench-data --leads "$leads" --history "$history" --audit "$audit" --data-dir "$work/var" \
  >"$work/bench-data.json" 2> >(tee -a "$work/bench-data.log" >&2)
load_seconds=$(python3 -c "print('%.0f' % ($(date +%s.%N) - $load_start))")
summary() {
  python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" \
    "$work/bench-data.json" "$1"
}
org=$(summary organization_id)
token=$(summary api_key)
uid=$(sql -c "SELECT id FROM users WHERE email = '$(summary admin_email)'")
n=$(sql -c "SELECT count(*) FROM bench_ids")
live=$(sql -c "SELECT count(*) FROM leads WHERE organization_id = '$org' AND deleted_at IS NULL")
sql -c "CREATE SEQUENCE IF NOT EXISTS bench_phone_seq" \
  -c "GRANT USAGE ON SEQUENCE bench_phone_seq TO leadline_app"
sql -c "COPY (SELECT id, phone, last_name FROM bench_ids ORDER BY n) TO STDOUT" |
  python3 "$here/helpers.py" urls "$data"
sql -c "COPY (SELECT id FROM bench_ids ORDER BY n) TO STDOUT" >"$data/ids.txt"
log "loaded in ${load_seconds}s; $n sampled ids"

# --- 4. scenarios ---------------------------------------------------------------------
echo "/api/tags" >"$data/tags_urls.txt"
for f in by_id search_name search_phone create tags dnc_check; do
  for v in raw tenant; do
    python3 "$here/helpers.py" render-sql "$here/sql/$f.$v.sql" "$here/sql/lead_columns.sql" \
      "$here/sql/tenant_begin.sql" "$sqldir/$f.$v.sql"
  done
done
# The same filter mix for wrk and pgbench: common and rare tags, one or several statuses.
python3 "$here/helpers.py" list-scripts "$here/sql/lead_columns.sql" "$here/sql/tenant_begin.sql" \
  "$sqldir" \
  "status=new,contacted&tag=hot&score_min=30&score_max=80" \
  "status=qualified&tag=pre-approved&score_min=40&score_max=100" \
  "status=nurturing,appointment_set&tag=buyer&score_min=0&score_max=100" \
  "status=contacted&tag=first-time-buyer&tag=hot&score_min=20&score_max=90"
mv "$sqldir/list_urls.txt" "$data/list_urls.txt"

pgbench_vars=()
create_runs=0
run_wrk() {  # scenario script urls-file seconds clients threads
  local name=$1 script=$2 urls=$3 seconds=$4
  # Each create run gets its own two million phone numbers (see create.lua).
  local create_offset=$((create_runs * 2000000))
  [ "$script" = create.lua ] && create_runs=$((create_runs + 1))
  BENCH_LUA_DIR="$here" BENCH_DATA_DIR="$data" BENCH_TOKEN="$token" BENCH_NAME="$name" \
    BENCH_URLS="$urls" BENCH_CREATE_OFFSET="$create_offset" \
    wrk -t "$6" -c "$5" -d "${seconds}s" -s "$here/$script" "$base" 2>&1
}

run_pgbench() {  # scenario script-name variant protocol clients threads
  local name=$1 script=$2 variant=$3 protocol=$4 dir="$work/pgbench/$1.$3"
  mkdir -p "$dir"
  local role=()
  [ "$variant" = tenant ] && role=(env "PGOPTIONS=-c role=leadline_app")
  (cd "$dir" && "${role[@]}" pgbench "${pg[@]}" -n -M "$protocol" -c "$5" -j "$6" \
    -T "$duration" -D "org=$org" -D "uid=$uid" -D "n=$n" "${pgbench_vars[@]}" \
    -f "$sqldir/$script.$variant.sql" \
    -l --log-prefix=tx >stdout 2>&1) || true
  echo "scenario=$name kind=pgbench_$variant $(python3 "$here/helpers.py" pgbench-stats "$dir")" \
    >>"$results"
  rm -f "$dir"/tx.*
}

# name, wrk script, URL file, pgbench script and protocol (the server prepares its fixed
# statements and sends list and search statements unnamed, planned with their values:
# -M extended), clients. The single-client runs give the latency of one request on an
# otherwise idle server, which is what the p50 targets are about; the others give throughput.
scenarios=(
  "lead_by_id get.lua by_id_urls.txt by_id prepared $connections"
  "lead_by_id_1conn get.lua by_id_urls.txt by_id prepared 1"
  "list_filtered get.lua list_urls.txt list extended $connections"
  "search_name get.lua search_name_urls.txt search_name extended $connections"
  "search_phone get.lua search_phone_urls.txt search_phone extended $connections"
  "create create.lua - create prepared $connections"
  "create_1conn create.lua - create prepared 1"
  "tags get.lua tags_urls.txt tags prepared $connections"
)
run_scenario() {  # name wrk-script url-file pgbench-script protocol clients
  local name=$1 script=$2 urls=$3 pg_name=$4 protocol=$5 clients=$6
  t=$((clients < threads ? clients : threads))
  if [ "$warmup" -gt 0 ]; then
    run_wrk "$name" "$script" "$urls" "$warmup" "$clients" "$t" >/dev/null
  fi
  out=$(run_wrk "$name" "$script" "$urls" "$duration" "$clients" "$t")
  [ "$script" = create.lua ] && create_runs=$((create_runs + 1))  # $(...) ran in a subshell
  line=$(grep '^RESULT ' <<<"$out" || true)
  [ -n "$line" ] || { echo "$out" >&2; log "wrk failed for $name"; }
  echo "scenario=$name kind=http clients=$clients ${line#RESULT name=$name }" >>"$results"
  run_pgbench "$name" "$pg_name" raw "$protocol" "$clients" "$t"
  run_pgbench "$name" "$pg_name" tenant "$protocol" "$clients" "$t"
  log "$name: $(grep "scenario=$name " "$results" | sed 's/scenario=[^ ]* //' | tr '\n' ';')"
}
if [ "$only" != dnc ]; then
for s in "${scenarios[@]}"; do
  # shellcheck disable=SC2086
  run_scenario $s
done

# Bulk: the same number of leads tagged each run, a different slice and tag every time.
bulk_times=() psql_times=()
for run in $(seq 1 "$bulk_runs"); do
  count=$(python3 "$here/helpers.py" bulk-body "$data/ids.txt" $(((run - 1) * bulk)) "$bulk" \
    "bench-bulk-$run" "$data/bulk.json" "$data/bulk_ids.txt")
  t=$(curl -sS -o "$data/bulk.out" -w '%{http_code} %{time_total}' -X POST \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    --data-binary @"$data/bulk.json" "$base/api/leads/bulk")
  [ "${t%% *}" = 200 ] || log "bulk run $run answered ${t%% *}: $(head -c 300 "$data/bulk.out")"
  bulk_times+=("${t#* }")
  # The same statements through psql, on the next slice (untouched rows, like the HTTP run).
  python3 "$here/helpers.py" bulk-body "$data/ids.txt" $(((bulk_runs + run - 1) * bulk)) "$bulk" \
    "bench-bulk-psql-$run" "$data/bulk_psql.json" "$data/bulk_psql_ids.txt" >/dev/null
  ms=$(psql -X -q -v ON_ERROR_STOP=1 "${pg[@]}" -v "org=$org" -v "uid=$uid" \
    -v "ids_file=$data/bulk_psql_ids.txt" -v "tag=bench-bulk-psql-$run" \
    -f "$here/sql/bulk_tags.sql" 2>&1 | awk '/^Time: / {s += $2} END {printf "%.6f", s / 1000}')
  psql_times+=("$ms")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
sorted_bulk=$(printf '%s\n' "${bulk_times[@]}" | sort -g)
echo "scenario=bulk_tag kind=http ids=$count runs=$bulk_runs median_s=$(median "${bulk_times[@]}")" \
  "min_s=$(head -1 <<<"$sorted_bulk") max_s=$(tail -1 <<<"$sorted_bulk")" >>"$results"
echo "scenario=bulk_tag kind=psql median_s=$(median "${psql_times[@]}")" >>"$results"
log "bulk: HTTP ${bulk_times[*]} s; psql ${psql_times[*]} s"

# Export: the whole organization as CSV; the server's peak RSS is reset first when the kernel
# allows it (clear_refs 5), so VmHWM is the peak during the export.
rss_before=$(awk '/^VmRSS:/ {print $2}' "/proc/$server_pid/status")
echo 5 >"/proc/$server_pid/clear_refs" 2>/dev/null || true
t=$(curl -sS -o /dev/null -w '%{http_code} %{time_total} %{size_download}' \
  -H "Authorization: Bearer $token" "$base/api/leads/export.csv")
read -r code seconds bytes <<<"$t"
hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$server_pid/status")
echo "scenario=export kind=http status=$code seconds=$seconds bytes=$bytes rows=$live" \
  "peak_rss_mb=$((hwm / 1024)) rss_growth_mb=$(((hwm - rss_before) / 1024))" >>"$results"
# \o sends the COPY data to /dev/null; \timing still reports on stdout.
cat >"$sqldir/export_copy.sql" <<SQL
\\o /dev/null
\\timing on
COPY (SELECT $(cat "$here/sql/lead_columns.sql") FROM leads l
      WHERE l.organization_id = '$org' AND l.deleted_at IS NULL
      ORDER BY l.created_at DESC, l.id DESC) TO STDOUT WITH (FORMAT csv, HEADER);
SQL
copy_seconds=$(psql -X -q -v ON_ERROR_STOP=1 "${pg[@]}" -f "$sqldir/export_copy.sql" |
  awk '/^Time: / {printf "%.3f", $2 / 1000}')
echo "scenario=export kind=copy seconds=$copy_seconds" >>"$results"
log "export: HTTP $code in ${seconds}s ($bytes bytes), peak RSS $((hwm / 1024)) MB;" \
  "COPY ${copy_seconds}s"
fi  # the lead scenarios

# --- 5. Do-Not-Call ---------------------------------------------------------------------
if [ "$only" != leads ]; then
  dnc_dir="$work/dnc"
  mkdir -p "$dnc_dir"
  chmod 755 "$dnc_dir"
  # A synthetic national registry download in the registry's format (NPA,NNNNNNN, CR LF),
  # every number once; the generator is built here so that nothing else is needed.
  c++ -O2 -std=c++20 -o "$dnc_dir/dnc_registry_gen" "$here/dnc_registry_gen.cpp"
  log "dnc: generating a registry file of $dnc_numbers numbers in $dnc_areas area codes"
  gen_start=$(date +%s.%N)
  gen=$("$dnc_dir/dnc_registry_gen" "$dnc_dir/registry.txt" "$dnc_numbers" "$dnc_areas" 1 \
    "$dnc_dir/areas.txt")
  gen_seconds=$(python3 -c "print('%.1f' % ($(date +%s.%N) - $gen_start))")
  file_mb=$(($(stat -c %s "$dnc_dir/registry.txt") / 1000000))
  rss_before=$(awk '/^VmRSS:/ {print $2}' "/proc/$server_pid/status")
  # The load as an operator runs it: the CLI, on the same database as the running server.
  log "dnc: loading it ($file_mb MB) with leadline dnc load --national"
  /usr/bin/time -f "wall_s=%e user_s=%U sys_s=%S max_rss_kb=%M" -o "$dnc_dir/load.time" \
    "$bin" dnc load "$dnc_dir/registry.txt" --national --data-dir "$work/var" \
    >"$dnc_dir/load.json" 2>>"$work/leadline.log"
  rm -f "$dnc_dir/registry.txt"
  load_kv=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1]))
print(' '.join('%s=%s' % (k, d[k]) for k in ('lines', 'added', 'total', 'area_codes',
      'parse_seconds', 'store_seconds', 'peak_rss_mb')))" "$dnc_dir/load.json")
  echo "scenario=dnc_load kind=cli numbers=$dnc_numbers file_mb=$file_mb gen_s=$gen_seconds" \
    "$load_kv $(cat "$dnc_dir/load.time")" >>"$results"
  log "dnc: load $load_kv $(cat "$dnc_dir/load.time")"
  # The server learns of the load by NOTIFY and reads the new snapshot.
  snap_start=$(date +%s.%N)
  total=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['total'])" \
    "$dnc_dir/load.json")
  in_memory=0
  for _ in $(seq 1 1200); do
    in_memory=$(curl -sS -H "Authorization: Bearer $token" "$base/api/dnc/registry" |
      python3 -c "import json,sys; print(json.load(sys.stdin).get('in_memory_numbers', 0))")
    [ "$in_memory" = "$total" ] && break
    sleep 0.25
  done
  snap_seconds=$(python3 -c "print('%.1f' % ($(date +%s.%N) - $snap_start))")
  rss_after=$(awk '/^VmRSS:/ {print $2}' "/proc/$server_pid/status")
  echo "scenario=dnc_snapshot kind=server seconds=$snap_seconds in_memory=$in_memory" \
    "total=$total rss_growth_mb=$(((rss_after - rss_before) / 1024))" >>"$results"
  log "dnc: server holds $in_memory of $total numbers after ${snap_seconds}s"

  # The organization's own list: listed, listed until a future date, expired and removed.
  python3 "$here/helpers.py" dnc-org-list "$dnc_dir/org_list.tsv" "$dnc_org_list" 2
  sql -c "CREATE TABLE bench_dnc_org_list (phone text, expires_at timestamptz, removed_at timestamptz)"
  sql -c "COPY bench_dnc_org_list FROM STDIN" <"$dnc_dir/org_list.tsv"
  sql -c "INSERT INTO dnc_list (organization_id, phone, expires_at, removed_at, removal_reason,
            source) SELECT '$org', phone, expires_at, removed_at,
            CASE WHEN removed_at IS NOT NULL THEN 'bench' END, 'import' FROM bench_dnc_org_list"
  python3 "$here/helpers.py" dnc-numbers "$dnc_dir/areas.txt" "$dnc_dir/org_list.tsv" \
    "$dnc_dir/numbers.tsv" "$dnc_checks" 3
  python3 "$here/helpers.py" dnc-batches "$dnc_dir/numbers.tsv" "$data/dnc_bodies.txt" \
    "$dnc_dir/batches.tsv" 1000 200
  nb=$(wc -l <"$dnc_dir/batches.tsv")
  sql -c "CREATE TABLE bench_dnc_numbers (n bigint PRIMARY KEY, phone text NOT NULL)" \
    -c "CREATE TABLE bench_dnc_batches (b int PRIMARY KEY, phones text[] NOT NULL)" \
    -c "GRANT SELECT ON bench_dnc_numbers, bench_dnc_batches TO leadline_app"
  sql -c "COPY bench_dnc_numbers FROM STDIN" <"$dnc_dir/numbers.tsv"
  sql -c "COPY bench_dnc_batches FROM STDIN" <"$dnc_dir/batches.tsv"
  sql -c "ANALYZE bench_dnc_numbers" -c "ANALYZE bench_dnc_batches"
  # Wait until the server has reloaded the organization's list (NOTIFY '<org>:*').
  sleep 2

  # 1,000 numbers per request: wrk and the same checks in SQL (is_on_dnc_list per number).
  pgbench_vars=(-D "nb=$nb")
  run_scenario dnc_check_1000 post.lua dnc_bodies.txt dnc_check prepared "$connections"
  run_scenario dnc_check_1000_1conn post.lua dnc_bodies.txt dnc_check prepared 1
  pgbench_vars=()

  # SQL lookups per second on one backend: is_on_dnc_list (the organization's list and the
  # registry) and dnc_on_national_registry alone, as the server's role in the organization.
  as_tenant=(env "PGOPTIONS=-c role=leadline_app -c app.organization_id=$org")
  cat >"$sqldir/dnc_sql.sql" <<SQL
\\o /dev/null
\\timing on
SELECT count(*) FILTER (WHERE is_on_dnc_list(phone, app_current_org())) FROM bench_dnc_numbers;
SELECT count(*) FILTER (WHERE dnc_on_national_registry(phone)) FROM bench_dnc_numbers;
SQL
  times=$("${as_tenant[@]}" psql -X -q -v ON_ERROR_STOP=1 "${pg[@]}" -f "$sqldir/dnc_sql.sql" |
    awk '/^Time: / {printf "%s ", $2 / 1000}')
  read -r t_list t_national _ <<<"$times"
  echo "scenario=dnc_sql kind=psql numbers=$dnc_checks is_on_dnc_list_s=$t_list" \
    "national_s=$t_national" >>"$results"
  # The same answers? is_on_dnc_list for every number (as the server's role, in the
  # organization) against POST /api/dnc/check (the server's in-process checker).
  "${as_tenant[@]}" psql -X -q -v ON_ERROR_STOP=1 "${pg[@]}" \
    -c "COPY (SELECT n, is_on_dnc_list(phone, app_current_org()) FROM bench_dnc_numbers
              ORDER BY n) TO STDOUT" >"$dnc_dir/sql_answers.tsv"
  agree=$(python3 "$here/helpers.py" dnc-agree "$base" "$token" "$dnc_dir/numbers.tsv" \
    "$dnc_dir/sql_answers.tsv" 1000)
  echo "scenario=dnc_agree kind=http $agree" >>"$results"
  log "dnc: $agree"

  # In-process lookup rates of the same code on a full-size snapshot, one thread.
  unit_tests=${BENCH_UNIT_TESTS:-$(dirname "$bin")/tests/unit_tests}
  if [ -x "$unit_tests" ]; then
    line=$(LEADLINE_DNC_BENCH=1 "$unit_tests" --gtest_filter='DncLookupBench.*' |
      grep '^RESULT ' || true)
    echo "scenario=dnc_inprocess kind=unit ${line#RESULT dnc_inprocess }" >>"$results"
    log "dnc: in process: ${line#RESULT dnc_inprocess }"
  else
    log "dnc: no unit_tests binary at $unit_tests: in-process lookup rates skipped"
  fi
fi

# --- 5. report ------------------------------------------------------------------------
cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
pg_version=$(sql -c "SHOW server_version")
# The server says how many I/O threads it runs ("listening on ... with N threads").
started_threads=$(grep -o 'with [0-9]* threads' "$work/leadline.log" | tail -1 | tr -dc '0-9')
server_threads_shown=${server_threads:-"default (${started_threads:-?})"}
{
  note=""
  [ "$smoke" = 1 ] && note=" (smoke run: tiny data, not a measurement)"
  echo "Run $(date -u '+%Y-%m-%d %H:%M UTC')$note."
  echo
  echo "- Machine: $(nproc) CPUs ($cpu), $((mem_kb / 1024 / 1024)) GB RAM; PostgreSQL $pg_version;" \
    "wrk, pgbench and the server share the machine."
  if [ "$only" = dnc ]; then
    echo "- Data: the Do-Not-Call part only (\`BENCH_ONLY=dnc\`): a small organization" \
      "($(summary leads) leads) for the API key, the registry file and lists described below."
  else
    echo "- Data: $(summary leads) leads ($leads in the measured organization, $live live)," \
      "$(summary status_history) status-history rows, $(summary audit) audit rows," \
      "$(summary organizations) organizations; loaded by \`leadline bench-data\` in ${load_seconds} s."
  fi
  if [ "$only" != leads ]; then
    echo "- Do-Not-Call: a synthetic national registry file of $dnc_numbers numbers in" \
      "$dnc_areas area codes (NPA,NNNNNNN lines, CR LF, plain text); an organization list of" \
      "$dnc_org_list entries (listed, listed until a future date, expired, removed);" \
      "$dnc_checks numbers checked (60% in the registry's area codes, 10% in others, 20% from" \
      "the organization's list, 10% outside NANP); batches of 1,000 for the HTTP rows."
  fi
  echo "- Load: wrk and pgbench with $connections clients on $threads threads (rows marked 1: one" \
    "client), ${duration} s each after ${warmup} s of wrk warm-up; server threads:" \
    "$server_threads_shown."
  echo "- PostgreSQL: shared_buffers $shared_buffers, work_mem 16MB, jit off, random_page_cost 1.1," \
    "synchronous_commit on."
} >"$work/meta.txt"
BENCH_ONLY=$only python3 "$here/helpers.py" report "$results" "$work/meta.txt" "$results_md"
log "report written to $results_md"

# Imports: their own cluster and files (bench/imports.sh), their section of the same report.
if [ "$only" = all ]; then
  if [ "$smoke" = 1 ]; then
    export BENCH_IMPORT_ROWS=${BENCH_IMPORT_ROWS:-5000} BENCH_XLSX_ROWS=${BENCH_XLSX_ROWS:-1000}
  fi
  BENCH_RESULTS="$results_md" "$here/imports.sh" "$bin"
fi
