#!/usr/bin/env bash
# test-all.sh — run EVERY test of kuryr on a fresh Debian 12 machine (as root):
#   1. install: apt packages through the scripts' own `install` subcommands, then `npm ci`
#      (when node_modules is missing or KURYR_TEST_NPM_CI=1), then `node scripts/build.mjs`
#   2. start the real systems the suites need: OpenStack (scripts/openstack.sh, in the
#      background while the static checks and unit tests run), kube-apiserver, private dockerd,
#      podman, containerd, and build the libcni client
#   3. `npx tsc --noEmit -p tsconfig.json` and `npx eslint .` (an error fails the run)
#   4. `bash scripts/test.sh unit`, `integration`, `e2e`
#   5. prints ONE final line `N passed, N failed` summed over the suites (a failed check, a
#      suite that did not run or ran 0 tests, and every skipped/todo test count as failures);
#      exits non-zero when anything failed.
#
# Services that were already running are used as they are and never stopped. What this run
# started keeps running afterwards (fast re-runs) unless KURYR_TEST_KEEP=0, which stops it.
# settings: KURYR_TEST_KEEP (default 1), KURYR_TEST_SUITES (default "unit integration e2e"),
#   KURYR_TEST_SKIP_INSTALL=1 (no apt/npm), KURYR_TEST_NPM_CI=1 (force npm ci),
#   KURYR_TEST_OUT (default /tmp/kuryr-test-out: TAP files and service logs), plus every
#   KURYR_OS_* / KURYR_DOCKER_* / KURYR_KUBE_* … setting of the scripts it calls.
set -u -o pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=${KURYR_TEST_OUT:-/tmp/kuryr-test-out}
KEEP=${KURYR_TEST_KEEP:-1}
SUITES=${KURYR_TEST_SUITES:-unit integration e2e}
export KURYR_TEST_OUT=$OUT
mkdir -p "$OUT"

T0=$SECONDS
log() { printf '[test-all +%ss] %s\n' $((SECONDS - T0)) "$*" >&2; }
PASS=0 FAIL=0 NOTES=()
fail_note() { FAIL=$((FAIL + 1)); NOTES+=("$1"); log "FAILED: $1"; }

[ "$(id -u)" = 0 ] || { echo "scripts/test-all.sh must run as root (e2e tests create netns, veths, containers)"; echo "0 passed, 1 failed"; exit 1; }
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo none)
[ "$node_major" = 20 ] || { echo "Node.js 20 is required (found: $node_major)"; echo "0 passed, 1 failed"; exit 1; }

# ---------------------------------------------------------------- 1. install
if [ "${KURYR_TEST_SKIP_INSTALL:-0}" != 1 ]; then
  log "installing packages"
  for s in openstack docker podman containerd kube cniclient; do
    bash "scripts/$s.sh" install >>"$OUT/install.log" 2>&1 || fail_note "scripts/$s.sh install (see $OUT/install.log)"
  done
  if [ ! -d node_modules ] || [ "${KURYR_TEST_NPM_CI:-0}" = 1 ]; then
    log "npm ci"
    npm ci --no-audit --no-fund >>"$OUT/install.log" 2>&1 || fail_note "npm ci (see $OUT/install.log)"
  fi
fi

# the shipped artifacts (dist/kuryr-cni, dist/kuryr.js): e2e suites drive the built CNI executable
if [ -f scripts/build.mjs ]; then
  log "build"
  node scripts/build.mjs >"$OUT/build.log" 2>&1 || fail_note "node scripts/build.mjs (see $OUT/build.log)"
fi

# ---------------------------------------------------------------- 2. services
STARTED=()
# An OpenStack that was up before (env.sh present) is never stopped by this run; if one of its
# services died, `start` (idempotent) restarts just that one.
os_existed=0
[ -e "${KURYR_OS_DIR:-/tmp/kuryr-os}/env.sh" ] && os_existed=1
OS_PID=
if [ $os_existed = 0 ] || ! bash scripts/openstack.sh status >/dev/null 2>&1; then
  log "starting the OpenStack in the background (log $OUT/openstack-start.log)"
  bash scripts/openstack.sh start >"$OUT/openstack-start.log" 2>&1 &
  OS_PID=$!
  [ $os_existed = 1 ] || STARTED+=(openstack)
fi
for s in kube docker containerd; do
  if bash "scripts/$s.sh" status >/dev/null 2>&1; then continue; fi
  bash "scripts/$s.sh" start >"$OUT/$s-start.log" 2>&1 || fail_note "scripts/$s.sh start (see $OUT/$s-start.log)"
  STARTED+=("$s")
done
# podman has no daemon: start only configures it (idempotent); stop removes containers
bash scripts/podman.sh status >/dev/null 2>&1 || STARTED+=(podman)
bash scripts/podman.sh start >"$OUT/podman-start.log" 2>&1 || fail_note "scripts/podman.sh start (see $OUT/podman-start.log)"
KURYR_CNICLIENT=$(bash scripts/cniclient.sh build 2>>"$OUT/cniclient-build.log") || fail_note "scripts/cniclient.sh build"
export KURYR_CNICLIENT
for s in kube docker podman containerd; do eval "$(bash "scripts/$s.sh" env 2>/dev/null)"; done

# ---------------------------------------------------------------- 3. static checks
log "tsc"
npx tsc --noEmit -p tsconfig.json >"$OUT/tsc.log" 2>&1 || { cat "$OUT/tsc.log" | head -40; fail_note "tsc --noEmit (see $OUT/tsc.log)"; }
log "eslint"
npx eslint . >"$OUT/eslint.log" 2>&1 || { head -60 "$OUT/eslint.log"; fail_note "eslint (see $OUT/eslint.log)"; }

# ---------------------------------------------------------------- 4. suites
run_suite() {
  local suite=$1 tap=$OUT/$1.tap tests pass fail skipped todo
  rm -f "$tap"
  log "suite $suite"
  bash scripts/test.sh "$suite" 2>&1 | tee "$OUT/$suite.log" | grep -E '^(=== |suite |✖|not ok)' || true
  if [ ! -s "$tap" ]; then fail_note "suite $suite did not run"; return; fi
  tests=$(awk '/^# tests /{print $3}' "$tap" | tail -1); pass=$(awk '/^# pass /{print $3}' "$tap" | tail -1)
  fail=$(awk '/^# fail /{print $3}' "$tap" | tail -1); skipped=$(awk '/^# skipped /{print $3}' "$tap" | tail -1)
  todo=$(awk '/^# todo /{print $3}' "$tap" | tail -1); cancelled=$(awk '/^# cancelled /{print $3}' "$tap" | tail -1)
  PASS=$((PASS + ${pass:-0}))
  FAIL=$((FAIL + ${fail:-0} + ${skipped:-0} + ${todo:-0} + ${cancelled:-0}))
  [ "${tests:-0}" = 0 ] && fail_note "suite $suite ran 0 tests"
  [ "${fail:-0}${skipped:-0}${todo:-0}${cancelled:-0}" = 0000 ] || NOTES+=("suite $suite: pass=${pass:-0} fail=${fail:-0} skipped=${skipped:-0} todo=${todo:-0} cancelled=${cancelled:-0}")
  log "suite $suite: tests=${tests:-0} pass=${pass:-0} fail=${fail:-0} skipped=${skipped:-0} todo=${todo:-0}"
}
for suite in $SUITES; do
  if [ "$suite" != unit ] && [ -n "$OS_PID" ]; then
    log "waiting for the OpenStack"
    if wait "$OS_PID"; then log "OpenStack up"; else tail -20 "$OUT/openstack-start.log" >&2; fail_note "scripts/openstack.sh start (see $OUT/openstack-start.log)"; fi
    OS_PID=
  fi
  run_suite "$suite"
done
[ -n "$OS_PID" ] && wait "$OS_PID"

# ---------------------------------------------------------------- 5. cleanup + summary
if [ "$KEEP" = 0 ] && [ ${#STARTED[@]} -gt 0 ]; then
  log "stopping what this run started: ${STARTED[*]}"
  for s in "${STARTED[@]}"; do bash "scripts/$s.sh" stop >>"$OUT/stop.log" 2>&1; done
fi
for n in "${NOTES[@]}"; do echo "  - $n"; done
log "done in $((SECONDS - T0)) s (TAP and logs in $OUT)"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
