#!/usr/bin/env bash
# `leadline bench-data` at tiny scale against its own embedded cluster: exact row counts,
# triggers and indexes restored after the bulk load, consistent references, tenant
# visibility through leadline_app and the API, and a refusal to load twice.
set -euo pipefail
bin=$1
dir=$(mktemp -d /tmp/leadline-bench-smoke-XXXXXX)
chmod 755 "$dir"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT
unset DATABASE_URL
fail() {
  echo "FAIL: $*" >&2
  tail -20 "$dir/log" >&2 || true
  exit 1
}

"$bin" bench-data --help | grep -q -- '--leads' || fail "bench-data --help"
set +e
"$bin" bench-data --leads 0 --data-dir "$dir/var" 2>"$dir/err"; code=$?
set -e
[ "$code" = 2 ] || fail "--leads 0 should exit 2, got $code"

# The server owns the cluster; bench-data reaches it through its socket.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve --port "$port" --data-dir "$dir/var" >"$dir/serve.out" 2>>"$dir/log" &
pid=$!
for _ in $(seq 1 300); do
  grep -q "running at" "$dir/serve.out" 2>/dev/null && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
grep -q "running at" "$dir/serve.out" || fail "serve did not start"

# 3 organizations: 400 leads in the large one, 4 in each other one.
out=$("$bin" bench-data --orgs 3 --leads 400 --history 3000 --audit 2000 --seed 5 \
  --sample-ids 50 --data-dir "$dir/var" 2>>"$dir/log") || fail "bench-data failed"
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$out" "$1"; }
[ "$(field leads)" = 408 ] || fail "summary leads: $out"
[ "$(field status_history)" = 3000 ] || fail "summary history: $out"
[ "$(field audit)" = 2000 ] || fail "summary audit: $out"
[ "$(field bench_ids)" = 50 ] || fail "summary bench_ids: $out"
org=$(field organization_id)
key=$(field api_key)

q() { psql -X -q -At -v ON_ERROR_STOP=1 -h "$dir/var/run" -p 5432 -U postgres -d leadline -c "$1"; }
expect() {  # description, SQL, expected value
  local got
  got=$(q "$2") || fail "$1: query failed"
  [ "$got" = "$3" ] || fail "$1: expected $3, got $got"
}
expect "organizations" "SELECT count(*) FROM organizations WHERE name LIKE 'Bench Realty %'" 3
expect "users (admin, manager, 25 + 3 + 3 agents)" "SELECT count(*) FROM users WHERE email LIKE '%.bench.test'" 37
expect "leads" "SELECT count(*) FROM leads" 408
expect "status history" "SELECT count(*) FROM lead_status_history" 3000
expect "audit log" "SELECT count(*) FROM lead_audit_log" 2000
expect "history rows without their lead" \
  "SELECT count(*) FROM lead_status_history h LEFT JOIN leads l ON l.organization_id = h.organization_id AND l.id = h.lead_id WHERE l.id IS NULL" 0
expect "audit rows without their lead" \
  "SELECT count(*) FROM lead_audit_log a LEFT JOIN leads l ON l.organization_id = a.organization_id AND l.id = a.lead_id WHERE l.id IS NULL" 0
expect "assignees outside the organization" \
  "SELECT count(*) FROM leads l WHERE assigned_to IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users u WHERE u.organization_id = l.organization_id AND u.id = l.assigned_to)" 0
expect "unknown time zones" \
  "SELECT count(*) FROM leads l WHERE timezone IS NOT NULL AND NOT EXISTS (SELECT 1 FROM iana_time_zones z WHERE z.name = l.timezone)" 0
expect "statuses that differ from the last history row" \
  "SELECT count(*) FROM leads l JOIN LATERAL (SELECT to_status FROM lead_status_history h WHERE h.organization_id = l.organization_id AND h.lead_id = l.id ORDER BY changed_at DESC LIMIT 1) last ON true WHERE last.to_status <> l.status" 0
expect "leads triggers enabled again" \
  "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'leads'::regclass AND tgenabled <> 'O'" 0
expect "secondary indexes rebuilt" \
  "SELECT count(*) FROM pg_indexes WHERE indexname IN ('leads_created_idx', 'leads_search_idx', 'leads_tags_idx', 'leads_phone_key', 'lead_status_history_funnel_idx', 'lead_audit_log_lead_idx')" 6
expect "tag counts rebuilt from the loaded leads" \
  "SELECT (SELECT count(*) FROM lead_tag_counts) > 0 AND NOT EXISTS (
     (SELECT organization_id, assigned_to, tag, count FROM lead_tag_counts
      EXCEPT SELECT l.organization_id, l.assigned_to, t.tag, count(*) FROM leads l,
        LATERAL (SELECT DISTINCT unnest(l.tags) AS tag) t WHERE l.deleted_at IS NULL
        GROUP BY 1, 2, 3)
     UNION ALL
     (SELECT l.organization_id, l.assigned_to, t.tag, count(*) FROM leads l,
        LATERAL (SELECT DISTINCT unnest(l.tags) AS tag) t WHERE l.deleted_at IS NULL
        GROUP BY 1, 2, 3
      EXCEPT SELECT organization_id, assigned_to, tag, count FROM lead_tag_counts))
   AND NOT EXISTS (SELECT 1 FROM lead_tag_count_deltas)" t
expect "tenant view through leadline_app" \
  "BEGIN; SET LOCAL ROLE leadline_app; SELECT set_config('app.organization_id', '$org', true) IS NOT NULL; SELECT count(*) FROM leads; COMMIT" "t
400"

# The API sees the loaded data with the printed key.
id=$(q "SELECT id FROM bench_ids WHERE n = 1")
curl -fsS -H "Authorization: Bearer $key" "http://127.0.0.1:$port/api/leads/$id" | grep -q "\"$id\"" \
  || fail "GET /api/leads/$id with the bench API key"

# Loading twice is refused and changes nothing.
set +e
"$bin" bench-data --orgs 3 --leads 400 --data-dir "$dir/var" >/dev/null 2>"$dir/err"; code=$?
set -e
[ "$code" = 1 ] && grep -q "already loaded" "$dir/err" || fail "second load: exit $code, $(cat "$dir/err")"
expect "leads after the refused load" "SELECT count(*) FROM leads" 408

kill -TERM "$pid"
wait "$pid" || fail "serve exited non-zero on SIGTERM"
pid=""
echo "bench smoke: ok"
