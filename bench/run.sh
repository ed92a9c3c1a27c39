#!/usr/bin/env bash
# Runs Divvy.Bench and its Python peers side by side with hyperfine and writes docs/benchmarks.md.
# Absolute times drift on a shared 2-core machine; compare ratios within one run.
#   bench/run.sh                  full sizes, 5 runs per command (several minutes)
#   RUNS=1 QUICK=1 bench/run.sh   small sizes, one run each (a minute or two)
#
# Headline rows are what a user gets by default:
#  - Divvy: the package as `dotnet pack src/Divvy` packs it, referenced by a plain `dotnet new console`
#    project holding bench/Divvy.Bench's sources, built with `dotnet build -c Release` (framework-
#    dependent, no RID, no ReadyToRun of the app) and run as `dotnet Divvy.Bench.dll`.
#  - Python: the real interpreter behind `python3` (resolved once; never a pyenv shim) with its
#    platform's default start method (fork on Linux): pypool.py sets none unless --start is given.
#  - The `divvy` tool as `dotnet tool install` installs it from a local feed (the RID-specific,
#    ReadyToRun package for this machine), running the same sources' CommandJob from the default build's
#    Divvy.Bench.dll: `divvy -n 2 --job CommandJob Divvy.Bench.dll trivial --items M` (trivial and start-up rows).
# Extra rows, labelled: the same project published self-contained with a composite ReadyToRun image,
# and framework-dependent with ReadyToRun; Python's spawn start method (the like-for-like of fresh
# .NET worker processes). Floor rows: the same work in the same number of plain .NET processes with
# no Divvy code (Divvy.Bench floor, bench/Divvy.Bench/Floors.cs), what the machine and runtime cost.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS="${RUNS:-5}"
QUICK="${QUICK:-0}"
OUT="${OUT:-docs/benchmarks.md}"
work="$(mktemp -d)"
package_version=""
tool_version=""
cleanup() {
  if [[ "${KEEP_WORK:-0}" == 1 ]]; then echo "bench: kept $work" >&2; else rm -rf "$work"; fi
  # The packed dev version is unique to this run; drop it from the NuGet cache again.
  if [[ -n "$package_version" ]]; then rm -rf "${NUGET_PACKAGES:-$HOME/.nuget/packages}/divvy/$package_version"; fi
  if [[ -n "$tool_version" ]]; then rm -rf "${NUGET_PACKAGES:-$HOME/.nuget/packages}"/divvy.cli*/"$tool_version"; fi
}
trap cleanup EXIT

if ! command -v hyperfine >/dev/null; then
  echo "bench: installing hyperfine (Debian package)" >&2
  apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null
fi

# The real Python interpreter: `python3` on PATH may be a pyenv shim (a bash script that re-execs).
PY_EXE="$(python3 -c 'import sys; print(sys.executable)')"
if [[ "$(head -c 4 "$PY_EXE" | od -An -c | tr -d ' ')" != '177ELF' ]]; then
  echo "bench: $PY_EXE is not an ELF executable (a shim?); set PY_EXE to the real interpreter" >&2
  exit 1
fi
export PY_EXE
echo "bench: python $PY_EXE ($("$PY_EXE" --version 2>&1), default start method $("$PY_EXE" -c 'import multiprocessing as m; print(m.get_start_method())'))" >&2
PY="$PY_EXE bench/peers/pypool.py"

# Divvy as packed, and a user's project around the bench sources.
echo "bench: packing src/Divvy and building the bench against the package" >&2
dotnet pack src/Divvy -c Release -o "$work/feed" -nologo -v q >/dev/null
nupkg="$(ls "$work"/feed/Divvy.0*.nupkg)"
package_version="$(basename "$nupkg" .nupkg)"; package_version="${package_version#Divvy.}"
app="$work/app"
mkdir -p "$app"
cp bench/Divvy.Bench/*.cs "$app/"
cat > "$app/Divvy.Bench.csproj" <<CSPROJ
<Project Sdk="Microsoft.NET.Sdk">
  <!-- What \`dotnet new console\` writes, plus \`dotnet add package Divvy\`. -->
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Divvy" Version="$package_version" />
  </ItemGroup>
</Project>
CSPROJ
cat > "$app/nuget.config" <<NUGET
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="divvy-local" value="$work/feed" />
  </packageSources>
</configuration>
NUGET
dotnet build "$app" -c Release -o "$work/default" -nologo -v q >/dev/null
dotnet publish "$app" -c Release -r linux-x64 --self-contained true -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true -o "$work/sc" -nologo -v q >/dev/null
# The two publishes share obj/ and bin/ for the RID: clear them so no self-contained leftover reaches the framework-dependent one.
rm -rf "$app/obj/Release/net10.0/linux-x64" "$app/bin/Release/net10.0/linux-x64"
dotnet publish "$app" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$work/fd" -nologo -v q >/dev/null
echo "$package_version" > "$work/package-version.txt"

# The divvy tool, packed and installed as a user installs it. Only this machine's RID is packed (the
# other RIDs' packages take minutes and are not what `dotnet tool install` picks here).
echo "bench: packing src/Divvy.Cli and installing the divvy tool from the local feed" >&2
host_rid="$(dotnet --info | awk '$1 == "RID:" {print $2; exit}')"
dotnet pack src/Divvy.Cli -c Release -o "$work/feed" -nologo -v q -p:DivvyRuntimeIdentifiers="$host_rid" >/dev/null
tool_version="$(basename "$(ls "$work"/feed/Divvy.Cli.0*.nupkg)" .nupkg)"; tool_version="${tool_version#Divvy.Cli.}"
dotnet tool install --tool-path "$work/tool" --add-source "$work/feed" Divvy.Cli --version "$tool_version" >/dev/null
echo "$tool_version $host_rid" > "$work/tool-version.txt"
TOOL="$work/tool/divvy -n"
TOOL_JOB="--job CommandJob $work/default/Divvy.Bench.dll"
DIVVY="dotnet $work/default/Divvy.Bench.dll"
DIVVY_SC="$work/sc/Divvy.Bench"
DIVVY_FD="$work/fd/Divvy.Bench"

# Runner names: bench/peers/report.py matches on them.
D="divvy, default build"
D_SC="divvy, self-contained composite ReadyToRun (tuned)"
D_FD="divvy, framework-dependent ReadyToRun (tuned)"
DT="divvy tool (dotnet tool install)"
P="python Pool.map, default chunks"
P1="python Pool chunksize 1"
PS="python Pool chunksize 1, spawn"
EX="python ProcessPoolExecutor"
XA="xargs -P (a process per item)"
FL="floor: the same work in N plain .NET processes, no Divvy"

scale() { if [[ "$QUICK" == 1 ]]; then echo "$2"; else echo "$1"; fi; }
TRIVIAL_ITEMS=$(scale 200000 2000)
SLEEP_ITEMS=$(scale 100 20)
CPU_ITEMS=$(scale 200 20)
PAYLOAD_ITEMS=$(scale 2000 100)
printf 'TRIVIAL_ITEMS=%s\nSLEEP_ITEMS=%s\nCPU_ITEMS=%s\nPAYLOAD_ITEMS=%s\n' "$TRIVIAL_ITEMS" "$SLEEP_ITEMS" "$CPU_ITEMS" "$PAYLOAD_ITEMS" > "$work/sizes.txt"

# bench NAME runner-name 'command' [runner-name 'command']...  (records the load average before it)
bench() {
  local name="$1"; shift
  echo "bench: $name (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  echo "$name $(cut -d' ' -f1-3 /proc/loadavg)" >> "$work/load.txt"
  local args=(--runs "$RUNS" --warmup 1 --export-json "$work/$name.json" --style none)
  while (($#)); do args+=(-n "$1" "$2"); shift 2; done
  hyperfine "${args[@]}" >/dev/null
}
: > "$work/load.txt"

bench trivial \
  "$D" "$DIVVY trivial --workers 2 --items $TRIVIAL_ITEMS" \
  "$P" "$PY trivial --impl pool --workers 2 --items $TRIVIAL_ITEMS" \
  "$P1" "$PY trivial --impl pool1 --workers 2 --items $TRIVIAL_ITEMS" \
  "$D_SC" "$DIVVY_SC trivial --workers 2 --items $TRIVIAL_ITEMS" \
  "$D_FD" "$DIVVY_FD trivial --workers 2 --items $TRIVIAL_ITEMS" \
  "$DT" "$TOOL 2 $TOOL_JOB trivial --items $TRIVIAL_ITEMS" \
  "$FL" "$DIVVY floor trivial --workers 2 --items $TRIVIAL_ITEMS"
bench trivial-1 \
  "$D" "$DIVVY trivial --workers 2 --items 1" \
  "$P" "$PY trivial --impl pool --workers 2 --items 1" \
  "$P1" "$PY trivial --impl pool1 --workers 2 --items 1" \
  "$PS" "$PY trivial --impl pool1 --start spawn --workers 2 --items 1" \
  "$D_SC" "$DIVVY_SC trivial --workers 2 --items 1" \
  "$D_FD" "$DIVVY_FD trivial --workers 2 --items 1" \
  "$DT" "$TOOL 2 $TOOL_JOB trivial --items 1" \
  "$FL" "$DIVVY floor trivial --workers 2 --items 1"
bench startup-8 \
  "$D" "$DIVVY trivial --workers 8 --items 8" \
  "$P" "$PY trivial --impl pool --workers 8 --items 8" \
  "$P1" "$PY trivial --impl pool1 --workers 8 --items 8" \
  "$PS" "$PY trivial --impl pool1 --start spawn --workers 8 --items 8" \
  "$D_SC" "$DIVVY_SC trivial --workers 8 --items 8" \
  "$D_FD" "$DIVVY_FD trivial --workers 8 --items 8" \
  "$DT" "$TOOL 8 $TOOL_JOB trivial --items 8" \
  "$FL" "$DIVVY floor trivial --workers 8 --items 8"
for n in 5 20; do
  bench "sleep-$n" \
    "$D" "$DIVVY sleep --workers $n --items $SLEEP_ITEMS --sleep-ms 150" \
    "$P" "$PY sleep --impl pool --workers $n --items $SLEEP_ITEMS --sleep-ms 150" \
    "$P1" "$PY sleep --impl pool1 --workers $n --items $SLEEP_ITEMS --sleep-ms 150" \
    "$PS" "$PY sleep --impl pool1 --start spawn --workers $n --items $SLEEP_ITEMS --sleep-ms 150" \
    "$EX" "$PY sleep --impl executor --workers $n --items $SLEEP_ITEMS --sleep-ms 150" \
    "$D_SC" "$DIVVY_SC sleep --workers $n --items $SLEEP_ITEMS --sleep-ms 150" \
    "$XA" "seq $SLEEP_ITEMS | xargs -P $n -n 1 sh -c 'sleep 0.15'" \
    "$FL" "$DIVVY floor sleep --workers $n --items $SLEEP_ITEMS --sleep-ms 150"
done
# Latency-bound items on 4 processes: one item at a time per worker (the default) against --per-worker 5.
bench sleep-per-worker \
  "divvy -n 4, one item per worker (default)" "$DIVVY sleep --workers 4 --items $SLEEP_ITEMS --sleep-ms 150" \
  "divvy -n 4 --per-worker 5" "$DIVVY sleep --workers 4 --items $SLEEP_ITEMS --sleep-ms 150 --per-worker 5" \
  "python Pool(4) chunksize 1" "$PY sleep --impl pool1 --workers 4 --items $SLEEP_ITEMS --sleep-ms 150" \
  "python Pool(20) chunksize 1" "$PY sleep --impl pool1 --workers 20 --items $SLEEP_ITEMS --sleep-ms 150"
for n in 1 2; do
  bench "cpu-$n" \
    "$D" "$DIVVY cpu --workers $n --items $CPU_ITEMS --rounds 250 --size 65536" \
    "$P" "$PY cpu --impl pool --workers $n --items $CPU_ITEMS --rounds 250 --size 65536" \
    "$P1" "$PY cpu --impl pool1 --workers $n --items $CPU_ITEMS --rounds 250 --size 65536" \
    "$D_SC" "$DIVVY_SC cpu --workers $n --items $CPU_ITEMS --rounds 250 --size 65536" \
    "$FL" "$DIVVY floor cpu --workers $n --items $CPU_ITEMS --rounds 250 --size 65536"
done
for echo in "" "--echo"; do
  bench "payload${echo:+-echo}" \
    "$D" "$DIVVY payload --workers 2 --items $PAYLOAD_ITEMS --payload 65536 $echo" \
    "$P" "$PY payload --impl pool --workers 2 --items $PAYLOAD_ITEMS --payload 65536 $echo" \
    "$P1" "$PY payload --impl pool1 --workers 2 --items $PAYLOAD_ITEMS --payload 65536 $echo" \
    "$D_SC" "$DIVVY_SC payload --workers 2 --items $PAYLOAD_ITEMS --payload 65536 $echo" \
    "$FL" "$DIVVY floor payload --workers 2 --items $PAYLOAD_ITEMS --payload 65536 $echo"
done

# Floors, without Divvy: starting this program and an interpreter, and a raw pipe round trip.
bench floor-start \
  "Divvy.Bench hello (default build, dotnet Divvy.Bench.dll)" "$DIVVY hello" \
  "Divvy.Bench hello (self-contained composite)" "$DIVVY_SC hello" \
  "Divvy.Bench hello (framework-dependent ReadyToRun)" "$DIVVY_FD hello" \
  "python -c pass" "$PY_EXE -c pass"
$DIVVY pingpong --items "$(scale 100000 5000)" > "$work/pingpong.txt"

# Memory: master and idle workers (each blocked in a long sleep item), N=2.
echo "memory $(cut -d' ' -f1-3 /proc/loadavg)" >> "$work/load.txt"
: > "$work/memory.jsonl"
memory() { "$PY_EXE" bench/peers/memory.py "$work/memory.jsonl" "$1" 2 -- "${@:2}"; }
memory "$D" $DIVVY sleep --workers 2 --items 2 --sleep-ms 60000
memory "$D_SC" $DIVVY_SC sleep --workers 2 --items 2 --sleep-ms 60000
memory "$P1" $PY sleep --impl pool1 --workers 2 --items 2 --sleep-ms 60000
memory "$PS" $PY sleep --impl pool1 --start spawn --workers 2 --items 2 --sleep-ms 60000
echo "end $(cut -d' ' -f1-3 /proc/loadavg)" >> "$work/load.txt"

"$PY_EXE" bench/peers/report.py "$work" "$RUNS" "$QUICK" > "$OUT"
echo "bench: wrote $OUT" >&2
