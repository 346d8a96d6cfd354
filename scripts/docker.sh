#!/usr/bin/env bash
# docker.sh — a private dockerd (Debian's docker.io 20.10) for kuryr's libnetwork e2e tests and
# `scripts/up.sh`: its own socket, data/exec roots, default bridge and pid file, so it never
# touches a system dockerd; plus image `kuryr-test/busybox:latest` built from busybox-static and
# imported without any registry.
#
# usage: scripts/docker.sh install|start|stop|restart|status|env|purge
#   start   install if needed, start dockerd (no-op when up), import the image, print env
#   stop    remove this dockerd's containers, stop it (recorded pid only), unmount leftovers,
#           delete its bridge
#   env     print `export DOCKER_HOST=unix://…`
#   purge   stop, then delete the state dir
#
# settings: KURYR_DOCKER_DIR (default /tmp/kuryr-docker), KURYR_DOCKER_BRIDGE (default kb-docker0),
#   KURYR_DOCKER_BIP (default 172.31.250.1/24), KURYR_DOCKER_STORAGE overlay2|vfs (default
#   overlay2, falls back to vfs), KURYR_DOCKER_DEBUG true|false (default true: logs plugin calls).
# Plugin discovery uses dockerd's fixed system dirs: a libnetwork plugin listens on
# /run/docker/plugins/<name>.sock (or writes /etc/docker/plugins/<name>.spec).
set -euo pipefail

DIR=${KURYR_DOCKER_DIR:-/tmp/kuryr-docker}
BRIDGE=${KURYR_DOCKER_BRIDGE:-kb-docker0}
BIP=${KURYR_DOCKER_BIP:-172.31.250.1/24}
STORAGE=${KURYR_DOCKER_STORAGE:-overlay2}
DEBUG=${KURYR_DOCKER_DEBUG:-true}
IMAGE=kuryr-test/busybox:latest
SOCK=$DIR/docker.sock PIDFILE=$DIR/dockerd.pid LOGF=$DIR/dockerd.log
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

log() { echo "[docker.sh] $*" >&2; }
d() { /usr/bin/docker -H "unix://$SOCK" "$@"; }

apt_install() { # PKG...: idempotent, never upgrades, never lets postinst start daemons
  local missing=() p made=0 rc
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  mkdir -p "$DIR"; log "installing ${missing[*]}"
  apt-cache policy "${missing[0]}" 2>/dev/null | grep -q 'Candidate: [0-9]' || apt-get update >>"$DIR/apt.log" 2>&1
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; made=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=900 --no-install-recommends --no-upgrade \
    "${missing[@]}" >>"$DIR/apt.log" 2>&1 && rc=0 || rc=$?
  [ $made = 1 ] && rm -f /usr/sbin/policy-rc.d
  [ $rc = 0 ] || { log "apt-get failed (see $DIR/apt.log)"; exit 1; }
}
# busybox-static: the image needs a static busybox (Debian's `busybox` is dynamic).
cmd_install() { apt_install docker.io containerd runc iptables busybox-static; }

is_up() { [ -s "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null && d version >/dev/null 2>&1; }

write_config() { # STORAGE
  cat >"$DIR/daemon.json" <<EOF
{
  "data-root": "$DIR/data",
  "exec-root": "$DIR/exec",
  "pidfile": "$PIDFILE",
  "hosts": ["unix://$SOCK"],
  "storage-driver": "$1",
  "iptables": false,
  "ip-masq": false,
  "ip-forward": false,
  "bridge": "$BRIDGE",
  "exec-opts": ["native.cgroupdriver=cgroupfs"],
  "userland-proxy": false,
  "log-driver": "json-file",
  "debug": $DEBUG
}
EOF
}

run_dockerd() { # STORAGE -> 0 when the API answers
  local i
  write_config "$1"
  : >"$LOGF"
  setsid /usr/sbin/dockerd --config-file "$DIR/daemon.json" >>"$LOGF" 2>&1 </dev/null &
  echo $! >"$DIR/dockerd.spawned"
  for i in $(seq 1 300); do
    d version >/dev/null 2>&1 && return 0
    kill -0 "$(cat "$DIR/dockerd.spawned")" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

make_image() {
  d image inspect "$IMAGE" >/dev/null 2>&1 && return 0
  local r=$DIR/rootfs
  rm -rf "$r"; mkdir -p "$r"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,var/run}
  cp /bin/busybox "$r/bin/busybox"
  chroot "$r" /bin/busybox --install -s
  echo 'root:x:0:0:root:/root:/bin/sh' >"$r/etc/passwd"; echo 'root:x:0:' >"$r/etc/group"; chmod 1777 "$r/tmp"
  tar -C "$r" -c . | d import -c 'CMD ["/bin/sh"]' - "$IMAGE" >/dev/null
  log "imported $IMAGE"
}

cmd_env() { echo "export DOCKER_HOST=unix://$SOCK"; }

cmd_start() {
  [ "$(id -u)" = 0 ] || { log "must run as root"; exit 1; }
  mkdir -p "$DIR"; chmod 700 "$DIR"
  cmd_install
  if is_up; then log "already running (pid $(cat "$PIDFILE"))"; make_image; cmd_env; return 0; fi
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge; ip addr add "$BIP" dev "$BRIDGE"; ip link set "$BRIDGE" up
  fi
  mkdir -p /run/docker/plugins /etc/docker/plugins
  local t0 storage=$STORAGE; t0=$(date +%s%N)
  if ! run_dockerd "$storage"; then
    kill "$(cat "$DIR/dockerd.spawned")" 2>/dev/null || true
    if [ "$storage" = overlay2 ]; then
      log "dockerd failed with overlay2, retrying with vfs (see $LOGF)"; sleep 1; storage=vfs
      run_dockerd vfs || { tail -20 "$LOGF" >&2; exit 1; }
    else tail -20 "$LOGF" >&2; exit 1; fi
  fi
  log "dockerd up (pid $(cat "$PIDFILE"), storage $storage) in $((($(date +%s%N) - t0) / 1000000)) ms"
  make_image
  cmd_env
}

cmd_stop() {
  local pid i
  if [ -s "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    pid=$(cat "$PIDFILE")
    d ps -aq 2>/dev/null | xargs -r /usr/bin/docker -H "unix://$SOCK" rm -f >/dev/null 2>&1 || true
    kill -TERM "$pid"
    for i in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && { log "dockerd $pid ignored TERM, killing"; kill -KILL "$pid" || true; }
    log "dockerd stopped"
  else
    log "dockerd not running"
  fi
  awk -v d="$DIR/" 'index($2, d) == 1 {print $2}' /proc/self/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  ip link del "$BRIDGE" 2>/dev/null || true
  rm -f "$PIDFILE" "$DIR/dockerd.spawned"
  # containerd-shim dirs dockerd's managed containerd makes outside data-root; only if empty
  rmdir /run/containerd/s /run/containerd/fifo /run/containerd 2>/dev/null || true
}

cmd_status() {
  if is_up; then
    echo "running pid $(cat "$PIDFILE") socket $SOCK"
    d info --format '{{.ServerVersion}} {{.Driver}} {{.CgroupDriver}}'
  else echo "not running"; return 1; fi
}

case ${1:-} in
  install) mkdir -p "$DIR"; cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  restart) cmd_stop; cmd_start ;;
  status) cmd_status ;;
  env) cmd_env ;;
  purge) cmd_stop; rm -rf "$DIR"; log "removed $DIR" ;;
  *) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
