#!/usr/bin/env bash
# kube.sh — a real kube-apiserver (v1.20.2 from Debian bookworm's `kubernetes` source package) on
# Debian's etcd, loopback only, token auth, for kuryr's controller integration tests. Optional
# kube-controller-manager (KURYR_KUBE_CONTROLLERS=1). No kubelet/scheduler: tests set pod status.
#
# usage: scripts/kube.sh install|build|start|stop|restart|status|env|clean|compact
#   build    put kube-apiserver (+controller-manager) into $DIR/bin: unpack prebuilt binaries
#            from KUBE_PREBUILT when given, else compile the Debian source package (~15 min)
#   start    build if needed, make PKI + token, start etcd + apiserver, write $DIR/kubeconfig
#   stop     stop what start started (recorded pids); keeps etcd data
#   env      `export KUBECONFIG=…` (also KURYR_KUBE_URL, KURYR_KUBE_TOKEN_FILE, KURYR_KUBE_CA)
#   compact  compact etcd to its current revision (older resourceVersions → 410 Gone for
#            resources whose watch cache is off); prints the revision
# settings: KURYR_KUBE_DIR (default /tmp/kuryr-kube), KURYR_KUBE_PORT (16443), KURYR_KUBE_ETCD_PORT
#   (23790; peer = +10), KURYR_KUBE_CONTROLLERS 0|1, KUBE_PREBUILT (default: ../shared/k8s/prebuilt
#   beside the checkout when present), KURYR_KUBE_APISERVER_ARGS (extra flags, word-split).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${KURYR_KUBE_DIR:-/tmp/kuryr-kube}
PORT=${KURYR_KUBE_PORT:-16443}
ETCD_PORT=${KURYR_KUBE_ETCD_PORT:-23790}
ETCD_PEER=$((ETCD_PORT + 10))
CONTROLLERS=${KURYR_KUBE_CONTROLLERS:-0}
SVC_CIDR=10.0.0.0/24
if [ -z "${KUBE_PREBUILT:-}" ] && [ -d "$ROOT/../shared/k8s/prebuilt" ]; then KUBE_PREBUILT=$ROOT/../shared/k8s/prebuilt; fi
BIN=$DIR/bin PKI=$DIR/pki RUN=$DIR/run LOG=$DIR/log
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

say() { echo "[kube.sh] $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

apt_install() { # PKG...: idempotent, never upgrades, never lets postinst start daemons
  local missing=() p made=0 rc
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  mkdir -p "$LOG"; say "installing ${missing[*]}"
  apt-cache policy "${missing[0]}" 2>/dev/null | grep -q 'Candidate: [0-9]' || apt-get update >>"$LOG/apt.log" 2>&1
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; made=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=900 --no-install-recommends --no-upgrade \
    "${missing[@]}" >>"$LOG/apt.log" 2>&1 && rc=0 || rc=$?
  [ $made = 1 ] && rm -f /usr/sbin/policy-rc.d
  [ $rc = 0 ] || die "apt-get failed (see $LOG/apt.log)"
}
cmd_install() { apt_install etcd-server etcd-client openssl curl ca-certificates xz-utils python3; }

wanted() { echo kube-apiserver; [ "$CONTROLLERS" = 1 ] && echo kube-controller-manager; return 0; }

# Download the Debian source package with a private apt state (deb-src lines derived from the
# machine's own Debian sources; /etc/apt is not changed).
fetch_source() {
  local a=$DIR/apt codename signed=""
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
  mkdir -p "$a/lists/partial" "$a/cache/archives/partial" "$DIR/src"
  [ -f /usr/share/keyrings/debian-archive-keyring.gpg ] && signed="[signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] "
  apt-get indextargets --format '$(TARGET_OF) $(IDENTIFIER) $(REPO_URI) $(RELEASE) $(COMPONENT)' 2>/dev/null |
    awk -v c="$codename" -v s="$signed" '$1=="deb" && $2=="Packages" && $5=="main" && ($4==c || $4==c"-updates" || $4==c"-security") {print "deb-src " s $3 " " $4 " main"}' |
    sort -u >"$a/sources.list"
  [ -s "$a/sources.list" ] || die "no Debian apt sources to derive deb-src lines from (apt-get update first?)"
  local o=(-o "Dir::Etc::SourceList=$a/sources.list" -o "Dir::Etc::SourceParts=$a/none" -o "Dir::State::Lists=$a/lists"
    -o "Dir::Cache=$a/cache" -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root")
  say "downloading the Debian source package 'kubernetes'"
  apt-get "${o[@]}" -q update >"$LOG/apt-src.log" 2>&1 || true
  (cd "$DIR/src" && apt-get "${o[@]}" -q source --download-only kubernetes >>"$LOG/apt-src.log" 2>&1) || die "apt-get source kubernetes failed (see $LOG/apt-src.log)"
}

compile() { # builds the wanted binaries from source
  apt_install golang-1.19-go golang-github-modern-go-reflect2-dev dpkg-dev make rsync
  local GO=/usr/lib/go-1.19/bin/go tree gp=$DIR/gopath b
  tree=$(find "$DIR/src" -maxdepth 1 -mindepth 1 -type d -name 'kubernetes-*' 2>/dev/null | sort | tail -1)
  if [ -z "$tree" ]; then
    ls "$DIR"/src/kubernetes_*.dsc >/dev/null 2>&1 || fetch_source
    (cd "$DIR/src" && dpkg-source -x "$(ls kubernetes_*.dsc | sort | tail -1)" >"$LOG/dpkg-source.log" 2>&1) || die "dpkg-source -x failed"
    tree=$(find "$DIR/src" -maxdepth 1 -mindepth 1 -type d -name 'kubernetes-*' | sort | tail -1)
  fi
  # The vendored modern-go/reflect2 v1.0.1 compiles with Go 1.18+ but crashes at run time while
  # decoding JSON maps; Debian's packaged v1.0.2 fixes it.
  local r2=$tree/vendor/github.com/modern-go/reflect2
  if [ ! -f "$r2/go_above_118.go" ]; then
    find "$r2" -maxdepth 1 -type f \( -name '*.go' -o -name '*.s' \) -delete
    cp -L /usr/share/gocode/src/github.com/modern-go/reflect2/*.go "$r2/"
  fi
  mkdir -p "$gp/src/k8s.io"; ln -sfn "$tree" "$gp/src/k8s.io/kubernetes"
  local env_=(env GO111MODULE=off GOPATH="$gp" GOFLAGS= GOPROXY=off CGO_ENABLED=0 GOCACHE="$DIR/gocache" PATH="/usr/lib/go-1.19/bin:$PATH" HOME="${HOME:-/root}")
  if [ ! -s "$tree/pkg/generated/openapi/zz_generated.openapi.go" ]; then
    say "generating OpenAPI definitions"
    (cd "$tree" && "${env_[@]}" make gen_openapi >"$LOG/gen_openapi.log" 2>&1) || die "make gen_openapi failed (see $LOG)"
  fi
  local ver commit ldf="-s -w" V
  ver=$(sed -n "s/.*'tag: \(v[0-9][^ ,']*\)'.*/\1/p" "$tree/hack/lib/version.sh" | head -1); ver=${ver:-v1.20.2}
  commit=$(sed -n "s/^ *KUBE_GIT_COMMIT='\([0-9a-f]\{40\}\)'.*/\1/p" "$tree/hack/lib/version.sh" | head -1)
  for V in k8s.io/kubernetes/vendor/k8s.io/component-base/version k8s.io/kubernetes/vendor/k8s.io/client-go/pkg/version; do
    ldf="$ldf -X $V.gitVersion=$ver -X $V.gitMajor=1 -X $V.gitMinor=20 -X $V.gitCommit=$commit -X $V.gitTreeState=archive"
  done
  for b in $(wanted); do
    [ -x "$BIN/$b" ] && continue
    say "compiling $b $ver (~15 min on 2 cores)"
    (cd "$gp/src/k8s.io/kubernetes" && "${env_[@]}" "$GO" build -ldflags "$ldf" -o "$BIN/$b.tmp" "./cmd/$b") >"$LOG/build-$b.log" 2>&1 || die "go build $b failed (see $LOG)"
    mv -f "$BIN/$b.tmp" "$BIN/$b"
  done
}

cmd_build() {
  mkdir -p "$BIN" "$LOG" "$RUN"
  cmd_install
  local b missing=0
  for b in $(wanted); do
    [ -x "$BIN/$b" ] && continue
    if [ -n "${KUBE_PREBUILT:-}" ]; then
      if [ -f "$KUBE_PREBUILT/$b.xz" ]; then xz -dc "$KUBE_PREBUILT/$b.xz" >"$BIN/$b.tmp"
      elif [ -f "$KUBE_PREBUILT/$b.gz" ]; then gzip -dc "$KUBE_PREBUILT/$b.gz" >"$BIN/$b.tmp"
      elif [ -f "$KUBE_PREBUILT/$b" ]; then cp "$KUBE_PREBUILT/$b" "$BIN/$b.tmp"; fi
      [ -s "$BIN/$b.tmp" ] && { chmod 755 "$BIN/$b.tmp"; mv -f "$BIN/$b.tmp" "$BIN/$b"; say "unpacked prebuilt $b"; continue; }
    fi
    missing=1
  done
  [ $missing = 0 ] || compile
}

alive() { local p; [ -s "$RUN/$1.pid" ] && p=$(cat "$RUN/$1.pid") && tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q -- "$2"; }
spawn() { local n=$1; shift; setsid "$@" >"$LOG/$n.log" 2>&1 </dev/null & echo $! >"$RUN/$n.pid"; }
stop_one() {
  local p i
  if alive "$1" "$2"; then
    p=$(cat "$RUN/$1.pid"); kill "$p" 2>/dev/null || true
    for i in $(seq 1 100); do [ -d /proc/"$p" ] || break; sleep 0.1; done
    [ -d /proc/"$p" ] && kill -9 "$p" 2>/dev/null || true
    say "stopped $1 (pid $p)"
  fi
  rm -f "$RUN/$1.pid"
}

make_pki() {
  mkdir -p "$PKI"; chmod 700 "$PKI"
  [ -s "$PKI/token" ] && [ -s "$PKI/apiserver.crt" ] && return 0
  (cd "$PKI"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 -subj "/CN=kuryr-test-kube-ca" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout apiserver.key -out apiserver.csr -subj "/CN=kube-apiserver" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n' >apiserver.ext
    openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out apiserver.crt -days 3650 -extfile apiserver.ext 2>/dev/null
    openssl genrsa -out sa.key 2048 2>/dev/null; openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
    openssl rand -hex 24 >token
    printf '%s,admin,admin-uid,"system:masters"\n' "$(cat token)" >tokens.csv
    chmod 600 ./*.key token tokens.csv)
}

write_kubeconfig() {
  (umask 077; cat >"$DIR/kubeconfig") <<EOF
apiVersion: v1
kind: Config
clusters:
- name: kuryr-test
  cluster:
    server: https://127.0.0.1:$PORT
    certificate-authority-data: $(base64 -w0 <"$PKI/ca.crt")
users:
- name: admin
  user:
    token: $(cat "$PKI/token")
contexts:
- name: kuryr-test
  context: {cluster: kuryr-test, user: admin, namespace: default}
current-context: kuryr-test
EOF
}

api_code() { curl -s -o /dev/null -w '%{http_code}' -m 5 --cacert "$PKI/ca.crt" -H "Authorization: Bearer $(cat "$PKI/token")" "https://127.0.0.1:$PORT$1" 2>/dev/null || true; }
ready() { [ "$(api_code /readyz)" = 200 ] && [ "$(api_code /api/v1/namespaces/default)" = 200 ]; }
etcd_ok() { curl -s -m 2 "http://127.0.0.1:$ETCD_PORT/health" 2>/dev/null | grep -q '"health":"true"'; }
wait_until() { local end=$((SECONDS + $1)); shift; while [ $SECONDS -lt $end ]; do "$@" && return 0; sleep 0.2; done; return 1; }

cmd_env() {
  echo "export KUBECONFIG=$DIR/kubeconfig KURYR_KUBE_URL=https://127.0.0.1:$PORT KURYR_KUBE_TOKEN_FILE=$PKI/token KURYR_KUBE_CA=$PKI/ca.crt"
}

cmd_start() {
  mkdir -p "$RUN" "$LOG"; chmod 700 "$DIR"
  if alive etcd etcd && alive kube-apiserver "$BIN/kube-apiserver" && ready &&
    { [ "$CONTROLLERS" != 1 ] || alive kube-controller-manager "$BIN/kube-controller-manager"; }; then
    write_kubeconfig; say "already running"; cmd_env; return 0
  fi
  local t0=$SECONDS
  cmd_build; make_pki
  if ! alive etcd etcd; then
    mkdir -p "$DIR/etcd"; chmod 700 "$DIR/etcd"
    # etcd refuses to start when an ETCD_* variable shadows one of its flags
    local u=() v
    for v in $(env | sed -n 's/^\(ETCD_[A-Za-z0-9_]*\)=.*/\1/p'); do u+=(-u "$v"); done
    spawn etcd env "${u[@]}" "$(command -v etcd)" --name kuryr-test --data-dir "$DIR/etcd" \
      --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
      --listen-peer-urls "http://127.0.0.1:$ETCD_PEER" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER" \
      --initial-cluster "kuryr-test=http://127.0.0.1:$ETCD_PEER" --initial-cluster-state new --logger zap --log-outputs stderr
    wait_until 30 etcd_ok || { tail -20 "$LOG/etcd.log" >&2; die "etcd did not become healthy"; }
  fi
  if ! alive kube-apiserver "$BIN/kube-apiserver"; then
    local extra=()
    # shellcheck disable=SC2206
    [ -n "${KURYR_KUBE_APISERVER_ARGS:-}" ] && extra=($KURYR_KUBE_APISERVER_ARGS)
    # --advertise-address: endpoints validation rejects loopback; a documentation address
    # nobody connects to gives default/kubernetes Endpoints (serving stays on 127.0.0.1).
    spawn kube-apiserver "$BIN/kube-apiserver" --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
      --bind-address=127.0.0.1 --advertise-address=192.0.2.1 --secure-port="$PORT" \
      --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
      --client-ca-file="$PKI/ca.crt" --token-auth-file="$PKI/tokens.csv" --authorization-mode=AlwaysAllow \
      --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
      --service-account-issuer=https://kubernetes.default.svc.cluster.local --service-cluster-ip-range="$SVC_CIDR" \
      --disable-admission-plugins=ServiceAccount --allow-privileged=true --profiling=false --v=1 "${extra[@]}"
    wait_until 120 ready || { tail -40 "$LOG/kube-apiserver.log" >&2; die "kube-apiserver not ready after 120 s"; }
  fi
  write_kubeconfig
  if [ "$CONTROLLERS" = 1 ] && ! alive kube-controller-manager "$BIN/kube-controller-manager"; then
    spawn kube-controller-manager "$BIN/kube-controller-manager" --kubeconfig="$DIR/kubeconfig" --leader-elect=false \
      --port=0 --secure-port=0 --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
      --use-service-account-credentials=false --service-cluster-ip-range="$SVC_CIDR" \
      --controllers='*,-nodeipam,-nodelifecycle,-cloud-node-lifecycle,-attachdetach,-persistentvolume-binder,-persistentvolume-expander,-pvc-protection,-pv-protection,-ttl,-bootstrapsigner,-tokencleaner,-csrsigning,-csrapproving,-csrcleaner' --v=1
    sleep 1; alive kube-controller-manager "$BIN/kube-controller-manager" || die "kube-controller-manager exited (see $LOG)"
  fi
  say "up on https://127.0.0.1:$PORT in $((SECONDS - t0)) s"
  cmd_env
}

cmd_stop() { stop_one kube-controller-manager kube-controller-manager; stop_one kube-apiserver kube-apiserver; stop_one etcd etcd; }

cmd_status() {
  local n rc=0
  for n in etcd kube-apiserver kube-controller-manager; do
    if alive "$n" "$n"; then echo "$n: running (pid $(cat "$RUN/$n.pid"))"; else echo "$n: stopped"; [ $n = kube-controller-manager ] || rc=1; fi
  done
  [ -f "$PKI/token" ] && echo "readyz: $(api_code /readyz)"
  return $rc
}

cmd_compact() {
  apt_install etcd-client
  local rev
  rev=$(ETCDCTL_API=3 etcdctl --endpoints="127.0.0.1:$ETCD_PORT" endpoint status -w json | sed -n 's/.*"revision":\([0-9]*\).*/\1/p')
  [ -n "$rev" ] || die "cannot read the etcd revision"
  ETCDCTL_API=3 etcdctl --endpoints="127.0.0.1:$ETCD_PORT" compact "$rev" >&2
  echo "$rev"
}

case ${1:-} in
  install) mkdir -p "$LOG"; cmd_install ;;
  build) cmd_build ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  restart) cmd_stop; cmd_start ;;
  status) cmd_status ;;
  env) cmd_env ;;
  clean) cmd_stop; rm -rf "$DIR/etcd" "$PKI" "$LOG" "$RUN" "$DIR/kubeconfig" ;;
  compact) mkdir -p "$LOG"; cmd_compact ;;
  *) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
