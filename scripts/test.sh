#!/usr/bin/env bash
# test.sh SUITE... — run kuryr's test suites with node's test runner on an explicit file list.
#
#   unit         src/**/*.test.ts (fakes only; no root, no services)
#   integration  test/integration/**/*.test.ts (real Neutron/Keystone/Octavia, real kube-apiserver)
#   e2e          test/e2e/**/*.test.ts (root: real dockerd, podman, containerd, network namespaces)
#
# On Node 20 `node --test <dir>` silently finds no .ts file (DEPENDENCIES.md §2.3), so the list is built
# here. A suite that runs 0 tests, or skips any test, fails: a real-system test that did not run is a
# failure, never a pass. Extra args after `--` go to node (e.g. `-- --test-name-pattern=foo`).
set -u -o pipefail
shopt -s globstar nullglob
cd "$(dirname "$0")/.."

suites=() node_args=()
while [ $# -gt 0 ]; do
  case $1 in --) shift; node_args=("$@"); break;; *) suites+=("$1"); shift;; esac
done
[ ${#suites[@]} -gt 0 ] || suites=(unit)

out_dir=${KURYR_TEST_OUT:-/tmp/kuryr-test-out}
mkdir -p "$out_dir"
rc=0
for suite in "${suites[@]}"; do
  case $suite in
    unit) files=(src/**/*.test.ts); conc=2;;
    integration) files=(test/integration/**/*.test.ts); conc=1;;
    e2e) files=(test/e2e/**/*.test.ts); conc=1;;
    *) echo "unknown suite '$suite' (unit, integration, e2e)" >&2; exit 2;;
  esac
  if [ ${#files[@]} -eq 0 ]; then echo "suite $suite: no test files found" >&2; rc=1; continue; fi
  log="$out_dir/$suite.tap"
  echo "=== $suite: ${#files[@]} files"
  node --import tsx --test --test-concurrency="$conc" --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$log" "${node_args[@]}" "${files[@]}"
  status=$?
  tests=$(awk '/^# tests /{print $3}' "$log" | tail -1)
  pass=$(awk '/^# pass /{print $3}' "$log" | tail -1)
  fail=$(awk '/^# fail /{print $3}' "$log" | tail -1)
  skipped=$(awk '/^# skipped /{print $3}' "$log" | tail -1)
  todo=$(awk '/^# todo /{print $3}' "$log" | tail -1)
  echo "=== $suite: tests=${tests:-0} pass=${pass:-0} fail=${fail:-0} skipped=${skipped:-0} todo=${todo:-0}"
  if [ "$status" -ne 0 ]; then rc=1; fi
  if [ "${tests:-0}" = 0 ]; then echo "suite $suite ran no test: failing" >&2; rc=1; fi
  if [ "${skipped:-0}" != 0 ] || [ "${todo:-0}" != 0 ]; then
    echo "suite $suite skipped ${skipped:-0} and left ${todo:-0} todo tests: failing (nothing may be skipped)" >&2; rc=1
  fi
done
exit $rc
