#!/usr/bin/env bash
# Installs what rackcell needs on a fresh clone: Lua 5.1/5.3 (the board's VMs, for tests and the
# emulator), socat (the emulator's pseudo-terminal), mosquitto (the gym tests' real broker) and the npm dependencies. Idempotent and quiet
# when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/../.."

missing=()
command -v lua5.1 >/dev/null 2>&1 || missing+=(lua5.1)
command -v lua5.3 >/dev/null 2>&1 || missing+=(lua5.3)
command -v socat >/dev/null 2>&1 || missing+=(socat)
command -v mosquitto_passwd >/dev/null 2>&1 && [ -x /usr/sbin/mosquitto ] || missing+=(mosquitto)
if [ "${RACKCELL_WITH_BROWSER:-0}" = 1 ]; then command -v chromium >/dev/null 2>&1 || missing+=(chromium); fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# npm install (not npm ci) when node_modules is missing or older than the lock file: the registry
# served here lists only some platforms' optional packages (rollup, esbuild), which npm ci rejects
# as an out-of-sync lock; npm install resolves the same locked versions. better-sqlite3 compiles
# from source (its prebuilt download is unreachable): about a minute on 2 cores.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] \
   || [ package.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm dependencies" >&2
  npm install --no-audit --no-fund --loglevel=error >&2
fi
