#!/usr/bin/env bash
# Divvy on the local Slurm cluster (tests/slurm/start-local-slurm.sh): how long Slurm takes to
# bring workers, and what an item costs over TCP from array workers against local pipes.
#   bench/slurm.sh              5 runs per command (a few minutes)
#   RUNS=1 bench/slurm.sh
# Rows:
#  - 1 item, N=1: sbatch to the one result, whole process (submit, schedule, start, dial back, item).
#  - 4 x sleep 1 s, N=4: whole process minus 1 s = until all four workers were connected and busy.
#  - trivial items, N=2: array workers over TCP (loopback) against local workers over pipes.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS="${RUNS:-5}"
ITEMS="${ITEMS:-200000}"
DIVVY_SLURM_DIR="${DIVVY_SLURM_DIR:-/tmp/divvy-slurm}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [[ -z "${SLURM_CONF:-}" && -f "$DIVVY_SLURM_DIR/env.sh" ]]; then
  # shellcheck disable=SC1091
  source "$DIVVY_SLURM_DIR/env.sh"
fi
if ! sinfo -h >/dev/null 2>&1; then
  echo "bench/slurm.sh: no Slurm cluster reachable; start one with: DIVVY_SLURM_INSTALL=1 tests/slurm/start-local-slurm.sh" >&2
  exit 1
fi
if ! command -v hyperfine >/dev/null; then
  apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null
fi

dotnet build bench/Divvy.Bench -c Release -o "$work/bench" -nologo -v q >/dev/null
BENCH="dotnet $work/bench/Divvy.Bench.dll"
echo "bench/slurm.sh: load $(cut -d' ' -f1-3 /proc/loadavg), $(sinfo -h -o '%c CPUs advertised on %N')" >&2

hyperfine --runs "$RUNS" --warmup 1 --style basic -N --export-markdown "$work/slurm.md" \
  -n "slurm array, 1 item, N=1" "$BENCH trivial --workers 1 --items 1 --slurm" \
  -n "slurm array, 4 x sleep 1 s, N=4" "$BENCH sleep --workers 4 --items 4 --sleep-ms 1000 --slurm" \
  -n "local pipes, 4 x sleep 1 s, N=4" "$BENCH sleep --workers 4 --items 4 --sleep-ms 1000" \
  -n "slurm array (TCP), trivial $ITEMS, N=2" "$BENCH trivial --workers 2 --items $ITEMS --slurm" \
  -n "local pipes, trivial $ITEMS, N=2" "$BENCH trivial --workers 2 --items $ITEMS"
cat "$work/slurm.md"
echo "bench/slurm.sh: load at the end $(cut -d' ' -f1-3 /proc/loadavg); nothing left in the queue: $(squeue -h | wc -l) jobs" >&2
