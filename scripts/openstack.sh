#!/usr/bin/env bash
# openstack.sh — kuryr's own real, local OpenStack for integration tests and `scripts/up.sh`.
#
# Debian 12 (bookworm) packages of OpenStack Zed, run by hand (no systemd), loopback only:
#   MariaDB (unix socket only) · RabbitMQ · Keystone (uwsgi) · neutron-server (ML2) with real
#   L2 agents (linuxbridge and/or Open vSwitch on the userspace "netdev" datapath) ·
#   Octavia api + worker with the no-op amphora/compute/network drivers.
#
# usage: scripts/openstack.sh install|start|stop|restart|status|env|smoke|purge
#   install  apt-get the packages the chosen settings need (idempotent, --no-upgrade)
#   start    write configs, start what is not running, wait, write env.sh + clouds.yaml
#   stop     stop only the processes recorded under $KURYR_OS_DIR/run (and their children)
#   status   one line per service, HTTP probes, then env.sh
#   env      print the export lines (source them: `. "$KURYR_OS_DIR/env.sh"`)
#   smoke    exercise the API the way kuryr does, bind ports on every agent host, plug them
#            into netns and ping; prints `N passed, N failed`
#   purge    stop, then delete $KURYR_OS_DIR
#   restart-svc NAME...  stop just these services (names as in status), then start (the rest
#            keeps running: e.g. `restart-svc keystone octavia-api` after a config change)
#
# settings (environment):
#   KURYR_OS_DIR       state dir: configs, databases, logs, pids        (default /tmp/kuryr-os)
#   KURYR_OS_AUTH      keystone | noauth                                  (default keystone)
#   KURYR_OS_AGENT     both | linuxbridge | ovs | none                    (default both)
#                      both = linuxbridge agent on host $KURYR_OS_HOST and OVS agent on
#                      host ${KURYR_OS_HOST}-ovs; none = API only (binding fails)
#   KURYR_OS_OCTAVIA   0 | 1                                              (default 1)
#   KURYR_OS_HOST      binding:host_id of the linuxbridge agent (default: hostname)
#   KURYR_OS_PASSWORD  password of every account the script creates      (default kuryrsecret)
#   KURYR_OS_TOKEN_EXPIRATION        [token] expiration of the main Keystone, s   (default 86400)
#   KURYR_OS_SHORT_TOKEN_EXPIRATION  expiration of tokens issued by the second,
#                      "short-lived" Keystone on :5001 (same DB and keys), s     (default 20)
#   KURYR_OS_OVS_TUNNEL_IP  VXLAN endpoint of the OVS agent in "both" mode, put on lo  (default 127.0.0.2)
#   KURYR_OS_DEBUG     true | false: debug logging of the services       (default false)
#   KURYR_OS_OVS_FIREWALL  openvswitch | noop: security-group driver of the OVS agent
#                      (default openvswitch: ports on the OVS host get their security groups
#                      enforced with OpenFlow + userspace conntrack; the linuxbridge host is noop)
#
# ports: 5000 Keystone, 5001 Keystone short-lived tokens, 9696 Neutron, 9697 Neutron noauth,
#        9876 Octavia, 9877 Octavia noauth, 5672/25672/4369 RabbitMQ, 6633 OVS agent OpenFlow.
set -u -o pipefail

D=${KURYR_OS_DIR:-/tmp/kuryr-os}
AUTH=${KURYR_OS_AUTH:-keystone}
AGENT=${KURYR_OS_AGENT:-both}
OCTAVIA=${KURYR_OS_OCTAVIA:-1}
HOST_=${KURYR_OS_HOST:-$(hostname)}
OVS_HOST=${HOST_}-ovs
PW=${KURYR_OS_PASSWORD:-kuryrsecret}
TOKEN_EXP=${KURYR_OS_TOKEN_EXPIRATION:-86400}
SHORT_EXP=${KURYR_OS_SHORT_TOKEN_EXPIRATION:-20}
DEBUG=${KURYR_OS_DEBUG:-false}
OVS_FIREWALL=${KURYR_OS_OVS_FIREWALL:-openvswitch}
KS_PORT=5000 KS_SHORT_PORT=5001 NT_PORT=9696 NT_NOAUTH_PORT=9697 OC_PORT=9876 OC_NOAUTH_PORT=9877
RABBIT_PORT=5672
OVS_TEP=${KURYR_OS_OVS_TUNNEL_IP:-127.0.0.2}
KEYSTONE_URL=http://127.0.0.1:$KS_PORT
KEYSTONE_SHORT_URL=http://127.0.0.1:$KS_SHORT_PORT
NEUTRON_URL=http://127.0.0.1:$NT_PORT
NEUTRON_NOAUTH_URL=http://127.0.0.1:$NT_NOAUTH_PORT
OCTAVIA_URL=http://127.0.0.1:$OC_PORT
OCTAVIA_NOAUTH_URL=http://127.0.0.1:$OC_NOAUTH_PORT
RUN=$D/run LOG=$D/log
SOCK=$D/mysql/mysqld.sock
export OVS_RUNDIR=$D/ovs/run OVS_DBDIR=$D/ovs/db OVS_LOGDIR=$D/log
# The services are Debian's python3 programs: keep pyenv/venv pythons out of PATH.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

case $AUTH in keystone | noauth) ;; *) echo "KURYR_OS_AUTH must be keystone or noauth" >&2; exit 2 ;; esac
case $AGENT in both | linuxbridge | ovs | none) ;; *) echo "KURYR_OS_AGENT must be both, linuxbridge, ovs or none" >&2; exit 2 ;; esac
case $OVS_FIREWALL in openvswitch | noop) ;; *) echo "KURYR_OS_OVS_FIREWALL must be openvswitch or noop" >&2; exit 2 ;; esac

log() { printf '[openstack %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now() { date +%s.%N; }
since() { printf '%.1f' "$(echo "$(now) - $1" | bc)"; }
has_lb() { [ "$AGENT" = both ] || [ "$AGENT" = linuxbridge ]; }
has_ovs() { [ "$AGENT" = both ] || [ "$AGENT" = ovs ]; }
uses_rabbit() { [ "$AGENT" != none ] || [ "$OCTAVIA" = 1 ]; }

# ---------------------------------------------------------------- packages
packages() {
  local p="mariadb-server python3-pymysql neutron-server curl jq bc iproute2 procps openssl iputils-ping"
  if [ "${KURYR_OS_ALL_PACKAGES:-0}" = 1 ]; then AGENT=both OCTAVIA=1 AUTH=keystone; fi
  uses_rabbit && p="$p rabbitmq-server"
  has_lb && p="$p neutron-linuxbridge-agent bridge-utils"
  has_ovs && p="$p openvswitch-switch neutron-openvswitch-agent"
  [ "$AUTH" = keystone ] && p="$p keystone python3-keystonemiddleware uwsgi-core uwsgi-plugin-python3"
  [ "$OCTAVIA" = 1 ] && p="$p octavia-api octavia-worker uwsgi-core uwsgi-plugin-python3"
  echo "$p"
}

# apt_install LOGFILE PKG...: idempotent install that never upgrades and never lets the
# maintainer scripts start system-wide daemons (policy-rc.d answering 101 = "not allowed").
apt_install() {
  local logf=$1 made=0 rc missing=() p; shift
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! apt-cache policy "${missing[0]}" 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    apt-get update -o DPkg::Lock::Timeout=900 >>"$logf" 2>&1 || return 1
  fi
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; made=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=900 \
    --no-install-recommends --no-upgrade "${missing[@]}" >>"$logf" 2>&1
  rc=$?
  [ $made = 1 ] && rm -f /usr/sbin/policy-rc.d
  return $rc
}

cmd_install() {
  mkdir -p "$LOG"
  local t0; t0=$(now)
  # shellcheck disable=SC2046
  apt_install "$LOG/install.log" $(packages) || die "apt-get install failed (see $LOG/install.log)"
  log "install done in $(since "$t0")s"
}

need() { for b in "$@"; do command -v "$b" >/dev/null 2>&1 || die "$b missing: run '$0 install' with the same KURYR_OS_* settings"; done; }

# ---------------------------------------------------------------- processes
pid_of() { local f=$RUN/$1.pid; [ -s "$f" ] && cat "$f"; }
alive() { local p; p=$(pid_of "$1") || return 1; [ -n "$p" ] && kill -0 "$p" 2>/dev/null && ! grep -q '^State:.*Z' /proc/"$p"/status 2>/dev/null; }
tree_pids() { local c; echo "$1"; for c in $(pgrep -P "$1" 2>/dev/null); do tree_pids "$c"; done; }

# spawn NAME CMD...: start CMD in its own session in the background, record its PID.
spawn() {
  local name=$1; shift
  if alive "$name"; then log "$name already running (pid $(pid_of "$name"))"; return 0; fi
  nohup setsid "$@" >>"$LOG/$name.out" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
}

# stop_svcs NAME...: TERM them all at once, give them 10 s, then KILL what is left of their
# process trees (children included: uwsgi workers, rabbitmq's beam, agents' helpers).
stop_svcs() {
  local name p pids="" mains="" i q
  for name in "$@"; do
    p=$(pid_of "$name") || continue
    if [ -z "$p" ] || ! kill -0 "$p" 2>/dev/null; then rm -f "$RUN/$name.pid"; continue; fi
    pids="$pids $(tree_pids "$p")"; mains="$mains $p"
    kill -TERM "$p" 2>/dev/null
  done
  for i in $(seq 1 40); do
    q=0
    for p in $mains; do kill -0 "$p" 2>/dev/null && ! grep -q '^State:.*Z' /proc/"$p"/status 2>/dev/null && q=1; done
    [ $q = 0 ] && break
    sleep 0.25
  done
  for p in $pids; do kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null; done
  for name in "$@"; do
    [ -e "$RUN/$name.pid" ] && { rm -f "$RUN/$name.pid"; log "stopped $name"; }
  done
  return 0
}

port_busy() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }
check_port_free() { # PORT SERVICE
  if port_busy "$1" && ! alive "$2"; then die "port $1 is already in use by another process (needed by $2)"; fi
}
wait_for() { # DESCRIPTION TIMEOUT CMD...
  local what=$1 to=$2 t0; shift 2; t0=$(now)
  while ! "$@" >/dev/null 2>&1; do
    [ "$(echo "$(now) - $t0 > $to" | bc)" = 1 ] && die "timed out after ${to}s waiting for $what (logs in $LOG)"
    # WATCH=<service>: give up at once when the process we wait for has died
    if [ -n "${WATCH:-}" ] && ! alive "$WATCH"; then die "$WATCH exited while waiting for $what (see $LOG/$WATCH.log)"; fi
    sleep 0.5
  done
  log "$what ready after $(since "$t0")s"
}
http_code_is() { # URL CODE...
  local c w; c=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$1"); shift
  for w in "$@"; do [ "$c" = "$w" ] && return 0; done
  return 1
}
# uwsgi_app NAME PORT WSGI-FILE [extra uwsgi args]: one master + one worker, 4 threads.
# --http-socket closes the connection after every response without saying so; clients that pool
# connections (keystoneauth in the services, undici in kuryr) then sometimes send the next
# request on a socket that is being closed ("Remote end closed connection"). The header tells
# them not to reuse it.
uwsgi_app() {
  local name=$1 port=$2 wsgi=$3; shift 3
  spawn "$name" uwsgi --plugin python3 --http-socket "127.0.0.1:$port" --wsgi-file "$wsgi" \
    --master --processes 1 --threads 4 --lazy-apps --die-on-term --buffer-size 65535 \
    --add-header "Connection: close" --logto "$LOG/$name-uwsgi.log" "$@"
}

# ---------------------------------------------------------------- MariaDB
mysql_() { mariadb --defaults-file="$D/mysql/my.cnf" "$@"; }
start_mariadb() {
  need mariadbd mariadb-install-db
  mkdir -p "$D/mysql/data"
  cat >"$D/mysql/my.cnf" <<EOF
[mysqld]
user = root
datadir = $D/mysql/data
socket = $SOCK
pid-file = $D/mysql/mariadbd.pid
log-error = $LOG/mariadb.err
skip-networking
skip-name-resolve
performance_schema = OFF
innodb_buffer_pool_size = 64M
innodb_log_file_size = 32M
innodb_flush_log_at_trx_commit = 2
max_connections = 400
character-set-server = utf8mb4
collation-server = utf8mb4_general_ci
[client]
socket = $SOCK
user = root
EOF
  if [ ! -d "$D/mysql/data/mysql" ]; then
    log "initialising the MariaDB data dir"
    mariadb-install-db --defaults-file="$D/mysql/my.cnf" --auth-root-authentication-method=socket \
      >>"$LOG/mariadb-install.log" 2>&1 || die "mariadb-install-db failed"
  fi
  spawn mariadb mariadbd --defaults-file="$D/mysql/my.cnf"
  wait_for MariaDB 60 mysql_ -e 'select 1'
}
ensure_db() { # NAME
  mysql_ -e "CREATE DATABASE IF NOT EXISTS $1 CHARACTER SET utf8mb4;
    CREATE USER IF NOT EXISTS '$1'@'localhost' IDENTIFIED BY '$PW';
    ALTER USER '$1'@'localhost' IDENTIFIED BY '$PW';
    GRANT ALL ON $1.* TO '$1'@'localhost';" || die "cannot create database $1"
}
db_url() { echo "mysql+pymysql://$1:$PW@localhost/$1?unix_socket=$SOCK&charset=utf8"; }

# ---------------------------------------------------------------- RabbitMQ
rabbit_env() {
  export HOME=$D/rabbitmq RABBITMQ_NODENAME=kuryrrabbit@localhost RABBITMQ_MNESIA_BASE=$D/rabbitmq/mnesia \
    RABBITMQ_LOG_BASE=$LOG RABBITMQ_CONFIG_FILE=$D/rabbitmq/rabbitmq.conf \
    RABBITMQ_ENABLED_PLUGINS_FILE=$D/rabbitmq/enabled_plugins RABBITMQ_PID_FILE=$RUN/rabbitmq.pid \
    ERL_EPMD_ADDRESS=127.0.0.1 RABBITMQ_DIST_PORT=25672 \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
    RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}
rabbitmqctl_() { (rabbit_env; /usr/lib/rabbitmq/bin/rabbitmqctl -n kuryrrabbit@localhost "$@"); }
start_rabbit() { # starts in the background; wait_rabbit waits for it
  need epmd /usr/lib/rabbitmq/bin/rabbitmq-server
  mkdir -p "$D/rabbitmq/mnesia"
  cat >"$D/rabbitmq/rabbitmq.conf" <<EOF
listeners.tcp.1 = 127.0.0.1:$RABBIT_PORT
loopback_users.guest = true
log.console = false
log.file.level = warning
EOF
  echo '[].' >"$D/rabbitmq/enabled_plugins"
  if ! alive rabbitmq; then check_port_free $RABBIT_PORT rabbitmq; fi
  if ! alive epmd && ! port_busy 4369; then spawn epmd epmd -address 127.0.0.1; fi
  if alive rabbitmq; then log "rabbitmq already running (pid $(pid_of rabbitmq))"; return 0; fi
  rm -f "$RUN/rabbitmq.pid"
  (rabbit_env; nohup setsid /usr/lib/rabbitmq/bin/rabbitmq-server >>"$LOG/rabbitmq.out" 2>&1 </dev/null & echo $! >"$RUN/rabbitmq-wrapper.pid")
  RABBIT_T0=$(now)
}
wait_rabbit() {
  local t0; t0=$(now)
  rabbitmqctl_ wait --timeout 120 "$RUN/rabbitmq.pid" >>"$LOG/rabbitmq.out" 2>&1 || die "RabbitMQ did not start (see $LOG)"
  log "RabbitMQ ready after $(since "${RABBIT_T0:-$t0}")s"
}
transport_url() { if uses_rabbit; then echo "rabbit://guest:guest@127.0.0.1:$RABBIT_PORT/"; else echo "fake://"; fi; }

# ---------------------------------------------------------------- Keystone
authtoken_section() { # USER
  cat <<EOF
[keystone_authtoken]
www_authenticate_uri = $KEYSTONE_URL
auth_url = $KEYSTONE_URL
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $1
password = $PW
region_name = RegionOne
service_token_roles_required = true
EOF
}
keystone_conf() { # EXPIRATION
  cat <<EOF
[DEFAULT]
log_dir = $LOG
debug = $DEBUG
[database]
connection = $(db_url keystone)
[token]
provider = fernet
expiration = $1
[fernet_tokens]
key_repository = $D/keystone/fernet-keys
[fernet_receipts]
key_repository = $D/keystone/fernet-keys
[credential]
key_repository = $D/keystone/credential-keys
EOF
}
keystone_prepare() {
  need keystone-manage uwsgi
  mkdir -p "$D/keystone/main" "$D/keystone/short" "$D/keystone/fernet-keys" "$D/keystone/credential-keys"
  ensure_db keystone
  keystone_conf "$TOKEN_EXP" >"$D/keystone/main/keystone.conf"
  echo "log_file = keystone.log" >>"$D/keystone/main/keystone.conf"
  # A second Keystone on the same database and fernet keys that only differs in the token
  # lifetime: a token it issues is valid everywhere (same keys) and expires after
  # $SHORT_EXP s, so tests get short-lived tokens without shortening the services' own tokens.
  keystone_conf "$SHORT_EXP" >"$D/keystone/short/keystone.conf"
  echo "log_file = keystone-short.log" >>"$D/keystone/short/keystone.conf"
  local K="keystone-manage --config-file $D/keystone/main/keystone.conf" t0
  if [ ! -e "$D/keystone/.bootstrapped" ]; then
    t0=$(now)
    $K db_sync >>"$LOG/keystone-manage.log" 2>&1 || die "keystone db_sync failed"
    $K fernet_setup --keystone-user root --keystone-group root >>"$LOG/keystone-manage.log" 2>&1
    $K credential_setup --keystone-user root --keystone-group root >>"$LOG/keystone-manage.log" 2>&1
    $K bootstrap --bootstrap-password "$PW" --bootstrap-region-id RegionOne \
      --bootstrap-admin-url "$KEYSTONE_URL/v3/" --bootstrap-internal-url "$KEYSTONE_URL/v3/" \
      --bootstrap-public-url "$KEYSTONE_URL/v3/" >>"$LOG/keystone-manage.log" 2>&1 || die "keystone bootstrap failed"
    touch "$D/keystone/.bootstrapped"
    log "Keystone database created and bootstrapped in $(since "$t0")s"
  fi
}
keystone_spawn() {
  alive keystone || check_port_free $KS_PORT keystone
  alive keystone-short || check_port_free $KS_SHORT_PORT keystone-short
  uwsgi_app keystone $KS_PORT /usr/bin/keystone-wsgi-public --env OS_KEYSTONE_CONFIG_DIR="$D/keystone/main"
  uwsgi_app keystone-short $KS_SHORT_PORT /usr/bin/keystone-wsgi-public --env OS_KEYSTONE_CONFIG_DIR="$D/keystone/short"
}
wait_keystone() {
  wait_for "Keystone API" 120 http_code_is "$KEYSTONE_URL/v3" 200
}

token_for() { # USER PROJECT [KEYSTONE_URL] -> prints a project-scoped token
  curl -s -m 30 -i -H 'Content-Type: application/json' "${3:-$KEYSTONE_URL}/v3/auth/tokens" -d "{\"auth\":{\"identity\":{\"methods\":[\"password\"],\"password\":{\"user\":{\"name\":\"$1\",\"domain\":{\"id\":\"default\"},\"password\":\"$PW\"}}},\"scope\":{\"project\":{\"name\":\"$2\",\"domain\":{\"id\":\"default\"}}}}}" |
    awk -F': ' 'tolower($1)=="x-subject-token"{print $2}' | tr -d '\r'
}
ks() { # METHOD PATH [curl args]  (uses $KS_TOKEN)
  local m=$1 p=$2; shift 2
  curl -s -m 30 -X "$m" -H "X-Auth-Token: $KS_TOKEN" -H 'Content-Type: application/json' "$KEYSTONE_URL/v3$p" "$@"
}
ks_id() { ks GET "/$1?name=$2" | jq -r ".$1[0].id // empty"; }
ks_ensure() { # KIND NAME JSON
  local id; id=$(ks_id "$1" "$2")
  [ -n "$id" ] || id=$(ks POST "/$1" -d "$3" | jq -r '.[keys[0]].id // empty')
  [ -n "$id" ] || die "could not create keystone $1 $2"
  echo "$id"
}
ks_grant() { ks PUT "/projects/$1/users/$2/roles/$(ks_id roles "$3")" -o /dev/null -w '%{http_code}' | grep -q 204 || die "role grant $3 failed"; }
ks_service() { # TYPE NAME URL
  local sid n i
  sid=$(ks GET "/services?type=$1" | jq -r '.services[0].id // empty')
  [ -n "$sid" ] || sid=$(ks POST /services -d "{\"service\":{\"name\":\"$2\",\"type\":\"$1\",\"enabled\":true}}" | jq -r .service.id)
  for i in public internal admin; do
    n=$(ks GET "/endpoints?service_id=$sid&interface=$i" | jq '.endpoints|length')
    [ "$n" -gt 0 ] || ks POST /endpoints -d "{\"endpoint\":{\"service_id\":\"$sid\",\"interface\":\"$i\",\"url\":\"$3\",\"region_id\":\"RegionOne\"}}" >/dev/null
  done
}
keystone_accounts() {
  if [ -e "$D/keystone/.accounts" ]; then return 0; fi
  KS_TOKEN=$(token_for admin admin); [ -n "$KS_TOKEN" ] || die "cannot get an admin token from Keystone"
  local service demo u
  service=$(ks_ensure projects service '{"project":{"name":"service","domain_id":"default","description":"service users"}}')
  demo=$(ks_ensure projects demo '{"project":{"name":"demo","domain_id":"default","description":"unprivileged test project"}}')
  for u in neutron kuryr octavia; do
    ks_grant "$service" "$(ks_ensure users $u "{\"user\":{\"name\":\"$u\",\"domain_id\":\"default\",\"password\":\"$PW\"}}")" admin
  done
  # keystonemiddleware in Zed requires the 'service' role on service tokens when asked to.
  ks_ensure roles service '{"role":{"name":"service"}}' >/dev/null
  for u in neutron octavia; do ks_grant "$service" "$(ks_id users $u)" service; done
  ks_grant "$demo" "$(ks_ensure users demo "{\"user\":{\"name\":\"demo\",\"domain_id\":\"default\",\"password\":\"$PW\"}}")" member
  ks_service network neutron "$NEUTRON_URL"
  ks_service load-balancer octavia "$OCTAVIA_URL"
  touch "$D/keystone/.accounts"
  log "Keystone users, projects and endpoints in place"
}

# ---------------------------------------------------------------- Neutron
neutron_token() { [ "$AUTH" = keystone ] && token_for neutron service; }
nt() { # METHOD PATH [curl args]  (uses $NT_TOKEN; noauth: acts as admin)
  local m=$1 p=$2; shift 2
  local h=(-H 'Content-Type: application/json'); [ -n "${NT_TOKEN:-}" ] && h+=(-H "X-Auth-Token: $NT_TOKEN")
  curl -s -m 60 -X "$m" "${h[@]}" "$NEUTRON_URL/v2.0$p" "$@"
}

write_neutron_config() {
  local mech
  case $AGENT in
    both) mech=linuxbridge,openvswitch,l2population ;;
    linuxbridge) mech=linuxbridge,l2population ;;
    ovs) mech=openvswitch,l2population ;;
    none) mech=linuxbridge,openvswitch ;;
  esac
  mkdir -p "$D/neutron/state" "$D/neutron/lock"
  cat >"$D/neutron/neutron.conf" <<EOF
[DEFAULT]
host = $HOST_
core_plugin = ml2
service_plugins = router,trunk,port_forwarding
auth_strategy = $AUTH
bind_host = 127.0.0.1
bind_port = $NT_PORT
api_workers = 0
rpc_workers = 0
rpc_state_report_workers = 0
state_path = $D/neutron/state
transport_url = $(transport_url)
dns_domain = openstacklocal.
notify_nova_on_port_status_changes = false
notify_nova_on_port_data_changes = false
debug = $DEBUG
[database]
connection = $(db_url neutron)
[oslo_concurrency]
lock_path = $D/neutron/lock
[agent]
root_helper =
[experimental]
linuxbridge = true
$([ "$AUTH" = keystone ] && authtoken_section neutron)
EOF
  # The second API server: same DB and bus, no authentication (acts as admin).
  cat >"$D/neutron/noauth.conf" <<EOF
[DEFAULT]
host = $HOST_-noauth
auth_strategy = noauth
bind_port = $NT_NOAUTH_PORT
EOF
  cat >"$D/neutron/ml2_conf.ini" <<EOF
[ml2]
type_drivers = local,flat,vxlan
tenant_network_types = vxlan
mechanism_drivers = $mech
extension_drivers = port_security,dns_domain_ports
[ml2_type_flat]
flat_networks = *
[ml2_type_vxlan]
vni_ranges = 1:1000
[securitygroup]
enable_security_group = true
EOF
  # Each agent has its own host name and its own VXLAN endpoint on loopback (two hosts
  # cannot share a tunnel IP: Neutron would hand it back and forth), and its own UDP port
  # (kernel VXLAN on 8472, OVS on 4789), so the two never clash. With l2population nothing
  # ever leaves this machine.
  # Security groups: the linuxbridge agent stays noop (its iptables driver would put Neutron's
  # chains into the host's FORWARD path via br_netfilter, next to dockerd's, and filter every
  # bridge test); the OVS agent enforces them with its native `openvswitch` driver, which only
  # touches br-int's flow tables and works on the userspace datapath (ct() is userspace conntrack,
  # no kernel module). So host $OVS_HOST is the one to bind to when traffic must obey the SGs.
  cat >"$D/neutron/linuxbridge_agent.ini" <<EOF
[DEFAULT]
host = $HOST_
[agent]
polling_interval = 2
[linux_bridge]
physical_interface_mappings =
[vxlan]
enable_vxlan = true
local_ip = 127.0.0.1
udp_dstport = 8472
l2_population = true
[securitygroup]
enable_security_group = true
firewall_driver = noop
EOF
  local ovs_host=$OVS_HOST
  local tep=$OVS_TEP
  [ "$AGENT" = ovs ] && ovs_host=$HOST_ tep=127.0.0.1
  cat >"$D/neutron/openvswitch_agent.ini" <<EOF
[DEFAULT]
host = $ovs_host
[agent]
polling_interval = 2
tunnel_types = vxlan
vxlan_udp_port = 4789
l2_population = true
[ovs]
datapath_type = netdev
ovsdb_connection = unix:$OVS_RUNDIR/db.sock
integration_bridge = br-int
tunnel_bridge = br-tun
local_ip = $tep
of_listen_address = 127.0.0.1
of_listen_port = 6633
[securitygroup]
enable_security_group = true
firewall_driver = $OVS_FIREWALL
[privsep]
# The openvswitch firewall driver runs ovs-ofctl in the privsep daemon, which oslo.privsep starts
# through sudo: that drops OVS_RUNDIR, and ovs-ofctl then looks for br-int.mgmt in /var/run.
helper_command = env OVS_RUNDIR=$OVS_RUNDIR privsep-helper --config-file $D/neutron/neutron.conf --config-file $D/neutron/openvswitch_agent.ini
EOF
}
# lb_agent_py: the linuxbridge agent with one fix. Its MAC anti-spoofing code deletes ebtables
# rules by their spec; Debian 12's ebtables (nf_tables backend; the legacy one has no nat table
# here) cannot delete a rule holding --among-src that way ("RULE_DELETE failed (Invalid
# argument)", exit 4), and the agent retries exit 4 forever: its loop hangs at the second update
# of any port and no port goes ACTIVE any more. The wrapper deletes such rules by number and
# bounds the retries.
lb_agent_py() {
  cat >"$D/neutron/linuxbridge_agent.py" <<'EOF'
import sys

import tenacity

# importing the entry point first applies eventlet's monkey patching, as the packaged script does
from neutron.cmd.eventlet.plugins.linuxbridge_neutron_agent import main
from neutron.plugins.ml2.drivers.linuxbridge.agent import arp_protect

_raw = getattr(arp_protect.ebtables, '__wrapped__', arp_protect.ebtables)


@tenacity.retry(
    wait=tenacity.wait_exponential(multiplier=0.02, max=2),
    stop=tenacity.stop_after_attempt(8),
    retry=tenacity.retry_if_exception(lambda e: getattr(e, 'returncode', None) in [255, 4]),
    reraise=True,
)
def _ebtables(comm, table='nat'):
    return _raw(comm, table=table)


def ebtables(comm, table='nat'):
    if '-D' in comm and '--among-src' in comm:
        i = comm.index('-D')
        chain, spec = comm[i + 1], ' '.join(comm[i + 2:])
        for line in _ebtables(['-L', chain, '--Ln'], table=table).splitlines():
            num, _, rule = line.strip().partition(' ')
            if num.isdigit() and rule.strip() == spec:
                return _ebtables(['-D', chain, num], table=table)
        return ''
    return _ebtables(comm, table=table)


arp_protect.ebtables = ebtables

if __name__ == '__main__':
    sys.exit(main())
EOF
}
NCONF=(--config-file "$D/neutron/neutron.conf" --config-file "$D/neutron/ml2_conf.ini")

neutron_prepare() {
  need neutron-server neutron-db-manage
  ensure_db neutron
  write_neutron_config
  local t0
  if [ ! -e "$D/neutron/.db-synced" ]; then
    t0=$(now)
    neutron-db-manage "${NCONF[@]}" upgrade heads >>"$LOG/neutron-db-manage.log" 2>&1 || die "neutron-db-manage failed (see $LOG/neutron-db-manage.log)"
    touch "$D/neutron/.db-synced"; log "Neutron schema created in $(since "$t0")s"
  fi
}
neutron_spawn() {
  alive neutron-server || check_port_free $NT_PORT neutron-server
  spawn neutron-server neutron-server "${NCONF[@]}" --log-file "$LOG/neutron-server.log"
  if [ "$AUTH" = keystone ]; then
    alive neutron-server-noauth || check_port_free $NT_NOAUTH_PORT neutron-server-noauth
    spawn neutron-server-noauth neutron-server "${NCONF[@]}" --config-file "$D/neutron/noauth.conf" \
      --log-file "$LOG/neutron-server-noauth.log"
  fi
}
wait_neutron() {
  if [ "$AUTH" = keystone ]; then
    wait_for "Neutron API" 180 http_code_is "$NEUTRON_URL/v2.0/networks" 401
    wait_for "Neutron noauth API" 180 http_code_is "$NEUTRON_NOAUTH_URL/v2.0/networks" 200
  else
    wait_for "Neutron API" 180 http_code_is "$NEUTRON_URL/v2.0/networks" 200
  fi
}

start_ovs() {
  need ovsdb-server ovs-vswitchd ovs-vsctl ovsdb-tool
  mkdir -p "$OVS_RUNDIR" "$OVS_DBDIR"
  [ -e "$OVS_DBDIR/conf.db" ] || ovsdb-tool create "$OVS_DBDIR/conf.db" /usr/share/openvswitch/vswitch.ovsschema
  spawn ovsdb-server ovsdb-server "$OVS_DBDIR/conf.db" --remote=punix:"$OVS_RUNDIR/db.sock" \
    --pidfile="$OVS_RUNDIR/ovsdb-server.pid" --unixctl="$OVS_RUNDIR/ovsdb-server.ctl" \
    --log-file="$LOG/ovsdb-server.log" --no-chdir
  wait_for "ovsdb-server" 30 test -S "$OVS_RUNDIR/db.sock"
  ovs-vsctl --no-wait init
  spawn ovs-vswitchd ovs-vswitchd unix:"$OVS_RUNDIR/db.sock" --pidfile="$OVS_RUNDIR/ovs-vswitchd.pid" \
    --unixctl="$OVS_RUNDIR/ovs-vswitchd.ctl" --log-file="$LOG/ovs-vswitchd.log" --no-chdir
  wait_for "ovs-vswitchd" 30 ovs-appctl -t "$OVS_RUNDIR/ovs-vswitchd.ctl" version
}

agent_alive() { # HOST AGENT_TYPE [STARTED_AFTER]: an alive agent record started after that UTC time
  nt GET "/agents?host=$1" | jq -e --arg t "$2" --arg s "${3:-}" \
    '[.agents[]|select(.agent_type==$t and .alive and .started_at >= $s)]|length>0'
}
# drop_agents HOST TYPE-REGEX: a record left by an agent of a previous run stays "alive" for
# 75 s and keeps winning port binding on that host; delete such records before starting.
drop_agents() {
  local a
  for a in $(nt GET "/agents?host=$1" | jq -r --arg t "$2" '.agents[]|select(.agent_type|test("^("+$t+")$"))|.id'); do
    nt DELETE "/agents/$a" >/dev/null
  done
}
LB_TYPE="Linux bridge agent" OVS_TYPE="Open vSwitch agent"
start_agents() {
  NT_TOKEN=$(neutron_token)
  case $AGENT in
    both) drop_agents "$HOST_" "$OVS_TYPE"; drop_agents "$OVS_HOST" "$LB_TYPE" ;;
    linuxbridge) drop_agents "$HOST_" "$OVS_TYPE" ;;
    ovs) drop_agents "$HOST_" "$LB_TYPE" ;;
    none) drop_agents "$HOST_" "$OVS_TYPE|$LB_TYPE"; drop_agents "$OVS_HOST" "$OVS_TYPE|$LB_TYPE"; return 0 ;;
  esac
  local lb_since="" ovs_since="" ovs_host=$OVS_HOST
  [ "$AGENT" = ovs ] && ovs_host=$HOST_
  if has_lb; then
    need neutron-linuxbridge-agent
    alive neutron-linuxbridge-agent || lb_since=$(date -u '+%F %T')
    lb_agent_py
    spawn neutron-linuxbridge-agent python3 "$D/neutron/linuxbridge_agent.py" --config-file "$D/neutron/neutron.conf" \
      --config-file "$D/neutron/linuxbridge_agent.ini" --log-file "$LOG/neutron-linuxbridge-agent.log"
  fi
  if has_ovs; then
    need neutron-openvswitch-agent
    start_ovs
    # The OVS agent insists that its tunnel IP sits on an interface: give loopback a second
    # address (removed by stop) rather than sharing 127.0.0.1 with the linuxbridge agent.
    if [ "$AGENT" = both ] && ! grep -q " $OVS_TEP/" <<<"$(ip -o addr show dev lo)"; then
      ip addr add "$OVS_TEP/32" dev lo || die "cannot add $OVS_TEP to lo"
    fi
    alive neutron-openvswitch-agent || ovs_since=$(date -u '+%F %T')
    spawn neutron-openvswitch-agent neutron-openvswitch-agent --config-file "$D/neutron/neutron.conf" \
      --config-file "$D/neutron/openvswitch_agent.ini" --log-file "$LOG/neutron-openvswitch-agent.log"
  fi
  has_lb && WATCH=neutron-linuxbridge-agent wait_for "$LB_TYPE on host $HOST_" 180 agent_alive "$HOST_" "$LB_TYPE" "$lb_since"
  has_ovs && WATCH=neutron-openvswitch-agent wait_for "$OVS_TYPE on host $ovs_host" 180 agent_alive "$ovs_host" "$OVS_TYPE" "$ovs_since"
  return 0
}

# ---------------------------------------------------------------- Octavia
octavia_conf() { # AUTH PORT
  cat <<EOF
[DEFAULT]
transport_url = $(transport_url)
debug = $DEBUG
[api_settings]
bind_host = 127.0.0.1
bind_port = $2
auth_strategy = $1
enabled_provider_drivers = amphora:Amphora provider on no-op compute/network/amphora drivers,noop_driver:No-op provider
default_provider_driver = amphora
[database]
connection = $(db_url octavia)
[controller_worker]
amphora_driver = amphora_noop_driver
compute_driver = compute_noop_driver
network_driver = network_noop_driver
volume_driver = volume_noop_driver
image_driver = image_noop_driver
loadbalancer_topology = SINGLE
client_ca = $D/octavia/certs/ca.pem
workers = 1
[certificates]
ca_certificate = $D/octavia/certs/ca.pem
ca_private_key = $D/octavia/certs/ca.key
ca_private_key_passphrase = $PW
[oslo_messaging]
topic = octavia_prov
[oslo_concurrency]
lock_path = $D/octavia/lock
$([ "$1" = keystone ] && authtoken_section octavia)
[service_auth]
auth_url = $KEYSTONE_URL
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = octavia
password = $PW
EOF
}
octavia_prepare() {
  need octavia-worker octavia-db-manage uwsgi
  mkdir -p "$D/octavia/certs" "$D/octavia/lock"
  ensure_db octavia
  if [ ! -e "$D/octavia/certs/ca.pem" ]; then
    openssl genrsa -aes256 -passout pass:"$PW" -out "$D/octavia/certs/ca.key" 2048 2>/dev/null
    openssl req -x509 -new -key "$D/octavia/certs/ca.key" -passin pass:"$PW" -days 3650 \
      -subj "/CN=kuryr test-bed octavia CA" -out "$D/octavia/certs/ca.pem" || die "openssl failed"
  fi
  octavia_conf "$AUTH" $OC_PORT >"$D/octavia/octavia.conf"
  octavia_conf noauth $OC_NOAUTH_PORT >"$D/octavia/octavia-noauth.conf"
  local t0
  if [ ! -e "$D/octavia/.db-synced" ]; then
    t0=$(now)
    octavia-db-manage --config-file "$D/octavia/octavia.conf" upgrade head >>"$LOG/octavia-db-manage.log" 2>&1 || die "octavia-db-manage failed"
    touch "$D/octavia/.db-synced"; log "Octavia schema created in $(since "$t0")s"
  fi
}
octavia_spawn() {
  alive octavia-api || check_port_free $OC_PORT octavia-api
  spawn octavia-worker octavia-worker --config-file "$D/octavia/octavia.conf" --log-file "$LOG/octavia-worker.log"
  uwsgi_app octavia-api $OC_PORT /usr/bin/octavia-wsgi \
    --pyargv "--config-file $D/octavia/octavia.conf --log-file $LOG/octavia-api.log"
  if [ "$AUTH" = keystone ]; then
    alive octavia-api-noauth || check_port_free $OC_NOAUTH_PORT octavia-api-noauth
    uwsgi_app octavia-api-noauth $OC_NOAUTH_PORT /usr/bin/octavia-wsgi \
      --pyargv "--config-file $D/octavia/octavia-noauth.conf --log-file $LOG/octavia-api-noauth.log"
  fi
}
wait_octavia() {
  wait_for "Octavia API" 180 http_code_is "$OCTAVIA_URL/" 200
  [ "$AUTH" = keystone ] && wait_for "Octavia noauth API" 180 http_code_is "$OCTAVIA_NOAUTH_URL/" 200
  return 0
}

# ---------------------------------------------------------------- env.sh / clouds.yaml
vif_type() { case $AGENT in linuxbridge | both) echo bridge ;; ovs) echo ovs ;; none) echo unbound ;; esac; }
write_env() {
  local ovs_host=$OVS_HOST
  [ "$AGENT" = ovs ] && ovs_host=$HOST_
  {
    echo "# kuryr test-bed OpenStack ($(date -u +%FT%TZ)); written by scripts/openstack.sh start; source it"
    echo "export KURYR_OS_DIR=$D KURYR_OS_AUTH=$AUTH KURYR_OS_AGENT=$AGENT KURYR_OS_OCTAVIA=$OCTAVIA"
    echo "export NEUTRON_URL=$NEUTRON_URL"
    if [ "$AUTH" = keystone ]; then echo "export NEUTRON_NOAUTH_URL=$NEUTRON_NOAUTH_URL"; else echo "export NEUTRON_NOAUTH_URL=$NEUTRON_URL"; fi
    if [ "$OCTAVIA" = 1 ]; then
      echo "export OCTAVIA_URL=$OCTAVIA_URL"
      if [ "$AUTH" = keystone ]; then echo "export OCTAVIA_NOAUTH_URL=$OCTAVIA_NOAUTH_URL"; else echo "export OCTAVIA_NOAUTH_URL=$OCTAVIA_URL"; fi
    fi
    case $AGENT in
      both | linuxbridge) echo "export KURYR_BINDING_HOST=$HOST_ KURYR_VIF_TYPE=bridge" ;;
      ovs) echo "export KURYR_BINDING_HOST=$HOST_ KURYR_VIF_TYPE=ovs" ;;
      none) echo "export KURYR_BINDING_HOST=$HOST_ KURYR_VIF_TYPE=unbound   # no agent: binding fails" ;;
    esac
    if has_ovs; then
      echo "export KURYR_OVS_BINDING_HOST=$ovs_host   # binding:host_id served by the OVS agent (vif_type ovs)"
      echo "export OVS_RUNDIR=$OVS_RUNDIR KURYR_OVSDB_SOCK=$OVS_RUNDIR/db.sock KURYR_OVS_BRIDGE=br-int"
    fi
    if [ "$AUTH" = keystone ]; then
      cat <<EOF
export OS_AUTH_TYPE=password
export OS_AUTH_URL=$KEYSTONE_URL/v3
export OS_IDENTITY_API_VERSION=3
export OS_REGION_NAME=RegionOne
export OS_USER_DOMAIN_NAME=Default
export OS_PROJECT_DOMAIN_NAME=Default
export OS_USERNAME=admin
export OS_PASSWORD=$PW
export OS_PROJECT_NAME=admin
# same password for all: kuryr = admin role in project service, demo = member of project demo
export KURYR_OS_KURYR_USERNAME=kuryr KURYR_OS_KURYR_PROJECT=service
export KURYR_OS_DEMO_USERNAME=demo KURYR_OS_DEMO_PROJECT=demo
# a Keystone on the same DB/keys whose tokens expire after KURYR_SHORT_TOKEN_EXPIRATION s
export KURYR_SHORT_TOKEN_AUTH_URL=$KEYSTONE_SHORT_URL/v3 KURYR_SHORT_TOKEN_EXPIRATION=$SHORT_EXP
export KURYR_TOKEN_EXPIRATION=$TOKEN_EXP
EOF
    else
      echo "export OS_AUTH_TYPE=none   # no token; requests act as admin"
      echo "export OS_ENDPOINT=$NEUTRON_URL"
    fi
  } >"$D/env.sh.tmp"
  mv "$D/env.sh.tmp" "$D/env.sh"
  write_clouds
}
write_clouds() {
  local f=$D/clouds.yaml.tmp c
  {
    echo "# kuryr test-bed clouds (scripts/openstack.sh); OS_CLIENT_CONFIG_FILE=$D/clouds.yaml"
    echo "clouds:"
    if [ "$AUTH" = keystone ]; then
      for c in "kuryr-admin admin admin" "kuryr kuryr service" "kuryr-demo demo demo"; do
        set -- $c
        cat <<EOF
  $1:
    auth_type: password
    auth:
      auth_url: $KEYSTONE_URL/v3
      username: $2
      password: $PW
      project_name: $3
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
    identity_api_version: 3
EOF
      done
    fi
    cat <<EOF
  kuryr-noauth:
    auth_type: none
    auth:
      endpoint: $([ "$AUTH" = keystone ] && echo "$NEUTRON_NOAUTH_URL" || echo "$NEUTRON_URL")
    network_endpoint_override: $([ "$AUTH" = keystone ] && echo "$NEUTRON_NOAUTH_URL" || echo "$NEUTRON_URL")
EOF
    if [ "$OCTAVIA" = 1 ]; then
      echo "    load_balancer_endpoint_override: $([ "$AUTH" = keystone ] && echo "$OCTAVIA_NOAUTH_URL" || echo "$OCTAVIA_URL")"
    fi
  } >"$f"
  chmod 600 "$f"; mv "$f" "$D/clouds.yaml"
}

ALL_SVCS="mariadb epmd rabbitmq keystone keystone-short neutron-server neutron-server-noauth neutron-linuxbridge-agent ovsdb-server ovs-vswitchd neutron-openvswitch-agent octavia-worker octavia-api octavia-api-noauth"

cmd_status() {
  local s p rss q r rc=0 u any=0
  for s in $ALL_SVCS; do
    [ -e "$RUN/$s.pid" ] || continue
    any=1; p=$(pid_of "$s")
    if alive "$s"; then
      rss=0
      for q in $(tree_pids "$p"); do r=$(awk '/^Rss:/{print $2}' /proc/"$q"/smaps_rollup 2>/dev/null); rss=$((rss + ${r:-0})); done
      printf '%-28s running  pid %-7s RSS %5d MiB (with children)\n' "$s" "$p" $((rss / 1024))
    else
      printf '%-28s DEAD     pid %s\n' "$s" "$p"; rc=1
    fi
  done
  [ $any = 1 ] || { echo "not running (nothing recorded in $RUN)"; return 3; }
  for u in "$KEYSTONE_URL/v3" "$KEYSTONE_SHORT_URL/v3" "$NEUTRON_URL/" "$NEUTRON_NOAUTH_URL/" "$OCTAVIA_URL/" "$OCTAVIA_NOAUTH_URL/"; do
    printf '%-34s HTTP %s\n' "$u" "$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$u")"
  done
  [ -e "$D/env.sh" ] && { echo; cat "$D/env.sh"; }
  return $rc
}

cmd_start() {
  local t0; t0=$(now)
  [ "$(id -u)" = 0 ] || die "must run as root (agents create bridges and tap devices)"
  mkdir -p "$RUN" "$LOG"; chmod 700 "$D"
  need curl jq bc
  log "starting (auth=$AUTH agent=$AGENT octavia=$OCTAVIA host=$HOST_ dir=$D)"
  uses_rabbit && start_rabbit
  start_mariadb
  # Schema creation is most of a cold start and the three databases are independent.
  # Each service starts as soon as its own schema is there (spawn records the pid file, so
  # starting from a subshell is fine); a die inside a subshell fails its wait below.
  local jobs=() j
  if [ "$AUTH" = keystone ]; then { keystone_prepare; keystone_spawn; wait_keystone; keystone_accounts; } & jobs+=($!); fi
  { neutron_prepare; neutron_spawn; } & jobs+=($!)
  if [ "$OCTAVIA" = 1 ]; then { octavia_prepare; octavia_spawn; } & jobs+=($!); fi
  for j in "${jobs[@]}"; do wait "$j" || die "start-up failed (see the messages above and $LOG)"; done
  uses_rabbit && wait_rabbit
  wait_neutron
  start_agents
  [ "$OCTAVIA" = 1 ] && wait_octavia
  write_env
  log "all services up in $(since "$t0")s"
  cat "$D/env.sh"
}

cleanup_links() {
  # Linux bridges + VXLAN devices the linuxbridge agent made for this Neutron's networks.
  local ids b m
  ids=$(mysql_ -N -e 'select id from neutron.networks' 2>/dev/null) || return 0
  for b in /sys/class/net/brq*; do
    [ -e "$b" ] || continue; b=${b##*/}
    echo "$ids" | grep -q "^${b#brq}" || continue
    for m in /sys/class/net/"$b"/brif/vxlan-*; do [ -e "$m" ] && ip link del "${m##*/}"; done
    ip link del "$b" 2>/dev/null
  done
}

cmd_stop() {
  local s had_ovs=0
  [ -d "$RUN" ] || { log "nothing recorded in $RUN"; return 0; }
  stop_svcs octavia-api-noauth octavia-api octavia-worker neutron-linuxbridge-agent neutron-openvswitch-agent \
    neutron-server-noauth neutron-server keystone-short keystone
  # The agents' privsep daemons detach (parent pid 1), so they are not in any recorded process
  # tree; they are found by their --config-file, which lies in this state dir.
  local pp; pp=$(pgrep -f "privsep-helper --config-file $D/neutron/" || true)
  [ -n "$pp" ] && kill -TERM $pp 2>/dev/null
  alive mariadb && cleanup_links
  alive ovs-vswitchd && had_ovs=1
  stop_svcs ovs-vswitchd ovsdb-server rabbitmq rabbitmq-wrapper epmd mariadb
  # The userspace datapath leaves its tap devices behind when ovs-vswitchd exits.
  if [ $had_ovs = 1 ]; then
    for s in br-int br-tun ovs-netdev; do [ -e /sys/class/net/$s/tun_flags ] && ip link del $s; done
  fi
  if [ "$OVS_TEP" != 127.0.0.1 ] && grep -q " $OVS_TEP/32" <<<"$(ip -o addr show dev lo)"; then
    ip addr del "$OVS_TEP/32" dev lo
  fi
  rm -f "$D/env.sh"
  return 0
}

# ---------------------------------------------------------------- smoke test
cmd_smoke() {
  # Exercises the API the way kuryr does, then, for every agent host, binds two ports, plugs
  # them into netns kb-smoke-<n>-a/b the way kuryr's veth driver does, and pings between them.
  local ok=0 bad=0 sfx=$$ NET SP S4 S6 P PP SUB SG TR c
  check() { if [ "$2" = "$3" ]; then echo "PASS $1"; ok=$((ok + 1)); else echo "FAIL $1: got '$2' want '$3'"; bad=$((bad + 1)); fi; }
  [ -e "$D/env.sh" ] || die "not started: run $0 start"
  NT_TOKEN=$(neutron_token)
  [ "$AUTH" = noauth ] || [ -n "$NT_TOKEN" ] || die "no token from Keystone"
  c=$(nt GET /extensions | jq -r '.extensions[].alias')
  for e in standard-attr-tag subnet_allocation binding trunk security-group allowed-address-pairs port-security; do
    check "extension $e" "$(echo "$c" | grep -cx "$e")" 1
  done
  NET=$(nt POST /networks -d '{"network":{"name":"kb-smoke-'$sfx'"}}' | jq -r .network.id)
  check "network created" "${#NET}" 36
  if [ "$AUTH" = keystone ]; then
    check "noauth Neutron sees it" "$(curl -s -m 30 "$NEUTRON_NOAUTH_URL/v2.0/networks/$NET" | jq -r .network.id)" "$NET"
    check "Keystone Neutron rejects no token" "$(curl -s -m 30 -o /dev/null -w '%{http_code}' "$NEUTRON_URL/v2.0/networks")" 401
    local st body
    st=$(token_for demo demo "$KEYSTONE_SHORT_URL")
    body=$(curl -s -m 30 -H "X-Auth-Token: $st" -H "X-Subject-Token: $st" "$KEYSTONE_URL/v3/auth/tokens")
    check "short-lived token lifetime" "$(echo "$body" | jq -r '((.token.expires_at|sub("\\.[0-9]+";"")|fromdate) - (.token.issued_at|sub("\\.[0-9]+";"")|fromdate))')" "$SHORT_EXP"
    check "short-lived token accepted by Neutron" "$(curl -s -m 30 -o /dev/null -w '%{http_code}' -H "X-Auth-Token: $st" "$NEUTRON_URL/v2.0/networks")" 200
  fi
  SP=$(nt POST /subnetpools -d '{"subnetpool":{"name":"kb-smoke-'$sfx'","prefixes":["10.97.0.0/16"],"default_prefixlen":24}}' | jq -r .subnetpool.id)
  S4=$(nt POST /subnets -d '{"subnet":{"network_id":"'$NET'","ip_version":4,"subnetpool_id":"'$SP'"}}' | jq -r .subnet.id)
  check "v4 subnet from subnetpool" "$(nt GET /subnets/$S4 | jq -r .subnet.cidr)" 10.97.0.0/24
  S6=$(nt POST /subnets -d '{"subnet":{"network_id":"'$NET'","ip_version":6,"cidr":"fd00:97::/64","ipv6_address_mode":"slaac","ipv6_ra_mode":"slaac"}}' | jq -r .subnet.id)
  check "v6 subnet" "$(nt GET /subnets/$S6 | jq -r .subnet.cidr)" fd00:97::/64
  check "tag network" "$(nt PUT /networks/$NET/tags/kuryr.net.$sfx -o /dev/null -w '%{http_code}')" 201
  check "filter networks by tag" "$(nt GET "/networks?tags=kuryr.net.$sfx" | jq -r '.networks[0].id')" "$NET"
  SG=$(nt POST /security-groups -d '{"security_group":{"name":"kb-smoke-'$sfx'"}}' | jq -r .security_group.id)
  check "security group rule" "$(nt POST /security-group-rules -d '{"security_group_rule":{"security_group_id":"'$SG'","direction":"ingress","ethertype":"IPv4","protocol":"tcp","port_range_min":80,"port_range_max":80}}' | jq -r .security_group_rule.port_range_min)" 80
  # the OVS host enforces security groups: let the ports of this group ping each other
  nt POST /security-group-rules -d '{"security_group_rule":{"security_group_id":"'$SG'","direction":"ingress","ethertype":"IPv4","protocol":"icmp","remote_group_id":"'$SG'"}}' >/dev/null
  PP=$(nt POST /ports -d '{"port":{"network_id":"'$NET'","name":"kb-parent"}}' | jq -r .port.id)
  SUB=$(nt POST /ports -d '{"port":{"network_id":"'$NET'","name":"kb-sub"}}' | jq -r .port.id)
  TR=$(nt POST /trunks -d '{"trunk":{"port_id":"'$PP'","sub_ports":[{"port_id":"'$SUB'","segmentation_type":"vlan","segmentation_id":101}]}}' | jq -r .trunk.id)
  check "trunk with subport" "$(nt GET /ports/$PP | jq -r .port.trunk_details.trunk_id)" "$TR"
  local hosts=() kinds=() n=0 host kind mtu ids=()
  mtu=$(nt GET /networks/$NET | jq -r .network.mtu)
  has_lb && { hosts+=("$HOST_"); kinds+=(bridge); }
  if has_ovs; then
    if [ "$AGENT" = ovs ]; then hosts+=("$HOST_"); else hosts+=("$OVS_HOST"); fi
    kinds+=(ovs)
  fi
  for n in "${!hosts[@]}"; do
    host=${hosts[$n]} kind=${kinds[$n]}
    declare -A ID=() IP=() MAC=()
    local i port host_if ctr_if ns vif
    for i in a b; do
      P=$(nt POST /ports -d '{"port":{"network_id":"'$NET'","name":"kb-smoke-'$n$i'","device_owner":"kuryr:container","device_id":"kb-smoke-'$n$i'","binding:host_id":"'$host'","security_groups":["'$SG'"]}}')
      ID[$i]=$(echo "$P" | jq -r .port.id); MAC[$i]=$(echo "$P" | jq -r .port.mac_address)
      IP[$i]=$(echo "$P" | jq -r --arg s "$S4" '.port.fixed_ips[]|select(.subnet_id==$s)|.ip_address')
      ids+=("${ID[$i]}")
      vif=$(echo "$P" | jq -r '.port."binding:vif_type"')
      check "port $i on host $host: vif_type" "$vif" "$kind"
    done
    check "tag port" "$(nt PUT /ports/${ID[a]}/tags/kuryr.port.$sfx -o /dev/null -w '%{http_code}')" 201
    for i in a b; do
      port=${ID[$i]} ns=kb-smoke-$n$i ctr_if=kb$n$i${port:0:8}
      # linuxbridge finds the host side by its name tap<first 11 of the port id>; OVS by iface-id.
      if [ "$kind" = bridge ]; then host_if=tap${port:0:11}; else host_if=kbo${port:0:11}; fi
      ip netns add $ns; ip link add "$host_if" type veth peer name "$ctr_if"
      ip link set "$ctr_if" netns $ns
      ip -n $ns link set "$ctr_if" address "${MAC[$i]}" mtu "$mtu"
      ip -n $ns addr add "${IP[$i]}/24" dev "$ctr_if"; ip -n $ns link set "$ctr_if" up; ip -n $ns link set lo up
      if [ "$kind" = bridge ]; then
        local br=brq${NET:0:11}
        ip link show "$br" >/dev/null 2>&1 || { ip link add name "$br" type bridge; ip link set "$br" up; }
        ip link set "$host_if" master "$br"; ip link set "$host_if" up
      else
        ip link set "$host_if" up
        ovs-vsctl -- --may-exist add-port br-int "$host_if" -- set Interface "$host_if" external_ids:iface-id="$port" \
          external_ids:attached-mac="${MAC[$i]}" external_ids:iface-status=active external_ids:vm-id=kb-smoke-$n$i
      fi
    done
    local t0 sa sb; t0=$(now)
    for c in $(seq 1 60); do
      sa=$(nt GET /ports/${ID[a]} | jq -r .port.status); sb=$(nt GET /ports/${ID[b]} | jq -r .port.status)
      [ "$sa$sb" = ACTIVEACTIVE ] && break; sleep 1
    done
    check "$kind ports ACTIVE (after $(since "$t0")s)" "$sa$sb" ACTIVEACTIVE
    ip netns exec kb-smoke-${n}a ping -c 2 -W 2 "${IP[b]}" >/dev/null 2>&1; check "$kind: ping between namespaces" $? 0
    for i in a b; do
      port=${ID[$i]}
      if [ "$kind" = ovs ]; then ovs-vsctl --if-exists del-port br-int "kbo${port:0:11}"; ip link del "kbo${port:0:11}" 2>/dev/null; fi
      ip netns del kb-smoke-$n$i; ip link del "tap${port:0:11}" 2>/dev/null
    done
    unset ID IP MAC
  done
  nt DELETE /trunks/$TR >/dev/null
  for P in "${ids[@]}" $PP $SUB; do nt DELETE /ports/$P >/dev/null; done
  nt DELETE /security-groups/$SG >/dev/null
  check "delete network" "$(nt DELETE /networks/$NET -o /dev/null -w '%{http_code}')" 204
  nt DELETE /subnetpools/$SP >/dev/null
  if [ "$OCTAVIA" = 1 ]; then
    local O=$OCTAVIA_URL/v2/lbaas oh=(-H 'Content-Type: application/json') LB L PL st
    [ -n "${NT_TOKEN:-}" ] && oh+=(-H "X-Auth-Token: $NT_TOKEN")
    oc() { local m=$1 p=$2; shift 2; curl -s -m 60 -X "$m" "${oh[@]}" "$O$p" "$@"; }
    lbw() { for c in $(seq 1 60); do st=$(oc GET /loadbalancers/$LB | jq -r .loadbalancer.provisioning_status); [ "$st" = ACTIVE ] && break; sleep 1; done; echo "$st"; }
    local proj=""; [ "$AUTH" = noauth ] && proj=',"project_id":"kb-smoke"'
    LB=$(oc POST /loadbalancers -d '{"loadbalancer":{"name":"kb-smoke","vip_subnet_id":"'"$(cat /proc/sys/kernel/random/uuid)"'"'"$proj"'}}' | jq -r .loadbalancer.id)
    check "load balancer ACTIVE" "$(lbw)" ACTIVE
    L=$(oc POST /listeners -d '{"listener":{"loadbalancer_id":"'$LB'","protocol":"HTTP","protocol_port":80}}' | jq -r .listener.id); lbw >/dev/null
    PL=$(oc POST /pools -d '{"pool":{"listener_id":"'$L'","protocol":"HTTP","lb_algorithm":"ROUND_ROBIN"}}' | jq -r .pool.id); lbw >/dev/null
    oc POST /pools/$PL/members -d '{"member":{"address":"10.97.0.20","protocol_port":8080}}' >/dev/null
    check "listener+pool+member, LB ACTIVE" "$(lbw)" ACTIVE
    check "member ACTIVE" "$(oc GET /pools/$PL/members | jq -r '.members[0].provisioning_status')" ACTIVE
    [ "$AUTH" = keystone ] && check "noauth Octavia sees the LB" "$(curl -s -m 30 "$OCTAVIA_NOAUTH_URL/v2/lbaas/loadbalancers/$LB" | jq -r .loadbalancer.id)" "$LB"
    check "cascade delete" "$(oc DELETE "/loadbalancers/$LB?cascade=true" -o /dev/null -w '%{http_code}')" 204
  fi
  echo "$ok passed, $bad failed"
  [ $bad = 0 ]
}

case ${1:-} in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  restart) cmd_stop; cmd_start ;;
  restart-svc) shift; [ $# -gt 0 ] || die "restart-svc needs service names (see status)"; stop_svcs "$@"; cmd_start ;;
  status) cmd_status ;;
  env) [ -e "$D/env.sh" ] || die "not started ($D/env.sh missing): run $0 start"; cat "$D/env.sh" ;;
  smoke) cmd_smoke ;;
  purge) cmd_stop; rm -rf "$D" ;;
  *) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 2 ;;
esac
