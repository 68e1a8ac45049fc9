#!/usr/bin/env bash
# The web UI end to end: the built UI (web/dist) in Debian's Chromium, driven by
# playwright-core, against the real binary with demo data on its own embedded cluster.
# Builds nothing: `make build` has built the binary and the UI.
#   tests/web_e2e.sh path/to/leadline
# LEADLINE_SCREENSHOTS=DIR keeps the screenshots of the main screens (login, leads, lead
# detail, consent, merge, DNC, imports, connectors) in DIR; by default they go to the temporary directory
# and are removed. LEADLINE_E2E=NAME runs web/e2e/NAME.e2e.mjs only (default: every file).
set -euo pipefail
bin=$1
root=$(cd "$(dirname "$0")/.." && pwd)
fail() { echo "FAIL: $*" >&2; exit 1; }

dist=${LEADLINE_WEB_DIST:-$root/web/dist}
[ -f "$dist/index.html" ] || fail "the web UI is not built ($dist/index.html missing): run make build or npm --prefix web run build"
[ -d "$root/web/node_modules/playwright-core" ] || fail "web dependencies are missing: run scripts/install-deps.sh"
chromium=${LEADLINE_CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || fail "Chromium is missing ($chromium): run scripts/install-deps.sh"
command -v node >/dev/null || fail "node is missing"

dir=$(mktemp -d /tmp/leadline-web-e2e-XXXXXX)
chmod 755 "$dir"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT
unset DATABASE_URL

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve --seed-demo --port "$port" --data-dir "$dir/var" --web-dir "$dist" >"$dir/serve.out" 2>"$dir/serve.log" &
pid=$!
for _ in $(seq 1 300); do
  grep -q "running at" "$dir/serve.out" 2>/dev/null && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
grep -q "running at" "$dir/serve.out" || { cat "$dir/serve.log" >&2; fail "serve did not start"; }
url="http://127.0.0.1:$port"
curl -fsS "$url/" | grep -q '<div id="root">' || fail "the server does not serve the UI at /"

shots=${LEADLINE_SCREENSHOTS:-$dir/screenshots}
if [ -n "${LEADLINE_E2E:-}" ]; then
  files=("$root/web/e2e/$LEADLINE_E2E.e2e.mjs")
  [ -f "${files[0]}" ] || fail "no such end-to-end file: ${files[0]}"
else
  files=("$root"/web/e2e/*.e2e.mjs)
fi
set +e
LEADLINE_URL="$url" LEADLINE_SCREENSHOTS="$shots" LEADLINE_CHROMIUM="$chromium" \
  node --test --test-concurrency=1 "${files[@]}"
code=$?
set -e
if [ "$code" != 0 ]; then
  echo "--- server log (last 40 lines) ---" >&2
  tail -n 40 "$dir/serve.log" >&2 || true
fi

kill -TERM "$pid"
wait "$pid" || fail "serve exited non-zero on SIGTERM"
pid=""
exit "$code"
