#!/usr/bin/env bash
# cniclient.sh — build test/tools/cniclient (kuryr's libcni-based CNI client) offline against
# Debian's golang-github-appc-cni-dev, to $KURYR_RT_BIN/kuryr-cniclient (default
# /tmp/kuryr-rt/bin). Rebuilds only when main.go is newer than the binary; prints its path.
#
# usage: scripts/cniclient.sh [install|build|path]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN_DIR=${KURYR_RT_BIN:-/tmp/kuryr-rt/bin}
OUT=$BIN_DIR/kuryr-cniclient
SRC=test/tools/cniclient/main.go
export PATH=/usr/lib/go/bin:/usr/sbin:/usr/bin:/sbin:/bin

install_pkgs() {
  local missing=() p made=0 rc
  for p in golang-go golang-github-appc-cni-dev containernetworking-plugins; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  mkdir -p "$BIN_DIR"
  apt-cache policy "${missing[0]}" 2>/dev/null | grep -q 'Candidate: [0-9]' || apt-get update >>"$BIN_DIR/apt.log" 2>&1
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; made=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=900 --no-install-recommends --no-upgrade \
    "${missing[@]}" >>"$BIN_DIR/apt.log" 2>&1 && rc=0 || rc=$?
  [ $made = 1 ] && rm -f /usr/sbin/policy-rc.d
  [ $rc = 0 ] || { echo "apt-get failed (see $BIN_DIR/apt.log)" >&2; exit 1; }
}

build() {
  install_pkgs
  mkdir -p "$BIN_DIR"
  if [ ! -x "$OUT" ] || [ "$SRC" -nt "$OUT" ]; then
    local tmp; tmp=$(mktemp -d)
    # GOPATH mode: Debian's -dev packages put the sources under /usr/share/gocode; no network.
    GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$tmp/cache" GOFLAGS= CGO_ENABLED=0 \
      go build -o "$OUT.tmp" "$SRC"
    mv "$OUT.tmp" "$OUT"; rm -rf "$tmp"
  fi
  echo "$OUT"
}

case ${1:-build} in
  install) install_pkgs ;;
  build) build ;;
  path) echo "$OUT" ;;
  *) echo "usage: $0 [install|build|path]" >&2; exit 2 ;;
esac
