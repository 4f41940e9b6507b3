#!/usr/bin/env bash
# Re-runs every figure of BENCHMARKS.md's summary table, one after another, on a release build,
# and keeps each run's whole output in a folder of its own (the summary lines are what the table
# quotes). Nothing here asserts: the figures are read, compared with the ceilings measured in the
# same runs, and written into BENCHMARKS.md by hand, with the commit they were measured on.
#
#   scripts/bench-all.sh                 every scenario (about 30 minutes on two cores)
#   scripts/bench-all.sh e2e stats       only the named ones
#
# Needs the local Postgres on 127.0.0.1:5432 (trust authentication for `postgres`) and pgbench
# (Debian's postgresql-client) for the ceilings.
set -euo pipefail
cd "$(dirname "$0")/.."

out="target/bench-$(date -u +%Y%m%dT%H%M%SZ)-$(git rev-parse --short HEAD)"
mkdir -p "$out"
cargo build --release --bins --quiet
release="${CARGO_TARGET_DIR:-target}/release"
bench="$release/warroom-bench"

# name | arguments
scenarios=(
  "ceiling|--db-ceiling --duration 30s"
  "e2e|--scenario e2e --duration 20s"
  "acks|--scenario declare --rate 190 --duration 60s"
  "list|--scenario list --rate 500 --duration 30s"
  "click|--scenario click --rate 500 --duration 30s"
  "mix|--scenario mix --rate 500 --duration 30s"
  "declare|--scenario declare --rate 500 --duration 30s"
  "backlog-10|--scenario backlog --pending 10 --pace 100ms --duration 20s"
  "backlog-1000|--scenario backlog --pending 1000 --pace 100ms --duration 20s"
  "backlog-10000|--scenario backlog --pending 10000 --pace 100ms --duration 20s"
  "storm|--scenario storm"
  "storm-1000|--scenario storm --declares 1000 --pace 100ms"
  "reminders|--scenario reminders --incidents 10000 --replicas 3 --spread 10s"
  "reminders-60|--scenario reminders --incidents 10000 --replicas 3 --spread 60s"
  "stats|--scenario stats"
  "report|--scenario report --iterations 200"
)

wanted=("$@")
for entry in "${scenarios[@]}"; do
  name="${entry%%|*}"
  args="${entry#*|}"
  if [ ${#wanted[@]} -gt 0 ] && [[ ! " ${wanted[*]} " == *" $name "* ]]; then
    continue
  fi
  echo "== $name: warroom-bench $args"
  # shellcheck disable=SC2086 # the arguments are words on purpose
  if ! "$bench" --warroom-bin "$release/warroom" $args >"$out/$name.txt" 2>&1; then
    echo "   failed; see $out/$name.txt"
    continue
  fi
  tail -n 6 "$out/$name.txt" | sed 's/^/   /'
done
echo "every run's output is in $out/"
