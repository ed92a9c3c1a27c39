#!/usr/bin/env bash
# Runs Divvy.Bench and its peers side by side with hyperfine and writes docs/benchmarks.md.
# Absolute times drift on a shared 2-core machine; compare ratios within one run.
#   bench/run.sh            full sizes (several minutes)
#   RUNS=1 QUICK=1 bench/run.sh   small sizes, one run each (a few seconds per workload)
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS="${RUNS:-5}"
QUICK="${QUICK:-0}"
OUT="${OUT:-docs/benchmarks.md}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if ! command -v hyperfine >/dev/null; then
  echo "bench: installing hyperfine (Debian package)" >&2
  apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null
fi

# Divvy.Bench ships the way a start-up-sensitive .NET app does: self-contained, with one composite
# ReadyToRun image of the program, Divvy, MessagePack and the framework, so nothing on the hot path
# is JIT-compiled at start. The framework-dependent ReadyToRun build (what `dotnet publish -r
# linux-x64 -p:PublishReadyToRun=true` gives) runs alongside in the start-up and throughput tables.
rm -rf bench/Divvy.Bench/obj/Release/net10.0/linux-x64 bench/Divvy.Bench/bin/Release/net10.0/linux-x64
dotnet publish bench/Divvy.Bench -c Release -r linux-x64 --self-contained true -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true -o "$work/sc" -v q >/dev/null
rm -rf bench/Divvy.Bench/obj/Release/net10.0/linux-x64 bench/Divvy.Bench/bin/Release/net10.0/linux-x64
dotnet publish bench/Divvy.Bench -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$work/fd" -v q >/dev/null
DIVVY="$work/sc/Divvy.Bench"
DIVVY_FD="$work/fd/Divvy.Bench"
PY="python3 bench/peers/pypool.py"

scale() { if [[ "$QUICK" == 1 ]]; then echo "$2"; else echo "$1"; fi; }
TRIVIAL_ITEMS=$(scale 200000 2000)
SLEEP_ITEMS=$(scale 100 20)
CPU_ITEMS=$(scale 200 20)
PAYLOAD_ITEMS=$(scale 2000 100)

# bench NAME 'divvy command' [peer-name 'peer command']...
bench() {
  local name="$1"; shift
  local args=(--runs "$RUNS" --warmup 1 --export-json "$work/$name.json" --style none)
  while (($#)); do args+=(-n "$1" "$2"); shift 2; done
  hyperfine "${args[@]}" >/dev/null
}

bench trivial \
  divvy "$DIVVY trivial --workers 2 --items $TRIVIAL_ITEMS" \
  "divvy, framework-dependent build" "$DIVVY_FD trivial --workers 2 --items $TRIVIAL_ITEMS" \
  "python Pool imap_unordered chunksize 1" "$PY trivial --impl pool1 --workers 2 --items $TRIVIAL_ITEMS" \
  "python Pool map default chunks" "$PY trivial --impl pool --workers 2 --items $TRIVIAL_ITEMS" \
  "python ProcessPoolExecutor" "$PY trivial --impl executor --workers 2 --items $TRIVIAL_ITEMS"
bench trivial-1 \
  divvy "$DIVVY trivial --workers 2 --items 1" \
  "divvy, framework-dependent build" "$DIVVY_FD trivial --workers 2 --items 1" \
  "python Pool spawn" "$PY trivial --impl pool1 --start spawn --workers 2 --items 1" \
  "python Pool imap_unordered chunksize 1" "$PY trivial --impl pool1 --workers 2 --items 1" \
  "python Pool map default chunks" "$PY trivial --impl pool --workers 2 --items 1"
bench startup-8 \
  divvy "$DIVVY trivial --workers 8 --items 8" \
  "divvy, framework-dependent build" "$DIVVY_FD trivial --workers 8 --items 8" \
  "python Pool spawn" "$PY trivial --impl pool1 --start spawn --workers 8 --items 8"
for n in 5 20; do
  bench "sleep-$n" \
    divvy "$DIVVY sleep --workers $n --items $SLEEP_ITEMS --sleep-ms 150" \
    "python Pool imap_unordered chunksize 1" "$PY sleep --impl pool1 --workers $n --items $SLEEP_ITEMS --sleep-ms 150" \
    "python ProcessPoolExecutor" "$PY sleep --impl executor --workers $n --items $SLEEP_ITEMS --sleep-ms 150" \
    "xargs -P (a process per item)" "seq $SLEEP_ITEMS | xargs -P $n -n 1 sh -c 'sleep 0.15'"
done
for n in 1 2; do
  bench "cpu-$n" \
    divvy "$DIVVY cpu --workers $n --items $CPU_ITEMS --rounds 250 --size 65536" \
    "python Pool imap_unordered chunksize 1" "$PY cpu --impl pool1 --workers $n --items $CPU_ITEMS --rounds 250 --size 65536"
done
bench payload \
  divvy "$DIVVY payload --workers 2 --items $PAYLOAD_ITEMS --payload 65536" \
  "python Pool imap_unordered chunksize 1" "$PY payload --impl pool1 --workers 2 --items $PAYLOAD_ITEMS --payload 65536"
bench payload-echo \
  divvy "$DIVVY payload --workers 2 --items $PAYLOAD_ITEMS --payload 65536 --echo" \
  "python Pool imap_unordered chunksize 1" "$PY payload --impl pool1 --workers 2 --items $PAYLOAD_ITEMS --payload 65536 --echo"

# Floors, without Divvy: starting this program and an interpreter, and a raw pipe round trip.
bench floor-start \
  "Divvy.Bench hello (self-contained composite)" "$DIVVY hello" \
  "Divvy.Bench hello (framework-dependent)" "$DIVVY_FD hello" \
  "python3 -c pass" "python3 -c pass"
"$DIVVY" pingpong --items "$(scale 100000 5000)" > "$work/pingpong.txt"

# Memory of idle workers: start a long sleep run, wait, read smaps_rollup of master and one worker.
memory() {
  local label="$1"; shift
  "$@" >/dev/null 2>&1 & local master=$!
  sleep 3
  local worker; worker="$(pgrep -P "$master" | head -n 1 || true)"
  for pair in "master:$master" "worker:$worker"; do
    local role="${pair%%:*}" pid="${pair#*:}"
    [[ -n "$pid" && -r "/proc/$pid/smaps_rollup" ]] || continue
    local hwm pss dirty
    hwm="$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")"
    pss="$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup")"
    dirty="$(awk '/^Private_Dirty:/ {print $2}' "/proc/$pid/smaps_rollup")"
    echo "$label|$role|$hwm|$pss|$dirty" >> "$work/memory.txt"
  done
  kill "$master" 2>/dev/null || true
  wait "$master" 2>/dev/null || true
}
: > "$work/memory.txt"
memory divvy $DIVVY sleep --workers 2 --items 2 --sleep-ms 8000
memory "python spawn" $PY sleep --impl pool1 --start spawn --workers 2 --items 2 --sleep-ms 8000

python3 bench/peers/report.py "$work" "$RUNS" "$QUICK" > "$OUT"
echo "bench: wrote $OUT" >&2
