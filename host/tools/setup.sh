#!/usr/bin/env bash
# Installs what rackcell needs on a fresh clone: Lua 5.1/5.3 (the board's VMs, for tests and the
# emulator), socat (the emulator's pseudo-terminal) and the npm dependencies. Idempotent and quiet
# when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/../.."

sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
apt_get() { DEBIAN_FRONTEND=noninteractive $sudo apt-get -qq -o DPkg::Lock::Timeout=300 "$@"; }

# The board's VMs, cached in .rackcell/lua32 (host/testing/lua-vms.ts is the one place that says
# where each is): Debian's 32-bit Lua 5.1 (i386: pointers, tables and strings the ESP8266's size,
# so heap figures are read, not scaled) and a Lua 5.3 built from Debian's source with NodeMCU's
# numbers (LUA_32BITS: 32-bit integers, single floats printed with %.7g). About 12 s on a clean
# machine (download, unpack, one compile); RECIPE changes when this recipe does, so an old cache
# is rebuilt.
LUA32=.rackcell/lua32
RECIPE="lua5.1:i386 + lua5.3 LUA_32BITS COMPAT_5_2 v2"
lua32_ok() {
  [ "$(cat "$LUA32/recipe" 2>/dev/null)" = "$RECIPE" ] || return 1
  [ "$(LD_LIBRARY_PATH="$LUA32/lua5.1/lib/i386-linux-gnu:$LUA32/lua5.1/usr/lib/i386-linux-gnu" \
        "$LUA32/lua5.1/usr/bin/lua5.1" -e 'io.write(string.format("%d", 2^31))' 2>/dev/null)" = -2147483648 ] || return 1
  [ "$("$LUA32/lua5.3/lua" -e 'io.write(tostring(1/3), " ", math.maxinteger)' 2>/dev/null)" = "0.3333333 2147483647" ]
}

missing=()
command -v lua5.1 >/dev/null 2>&1 || missing+=(lua5.1)
command -v lua5.3 >/dev/null 2>&1 || missing+=(lua5.3)
command -v socat >/dev/null 2>&1 || missing+=(socat)
if [ "${RACKCELL_WITH_BROWSER:-0}" = 1 ]; then command -v chromium >/dev/null 2>&1 || missing+=(chromium); fi
need_lua32=0
lua32_ok || need_lua32=1
if [ $need_lua32 = 1 ]; then
  [ -e /lib/ld-linux.so.2 ] || missing+=(libc6-i386)   # the i386 loader and libc
  command -v cc >/dev/null 2>&1 || missing+=(gcc libc6-dev)
  command -v dpkg-source >/dev/null 2>&1 || missing+=(dpkg-dev)  # apt-get source unpacks with it
fi

if [ $need_lua32 = 1 ]; then
  echo "setup: fetching the 32-bit Lua VMs into $LUA32" >&2
  if ! dpkg --print-foreign-architectures | grep -qx i386; then $sudo dpkg --add-architecture i386; fi
  # apt-get source needs a deb-src line for the suite this machine runs (same mirror as its deb line).
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  if ! apt-get indextargets --format '$(CODENAME)' 'Created-By: Sources' 2>/dev/null | grep -qx "$codename"; then
    uri=$(apt-get indextargets --format '$(REPO_URI) $(CODENAME)' 'Created-By: Packages' | awk -v c="$codename" '$2 == c { print $1; exit }')
    [ -n "$uri" ] || { echo "setup: no apt source for the suite '$codename' to add a deb-src line to" >&2; exit 1; }
    printf 'Types: deb-src\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" "$codename" \
      | $sudo tee /etc/apt/sources.list.d/rackcell-deb-src.sources >/dev/null
  fi
  apt_get update >/dev/null # also when nothing was added: the i386 lists may be stale or cleaned
elif [ ${#missing[@]} -gt 0 ]; then
  apt_get update >/dev/null
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  apt_get install -y "${missing[@]}" >/dev/null
fi

if [ $need_lua32 = 1 ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  # apt-get download/source write as the invoking user (root only drops to _apt when it can).
  sandbox=()
  [ "$(id -u)" = 0 ] && sandbox=(-o APT::Sandbox::User=root)
  # (apt-get source checks the files against the signed Sources index; dpkg-source's own "no
  # public key" note about the .dsc signature is noise, so its output goes to a log shown on failure)
  ( cd "$work" && apt-get -qq "${sandbox[@]}" download lua5.1:i386 liblua5.1-0:i386 libreadline8:i386 libtinfo6:i386 \
      && apt-get -qq "${sandbox[@]}" source lua5.3 >"$work/source.log" 2>&1 ) \
    || { cat "$work/source.log" 2>/dev/null >&2; echo "setup: could not fetch the Lua packages from apt" >&2; exit 1; }
  mkdir -p "$work/out/lua5.1" "$work/out/lua5.3"
  for deb in "$work"/*.deb; do dpkg -x "$deb" "$work/out/lua5.1"; done
  rm -rf "$work/out/lua5.1/usr/share"
  src=$(echo "$work"/lua5.3-*/src)
  # Debian's luaconf.h patch includes this header (its module search paths); its build writes it.
  echo "#define DEB_HOST_MULTIARCH \"$(cc -print-multiarch)\"" >"$src/lua5.3-deb-multiarch.h"
  # The stand-alone interpreter only (no luac, no C modules: package.cpath is empty under the
  # NodeMCU profile); LUA_COMPAT_5_2 as Debian's own lua5.3 is built.
  cc -O2 -std=gnu99 -DLUA_32BITS -DLUA_COMPAT_5_2 -DLUA_USE_POSIX -o "$work/out/lua5.3/lua" \
    $(ls "$src"/*.c | grep -v '/luac\.c$') -lm 2>"$work/cc.log" || { tail -20 "$work/cc.log" >&2; exit 1; }
  echo "$RECIPE" >"$work/out/recipe"
  rm -rf "$LUA32"
  mkdir -p "$(dirname "$LUA32")"
  mv "$work/out" "$LUA32"
  lua32_ok || { echo "setup: the VMs in $LUA32 do not have the board's number and pointer sizes" >&2; exit 1; }
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
