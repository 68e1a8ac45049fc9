#!/usr/bin/env bash
# End to end through the real binary: embedded cluster, migrations, org create, seed, serve,
# login over HTTP, graceful stop. Uses its own data directory under /tmp.
set -euo pipefail
bin=$1
dir=$(mktemp -d /tmp/leadline-cli-XXXXXX)
chmod 755 "$dir"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT
unset DATABASE_URL
fail() { echo "FAIL: $*" >&2; exit 1; }

# Usage errors exit 2 with one line.
set +e
"$bin" migrate sideways --data-dir "$dir/var" 2>"$dir/err"; code=$?
set -e
[ "$code" = 2 ] || fail "bad argument should exit 2, got $code"
[ "$(wc -l <"$dir/err")" = 1 ] || fail "usage error should be one line: $(cat "$dir/err")"
"$bin" serve --help | grep -q -- '--data-dir' || fail "serve --help"

"$bin" migrate up --data-dir "$dir/var" 2>>"$dir/log"
"$bin" migrate status --data-dir "$dir/var" 2>>"$dir/log" | grep -q "0002.*applied" || fail "migrate status"
out=$("$bin" org create --name "Acme" --admin-email boss@acme.test --admin-password secret-pass-1 --data-dir "$dir/var" 2>>"$dir/log")
echo "$out" | grep -Eq '^\{"organization_id":"[0-9a-f-]{36}","user_id":"[0-9a-f-]{36}","api_key":"llk_[A-Za-z0-9_-]+"\}$' \
  || fail "org create printed: $out"
"$bin" seed --demo --data-dir "$dir/var" 2>>"$dir/log" | grep -q "admin@leadline.demo" || fail "seed --demo"
# Seeding twice changes nothing.
"$bin" seed --demo --data-dir "$dir/var" 2>>"$dir/log" | grep -q "Found existing" || fail "seed twice"

# The server runs from a copy of the binary outside the build tree and the checkout: it must
# need nothing laid out beside it (the phone time zone table is built in).
mkdir "$dir/bin"
cp "$bin" "$dir/bin/leadline"
unset LEADLINE_PHONE_TZ_FILE
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$dir" && exec "$dir/bin/leadline" serve --port "$port" --data-dir "$dir/var" >"$dir/serve.out" 2>"$dir/serve.log") &
pid=$!
for _ in $(seq 1 100); do
  grep -q "running at" "$dir/serve.out" 2>/dev/null && break
  sleep 0.1
done
grep -q "running at http://127.0.0.1:$port/" "$dir/serve.out" || { cat "$dir/log" "$dir/serve.log"; fail "serve did not start"; }
if grep -q "not loaded" "$dir/serve.log"; then cat "$dir/serve.log"; fail "the copied binary lacks data"; fi
curl -fsS "http://127.0.0.1:$port/healthz" | grep -q '"ok"' || fail healthz
token=$(curl -fsS -H 'Content-Type: application/json' \
  -d '{"email":"admin@leadline.demo","password":"leadline-demo"}' \
  "http://127.0.0.1:$port/api/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
curl -fsS -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/me" | grep -q '"Leadline Demo"' || fail "me"
# A CLI command while serve runs reaches the same cluster through its socket.
"$bin" migrate status --data-dir "$dir/var" 2>>"$dir/log" | grep -q "0001" || fail "status while serving"
kill -TERM "$pid"
wait "$pid" || fail "serve exited non-zero on SIGTERM"
pid=""
# The cluster was stopped with the server.
if ls "$dir/var/pgdata/postmaster.pid" 2>/dev/null; then fail "cluster still running after stop"; fi
echo "cli smoke: ok"
