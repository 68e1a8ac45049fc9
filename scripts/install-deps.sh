#!/usr/bin/env bash
# Installs what building, running and testing Leadline needs on Debian 12, and nothing that
# is already there. Safe to run again; works as root or as a user with sudo.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config ccache git curl python3
  libboost-dev libboost-system-dev libpq-dev libsimdjson-dev libphonenumber-dev libcctz-dev
  zlib1g-dev libexpat1-dev libcurl4-openssl-dev libsodium-dev libcli11-dev libspdlog-dev libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev
  postgresql-15 postgresql-contrib tzdata
  chromium
)
# Extra groups: LEADLINE_DEPS="bench" adds the load generator.
for group in ${LEADLINE_DEPS:-}; do
  case "$group" in
    bench) packages+=(wrk postgresql-contrib) ;;
  esac
done

if [ "$(id -u)" = 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "install-deps: need root or sudo to install: ${packages[*]}" >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The web UI's packages, once it exists.
if [ -f web/package.json ]; then
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "install-deps: Node.js 20.19 or newer (with npm) is required to build the web UI" >&2
    exit 1
  fi
  # Vite 7 needs Node.js 20.19+ (or 22.12+).
  node_version=$(node --version | sed 's/^v//')
  IFS=. read -r node_major node_minor _ <<<"$node_version"
  if [ "$node_major" -lt 20 ] || { [ "$node_major" = 20 ] && [ "$node_minor" -lt 19 ]; }; then
    echo "install-deps: Node.js $node_version is too old for the web UI: 20.19 or newer is required" >&2
    exit 1
  fi
  if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
    (cd web && npm ci --no-audit --no-fund)
  fi
fi
