#!/usr/bin/env bash
# Imports through the real binary: the CLI (dry run, progress, counts), then an upload to
# `leadline serve` killed with SIGKILL in the middle of the job, restarted and stopped with
# SIGTERM while it resumes; the server started a third time finishes it, and every row ends up
# imported exactly once.
set -euo pipefail
bin=$1
dir=$(mktemp -d /tmp/leadline-import-XXXXXX)
chmod 755 "$dir"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" || true; fi
  # A server killed with SIGKILL leaves the embedded cluster running: stop it.
  if [ -f "$dir/var/pgdata/postmaster.pid" ]; then
    kill -QUIT "$(head -1 "$dir/var/pgdata/postmaster.pid")" 2>/dev/null || true
    sleep 1
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
unset DATABASE_URL
fail() { echo "FAIL: $*" >&2; tail -30 "$dir/log" >&2 || true; exit 1; }
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

"$bin" migrate up --data-dir "$dir/var" 2>>"$dir/log"
org_json=$("$bin" org create --name Acme --admin-email boss@acme.test --admin-password secret-pass-1 \
  --data-dir "$dir/var" 2>>"$dir/log")
org=$(echo "$org_json" | json '["organization_id"]')
key=$(echo "$org_json" | json '["api_key"]')

# 60,000 rows (three batches): 1% invalid phones, 2% repeating an earlier row's phone.
python3 - "$dir/leads.csv" <<'PY'
import sys
rows = 60000
with open(sys.argv[1], "w", newline="") as f:
    f.write("First Name,Last Name,Email,Phone Number,Tags\r\n")
    for i in range(rows):
        phone = "206-%03d-%04d" % (200 + i // 10000, i % 10000)
        if i % 100 == 7:
            phone = "12345"
        elif i % 50 == 3 and i > 100:
            j = i - 77
            phone = "206-%03d-%04d" % (200 + j // 10000, j % 10000)
        f.write("First%d,Last%d,user%d@example.com,%s,\"bulk;t%d\"\r\n" % (i, i, i, phone, i % 7))
PY

# CLI: usage errors exit 2; a dry run counts and changes nothing; a real run imports.
set +e
"$bin" import "$dir/leads.csv" --data-dir "$dir/var" 2>/dev/null; code=$?
set -e
[ "$code" = 2 ] || fail "import without --org should exit 2, got $code"
small="$dir/small.csv"
printf 'email,phone\na@example.com,2065550100\nb@example.com,not-a-phone\n' >"$small"
# Arguments naming what is not there: an organization, a column, an owner. Exit 2, a clear
# reason, nothing imported.
usage_error() {  # expected-text args...
  local want=$1; shift
  set +e
  "$bin" import "$small" --data-dir "$dir/var" "$@" >"$dir/out" 2>"$dir/err"; code=$?
  set -e
  [ "$code" = 2 ] || fail "import $* should exit 2, got $code: $(cat "$dir/err")"
  grep -q "$want" "$dir/err" || fail "import $*: expected '$want' on stderr, got: $(cat "$dir/err")"
  ! grep -qi "violates\|constraint" "$dir/err" || fail "import $*: database text: $(cat "$dir/err")"
}
usage_error "no such organization" --org 00000000-0000-4000-8000-000000000000
usage_error "mapping.Mobile" --org "$org" --mapping '{"Mobile":"phone"}'
usage_error "owner_id" --org "$org" --owner nobody@example.com
# A file that cannot be imported is a failure (1), not a usage error.
printf 'first_name,company\nAda,Acme\n' >"$dir/nocontact.csv"
set +e
"$bin" import "$dir/nocontact.csv" --org "$org" --data-dir "$dir/var" >/dev/null 2>"$dir/err"; code=$?
set -e
[ "$code" = 1 ] || fail "a file without a phone or email column should exit 1, got $code: $(cat "$dir/err")"
dry=$("$bin" import "$small" --org "$org" --dry-run --data-dir "$dir/var" 2>>"$dir/log")
[ "$(echo "$dry" | json '["created"]')" = 1 ] || fail "dry run counts: $dry"
[ "$(echo "$dry" | json '["failed"]')" = 1 ] || fail "dry run counts: $dry"
real=$("$bin" import "$small" --org "$org" --data-dir "$dir/var" 2>"$dir/progress")
[ "$(echo "$real" | json '["status"]')" = completed ] || fail "cli import: $real"
[ "$(echo "$real" | json '["created"]')" = 1 ] || fail "cli import counts: $real (dry run wrote rows?)"
grep -q "rows/s" "$dir/progress" || fail "no progress on stderr: $(cat "$dir/progress")"

start_server() {
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  : >"$dir/serve.out"
  "$bin" serve --port "$port" --data-dir "$dir/var" >"$dir/serve.out" 2>>"$dir/log" &
  pid=$!
  for _ in $(seq 1 150); do
    grep -q "running at" "$dir/serve.out" 2>/dev/null && break
    sleep 0.1
  done
  grep -q "running at" "$dir/serve.out" || fail "serve did not start"
  base="http://127.0.0.1:$port"
}
api() { curl -fsS -H "Authorization: Bearer $key" "$@"; }

start_server
job=$(api -H 'Content-Type: text/csv' --data-binary "@$dir/leads.csv" "$base/api/imports?filename=leads.csv")
id=$(echo "$job" | json '["id"]')
# Kill the server once the job has committed some of its work, and before it ends.
killed=no
for _ in $(seq 1 600); do
  state=$(api "$base/api/imports/$id")
  status=$(echo "$state" | json '["status"]')
  read_rows=$(echo "$state" | json '["total_rows"]')
  if [ "$status" = running ] && [ "$read_rows" -gt 0 ]; then
    kill -KILL "$pid"
    wait "$pid" 2>/dev/null || true
    pid=""
    killed=yes
    break
  fi
  [ "$status" = completed ] && break
  sleep 0.05
done
[ "$killed" = yes ] || fail "the job ended before the server could be killed ($status)"
echo "killed the server at: $(echo "$state" | json '["phase"]') $(echo "$state" | json '["total_rows"]') read, $(echo "$state" | json '["processed_rows"]') processed"

# Restarted, the server resumes the job at once. SIGTERM while it runs: the server stops
# within its grace period, the job stops after its current batch, still resumable.
start_server
kill -TERM "$pid"
for _ in $(seq 1 600); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
kill -0 "$pid" 2>/dev/null && fail "serve did not stop within 60 s of SIGTERM with an import running"
wait "$pid" || fail "serve exited non-zero after SIGTERM"
pid=""
grep -q "import $id: stopped by shutdown" "$dir/log" ||
  fail "the import was not stopped by the shutdown (did it end before SIGTERM, or fail?)"

start_server
for _ in $(seq 1 1200); do
  state=$(api "$base/api/imports/$id")
  status=$(echo "$state" | json '["status"]')
  [ "$status" = completed ] || [ "$status" = failed ] && break
  sleep 0.1
done
[ "$status" = completed ] || fail "resumed import ended $status: $state"
created=$(echo "$state" | json '["created"]')
failed=$(echo "$state" | json '["failed"]')
skipped=$(echo "$state" | json '["skipped"]')
total=$(echo "$state" | json '["total_rows"]')
[ "$total" = 60000 ] || fail "total_rows $total"
[ "$failed" = 600 ] || fail "failed $failed"
[ $((created + failed + skipped)) = 60000 ] || fail "counts do not add up: $state"
# Every created lead exists exactly once, and no phone twice (one more from the CLI run).
api "$base/api/leads/export.csv" >"$dir/export.csv"
python3 - "$dir/export.csv" "$((created + 1))" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig")))
want = int(sys.argv[2])
phones = [r["phone"].lstrip("'") for r in rows]
assert len(rows) == want, f"{len(rows)} leads exported, {want} expected"
assert len(set(phones)) == len(phones), "a phone was imported twice"
PY
kill -TERM "$pid"
wait "$pid" || fail "serve exited non-zero"
pid=""
echo "import resume: ok ($created created, $skipped skipped, $failed failed)"
