#!/usr/bin/env bash
# bench.sh [NAME...] — run kuryr's benchmarks (bench/<name>.bench.ts) and refresh BENCHMARKS.md.
#
# Every bench writes its own table to bench/results/<name>.md together with the command that reproduces
# it; this script runs the selected benches (all by default) and concatenates the tables into
# BENCHMARKS.md. Benches compare kuryr with a peer run in the same process or script (ratios), because
# this 2-core machine is noisy. Most need root and the real test bed (scripts/openstack.sh start).
# `--collect-only` skips the runs and only rebuilds BENCHMARKS.md from the stored tables.
set -u -o pipefail
shopt -s nullglob
cd "$(dirname "$0")/.."
collect_only=0
if [ "${1:-}" = --collect-only ]; then collect_only=1; shift; fi
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in bench/*.bench.ts; do b=${f##*/}; names+=("${b%.bench.ts}"); done
fi
rc=0
for n in "${names[@]}"; do
  [ $collect_only = 1 ] && break
  f=bench/$n.bench.ts
  [ -f "$f" ] || { echo "no such bench: $f" >&2; rc=1; continue; }
  echo "=== bench $n"
  node --import tsx "$f" || { echo "bench $n failed" >&2; rc=1; }
done
{
  echo "# BENCHMARKS"
  echo
  echo "Measured on the project's 2-core Debian 12 test machine. Each section names the command that"
  echo "reproduces it; \`npm run bench\` runs them all and regenerates this file from bench/results/*.md."
  echo "Compare ratios against the peer measured in the same run, not absolute numbers."
  for r in bench/results/*.md; do echo; cat "$r"; done
} > BENCHMARKS.md
exit $rc
