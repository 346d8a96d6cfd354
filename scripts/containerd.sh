#!/usr/bin/env bash
# containerd.sh — a private containerd 1.6 (Debian) with the local image
# `localhost/kuryr-test/busybox:latest` (an OCI archive assembled here: no registry), and wrappers
#   $KURYR_CONTAINERD_DIR/bin/ctr      ctr on our socket, namespace kuryr
#   $KURYR_CONTAINERD_DIR/bin/ctr-cni  the same inside a private mount namespace in which
#        /etc/cni/net.d is $DIR/cni/net.d and /opt/cni/bin is $DIR/cni/bin: `ctr run --cni`
#        has no flags for either and takes the FIRST config file (by name) of /etc/cni/net.d.
#        e.g. ctr-cni run --rm --cni localhost/kuryr-test/busybox:latest c1 ip addr
#        (plugins get CNI_PATH=/opt/cni/bin:/usr/lib/cni, so reference plugins need no links)
#
# usage: scripts/containerd.sh install|start|stop|status|env|purge
# settings: KURYR_CONTAINERD_DIR (default /tmp/kuryr-containerd)
# NB: containerd 1.6 always uses /run/containerd/{s,fifo,runc/<ns>} for shims and runc state;
# `stop` removes those dirs again when they are empty.
set -euo pipefail

DIR=${KURYR_CONTAINERD_DIR:-/tmp/kuryr-containerd}
SOCK=$DIR/containerd.sock PIDFILE=$DIR/containerd.pid NS=kuryr
IMAGE=localhost/kuryr-test/busybox:latest
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

log() { echo "[containerd.sh] $*" >&2; }
c() { ctr -a "$SOCK" -n $NS "$@"; }

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
cmd_install() { apt_install containerd runc containernetworking-plugins busybox-static; }

is_up() { [ -s "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null && c version >/dev/null 2>&1; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

# oci_archive OUT: OCI image layout (one uncompressed layer: a busybox-static rootfs) as a tar
oci_archive() {
  local w=$DIR/oci r=$DIR/rootfs l c m ls cs ms
  rm -rf "$w" "$r"; mkdir -p "$w/blobs/sha256" "$r"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,var/run}
  cp /bin/busybox "$r/bin/busybox"; chroot "$r" /bin/busybox --install -s
  echo 'root:x:0:0:root:/root:/bin/sh' >"$r/etc/passwd"; echo 'root:x:0:' >"$r/etc/group"; chmod 1777 "$r/tmp"
  tar -C "$r" --numeric-owner -cf "$w/layer" .
  l=$(sha "$w/layer"); ls=$(stat -c %s "$w/layer"); mv "$w/layer" "$w/blobs/sha256/$l"
  printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["/bin/sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$l" >"$w/config"
  c=$(sha "$w/config"); cs=$(stat -c %s "$w/config"); mv "$w/config" "$w/blobs/sha256/$c"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' "$c" "$cs" "$l" "$ls" >"$w/manifest"
  m=$(sha "$w/manifest"); ms=$(stat -c %s "$w/manifest"); mv "$w/manifest" "$w/blobs/sha256/$m"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"%s"}}]}' "$m" "$ms" "$IMAGE" >"$w/index.json"
  echo '{"imageLayoutVersion":"1.0.0"}' >"$w/oci-layout"
  tar -C "$w" -cf "$1" oci-layout index.json blobs
}

write_files() {
  mkdir -p "$DIR"/{bin,root,state,opt,cni/net.d,cni/bin}
  cat >"$DIR/config.toml" <<EOF
version = 2
root = "$DIR/root"
state = "$DIR/state"
[grpc]
  address = "$SOCK"
[plugins."io.containerd.internal.v1.opt"]
  path = "$DIR/opt"
[plugins."io.containerd.grpc.v1.cri".cni]
  bin_dir = "$DIR/cni/bin"
  conf_dir = "$DIR/cni/net.d"
EOF
  cat >"$DIR/bin/ctr" <<EOF
#!/bin/sh
exec /usr/bin/ctr -a "$SOCK" -n $NS "\$@"
EOF
  # private mount namespace: the bind mounts are invisible to the rest of the machine
  cat >"$DIR/bin/ctr-cni" <<EOF
#!/bin/bash
exec unshare -m --propagation private bash -c '
  mount --bind "$DIR/cni/net.d" /etc/cni/net.d &&
  mount -t tmpfs kuryr-opt /opt && mkdir -p /opt/cni/bin && mount --bind "$DIR/cni/bin" /opt/cni/bin &&
  exec /usr/bin/ctr -a "$SOCK" -n $NS "\$@"' ctr-cni "\$@"
EOF
  chmod +x "$DIR/bin/ctr" "$DIR/bin/ctr-cni"
  [ -d /etc/cni/net.d ] || mkdir -p /etc/cni/net.d # bind-mount target only
}

cmd_env() {
  echo "export PATH=\"$DIR/bin:\$PATH\" KURYR_CONTAINERD_SOCK=\"$SOCK\"   # ctr / ctr-cni wrappers"
  echo "export KURYR_CONTAINERD_CNI_CONF_DIR=\"$DIR/cni/net.d\" KURYR_CONTAINERD_CNI_BIN_DIR=\"$DIR/cni/bin\""
}

cmd_start() {
  [ "$(id -u)" = 0 ] || { log "must run as root"; exit 1; }
  mkdir -p "$DIR"; chmod 700 "$DIR"
  cmd_install; write_files
  if is_up; then log "already running (pid $(cat "$PIDFILE"))"; else
    local t0 i; t0=$(date +%s%N)
    setsid /usr/bin/containerd --config "$DIR/config.toml" >"$DIR/containerd.log" 2>&1 </dev/null &
    echo $! >"$PIDFILE"
    for i in $(seq 1 300); do c version >/dev/null 2>&1 && break; sleep 0.1; done
    is_up || { log "containerd failed:"; tail -20 "$DIR/containerd.log" >&2; exit 1; }
    log "containerd up (pid $(cat "$PIDFILE")) in $((($(date +%s%N) - t0) / 1000000)) ms"
  fi
  if ! c images ls -q 2>/dev/null | grep -qx "$IMAGE"; then
    oci_archive "$DIR/busybox-oci.tar"; c images import "$DIR/busybox-oci.tar" >/dev/null; log "imported $IMAGE"
  fi
  cmd_env
}

cmd_stop() {
  local id pid i
  if is_up; then
    for id in $(c tasks ls -q 2>/dev/null); do c tasks kill -s KILL "$id" >/dev/null 2>&1 || true; done
    sleep 0.5
    for id in $(c containers ls -q 2>/dev/null); do c tasks rm -f "$id" >/dev/null 2>&1 || true; c containers rm "$id" >/dev/null 2>&1 || true; done
  fi
  if [ -s "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    pid=$(cat "$PIDFILE"); kill -TERM "$pid"
    for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" || true
    log "containerd stopped"
  fi
  rm -f "$PIDFILE"
  awk -v d="$DIR/" 'index($2, d) == 1 {print $2}' /proc/self/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  rmdir /run/containerd/runc/$NS /run/containerd/runc /run/containerd/s /run/containerd/fifo /run/containerd 2>/dev/null || true
}

case ${1:-} in
  install) mkdir -p "$DIR"; cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) if is_up; then echo "running pid $(cat "$PIDFILE") socket $SOCK"; c images ls -q; else echo "not running"; exit 1; fi ;;
  env) cmd_env ;;
  purge) cmd_stop; rm -rf "$DIR"; log "removed $DIR" ;;
  *) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
