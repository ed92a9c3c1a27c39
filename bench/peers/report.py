#!/usr/bin/env python3
"""Renders hyperfine's JSON exports (one per workload) and the memory samples as docs/benchmarks.md.

    report.py WORK RUNS QUICK     (bench/run.sh calls it with the real interpreter, PY_EXE)

Every ratio and derived figure is computed from medians of this one run.
"""
import json
import math
import multiprocessing
import os
import platform
import subprocess
import sys

work, runs, quick = sys.argv[1], sys.argv[2], sys.argv[3] == "1"

# Runner names, as bench/run.sh gives them to hyperfine.
D = "divvy, default build"
D_SC = "divvy, self-contained composite ReadyToRun (tuned)"
D_FD = "divvy, framework-dependent ReadyToRun (tuned)"
DT = "divvy tool (dotnet tool install)"
P = "python Pool.map, default chunks"
P1 = "python Pool chunksize 1"
PS = "python Pool chunksize 1, spawn"
EX = "python ProcessPoolExecutor"
XA = "xargs -P (a process per item)"
FL = "floor: the same work in N plain .NET processes, no Divvy"
HEADLINE = (D, P, P1, PS)

sizes = dict(line.strip().split("=") for line in open(os.path.join(work, "sizes.txt")) if "=" in line)
TRIVIAL = int(sizes["TRIVIAL_ITEMS"])
SLEEP = int(sizes["SLEEP_ITEMS"])
CPU = int(sizes["CPU_ITEMS"])
PAYLOAD = int(sizes["PAYLOAD_ITEMS"])
PAYLOAD_BYTES = 65536
load = dict(line.split(" ", 1) for line in open(os.path.join(work, "load.txt")).read().splitlines() if line)
package_version = open(os.path.join(work, "package-version.txt")).read().strip()
tool_version_path = os.path.join(work, "tool-version.txt")
tool_version, tool_rid = open(tool_version_path).read().split() if os.path.exists(tool_version_path) else ("?", "?")
start_method = multiprocessing.get_start_method()

TITLES = {
    "trivial": f"trivial: {TRIVIAL:,} items, N=2, item = i, Perform returns i * 2",
    "trivial-1": "trivial, 1 item, N=2 (start-up)",
    "startup-8": "start-up: 8 items, N=8",
    "sleep-5": f"sleep 150 ms x {SLEEP}, N=5",
    "sleep-20": f"sleep 150 ms x {SLEEP}, N=20",
    "sleep-per-worker": f"sleep 150 ms x {SLEEP} on 4 processes, one item per worker vs --per-worker 5 (ideal {math.ceil(SLEEP / 20) * 0.15:.2f} s with 20 at once)",
    "cpu-1": f"cpu: {CPU} items of SHA-256 over a 64 KiB zero buffer x 250, N=1",
    "cpu-2": "cpu: the same, N=2",
    "payload": f"payload: {PAYLOAD:,} x 64 KiB to the worker, N=2",
    "payload-echo": f"payload: {PAYLOAD:,} x 64 KiB, echoed back, N=2",
    "floor-start": "floor: starting a program that does nothing",
}


def load_results(name):
    path = os.path.join(work, f"{name}.json")
    return json.load(open(path))["results"] if os.path.exists(path) else []


def median(name, command=D):
    return next((r["median"] for r in load_results(name) if r["command"] == command), math.nan)


def table(name):
    results = load_results(name)
    if not results:
        return ""
    base = next((r for r in results if r["command"] == D), results[0])
    lines = [f"### {TITLES.get(name, name)}", "", f"Load average before: {load.get(name, '?')}.", "",
             f"| runner | median (s) | min (s) | max (s) | time / {base['command']} |", "| --- | ---: | ---: | ---: | ---: |"]
    for r in results:
        lines.append(f"| {r['command']} | {r['median']:.3f} | {r['min']:.3f} | {r['max']:.3f} | {r['median'] / base['median']:.2f}x |")
    return "\n".join(lines) + "\n"


def marginal_ns(command):
    return (median("trivial", command) - median("trivial-1", command)) / (TRIVIAL - 1) * 1e9


def efficiency(n, command):
    return math.ceil(SLEEP / n) * 0.15 / median(f"sleep-{n}", command)


def speedup(command):
    return median("cpu-1", command) / median("cpu-2", command)


def throughput(name, command):
    return PAYLOAD * PAYLOAD_BYTES / median(name, command) / 1e6


memory = {}
for line in open(os.path.join(work, "memory.jsonl")):
    row = json.loads(line)
    memory[(row["label"], row["role"])] = row


def mib(kb):
    return kb / 1024


def private(row):
    return row["private_clean"] + row["private_dirty"]


def fmt(value, pattern, missing=""):
    return missing if value is None or (isinstance(value, float) and math.isnan(value)) else pattern.format(value)


def cell(kind, command):
    if kind == "trivial":
        return fmt(median("trivial", command), "{:.3f} s")
    if kind == "trivial-1":
        return fmt(median("trivial-1", command), "{:.3f} s")
    if kind == "marginal":
        return fmt(marginal_ns(command), "{:.0f} ns")
    if kind == "startup-8":
        return fmt(median("startup-8", command), "{:.3f} s")
    if kind == "sleep":
        if all(math.isnan(efficiency(n, command)) for n in (5, 20)):
            return ""
        return " / ".join(fmt(efficiency(n, command), "{:.0%}", "-") for n in (5, 20))
    if kind == "cpu":
        return fmt(speedup(command), "{:.2f}x")
    if kind == "payload":
        if math.isnan(median("payload", command)):
            return ""
        return " / ".join(fmt(throughput(name, command), "{:.0f}", "-") for name in ("payload", "payload-echo")) + " MB/s"
    if kind == "memory":
        worker, master = memory.get((command, "worker 1")), memory.get((command, "master"))
        if not worker or not master:
            return ""
        return f"{mib(private(worker)):.1f} / {mib(worker['pss']):.1f} / {mib(master['pss']):.1f} MiB"
    raise KeyError(kind)


ROWS = [
    ("trivial", f"{TRIVIAL:,} trivial items, N=2 (whole process)"),
    ("trivial-1", "1 trivial item, N=2 (whole process)"),
    ("marginal", f"marginal cost per item, ({TRIVIAL // 1000}k - 1 item) / {TRIVIAL - 1:,}"),
    ("startup-8", "8 items, N=8 (start-up)"),
    ("sleep", f"{SLEEP} x sleep 150 ms, N=5 / N=20 (efficiency = ideal / actual)"),
    ("cpu", "cpu-bound, N=2 over N=1 (speedup)"),
    ("payload", f"{PAYLOAD:,} x 64 KiB, to worker / echoed (items x 65,536 B / whole-process time)"),
    ("memory", "idle worker private (Private_Clean + Private_Dirty) / worker Pss / master Pss, N=2"),
]


def python_version():
    return subprocess.run([sys.executable, "--version"], capture_output=True, text=True).stdout.strip()


out = ["# Benchmarks", ""]
out.append(f"Generated by `bench/run.sh` ({'QUICK sizes, ' if quick else ''}{runs} runs per command after one warm-up, medians, hyperfine). "
           "Every command is a whole process, start-up included; every ratio and derived figure below comes from this one run.")
out.append("")
out.append(f"- Machine: {os.cpu_count()} cores, {platform.platform()}, .NET SDK {subprocess.run(['dotnet', '--version'], capture_output=True, text=True).stdout.strip()}. "
           f"Shared with another engineer's builds: load average (1/5/15 min) {load.get('trivial', '?')} at the start, {load.get('end', '?')} at the end; each table gives its own. "
           f"A load above {os.cpu_count()} means runners waited for a core: absolute times, start-up and sleep efficiencies then come out worse than on a quiet machine, "
           "and hyperfine runs one runner after the other, so a load that changes during a table reaches its runners unequally.")
out.append(f"- Python: `{sys.executable}` ({python_version()}), the interpreter `python3` resolves to, run directly (not through the pyenv shim). "
           f"Its default start method here is `{start_method}`.")
out.append("")
out.append("Which build or variant each runner is:")
out.append("")
out.append(f"- **{D}** (headline): Divvy {package_version} as `dotnet pack src/Divvy -c Release` packs it, in a local feed; "
           "a plain `dotnet new console` project (no settings added) with bench/Divvy.Bench's sources and a `PackageReference` to it, "
           "built with `dotnet build -c Release` (framework-dependent, no RID, no ReadyToRun of the app) and run as `dotnet Divvy.Bench.dll`. "
           "Its runtime settings are the ones the package brings (build/Divvy.props).")
out.append(f"- **{DT}** (headline, trivial and start-up rows): Divvy.Cli {tool_version} as `dotnet pack src/Divvy.Cli` packs it for this machine ({tool_rid}), "
           "installed with `dotnet tool install --tool-path <temp> --add-source <feed> Divvy.Cli` (the RID-specific, ReadyToRun, framework-dependent package), "
           "running `CommandJob` from the default build's Divvy.Bench.dll: `divvy -n N --job CommandJob Divvy.Bench.dll trivial --items M`.")
out.append(f"- **{D_SC}** (extra): the same project and package, `dotnet publish -r linux-x64 --self-contained -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true`, run through its apphost.")
out.append(f"- **{D_FD}** (extra): the same, `dotnet publish -r linux-x64 --self-contained false -p:PublishReadyToRun=true`, run through its apphost.")
out.append(f"- **{P}** (headline): `Pool(N).map(f, items)` with its default chunking, default start method (`{start_method}`).")
out.append(f"- **{P1}** (headline): `Pool(N).imap_unordered(f, items, chunksize=1)` (one item per message, as Divvy sends), default start method (`{start_method}`).")
out.append(f"- **{PS}** (extra): the same with `spawn`: fresh interpreter processes, the like-for-like of fresh .NET worker processes.")
out.append(f"- **{EX}**, **{XA}**: further reference points (default start method; a `sh -c sleep` process per item).")
out.append("")
out.append("Time ratios in the tables are runner time / default-build Divvy time: above 1 means Divvy was faster.")
out.append("")
out.append("## Headline")
out.append("")
out.append(f"| workload | Divvy, default build | `Pool` ({start_method}, default chunks) | `Pool` chunksize 1 ({start_method}) | `Pool` chunksize 1, spawn | Divvy, self-contained composite R2R (tuned) | `divvy` tool (dotnet tool install) | floor: same work, plain .NET processes, no Divvy |")
out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for kind, label in ROWS:
    out.append(f"| {label} | " + " | ".join(cell(kind, c) for c in HEADLINE + (D_SC, DT, FL)) + " |")
out.append("")
out.append(f"Empty cells were not measured: spawn runs only in the start-up, sleep and memory rows, the `divvy` tool only in the trivial and start-up rows; memory is sampled once for fork `Pool` "
           f"(under chunksize 1: `Pool.map` starts the same processes). Marginal cost: whole-process medians of the {TRIVIAL:,}-item and 1-item runs "
           "of the same runner; for chunked `Pool.map` it is within the noise of two timings.")
out.append("")


def verdict(ok, floor_ok=None):
    if ok:
        return "**met**"
    return "**missed**; the floor misses it too" if floor_ok is False else "**missed**"


def ok_floor(test, *values):
    """Whether the floor row meets the target; None when it was not measured."""
    return None if any(math.isnan(v) for v in values) else test(*values)


# (target, measured for Divvy's default build, the same measured for the floor, verdict)
targets = []
r = median("trivial", P) / median("trivial")
rf = median("trivial", P) / median("trivial", FL)
targets.append((f"trivial {TRIVIAL:,} items: at least as fast as Pool.map default chunks", f"{median('trivial'):.3f} s vs {median('trivial', P):.3f} s ({r:.2f}x)",
                fmt(median("trivial", FL), "{:.3f} s") + fmt(rf, " ({:.2f}x)"), verdict(r >= 1, ok_floor(lambda x: x >= 1, rf))))
r = median("trivial", P1) / median("trivial")
rf = median("trivial", P1) / median("trivial", FL)
targets.append((f"trivial {TRIVIAL:,} items: at least 10x Pool chunksize 1", f"{r:.2f}x ({median('trivial', P1):.3f} s)", fmt(rf, "{:.2f}x"), verdict(r >= 10, ok_floor(lambda x: x >= 10, rf))))
targets.append(("marginal cost per item at most Pool.map chunked", f"{marginal_ns(D):.0f} ns vs {marginal_ns(P):.0f} ns", fmt(marginal_ns(FL), "{:.0f} ns"),
                verdict(marginal_ns(D) <= marginal_ns(P), ok_floor(lambda x: x <= marginal_ns(P), marginal_ns(FL)))))
for name, label in (("trivial-1", "1 item N=2"), ("startup-8", "8 items N=8")):
    mine, spawn, floor = median(name), median(name, PS), median(name, FL)
    targets.append((f"start-up {label}: faster than Pool spawn", f"{mine:.3f} s vs {spawn:.3f} s", fmt(floor, "{:.3f} s"), verdict(mine < spawn, ok_floor(lambda x: x < spawn, floor))))
for n, goal in ((5, 0.97), (20, 0.85)):
    targets.append((f"sleep N={n}: efficiency at least {goal:.0%}", f"{efficiency(n, D):.0%}", fmt(efficiency(n, FL), "{:.0%}"),
                    verdict(efficiency(n, D) >= goal, ok_floor(lambda x: x >= goal, efficiency(n, FL)))))
targets.append(("cpu N=2 over N=1: at least 1.9x", f"{speedup(D):.2f}x", fmt(speedup(FL), "{:.2f}x"), verdict(speedup(D) >= 1.9, ok_floor(lambda x: x >= 1.9, speedup(FL)))))
if (D, "worker 1") in memory and (PS, "worker 1") in memory:
    mine, theirs = private(memory[(D, "worker 1")]), private(memory[(PS, "worker 1")])
    targets.append(("idle worker private memory at most a Pool spawn worker's", f"{mib(mine):.1f} MiB vs {mib(theirs):.1f} MiB", "", verdict(mine <= theirs)))
if (D, "master") in memory:
    pss = mib(memory[(D, "master")]["pss"])
    targets.append(("master Pss at most 20 MiB", f"{pss:.1f} MiB", "", verdict(pss <= 20)))
for name, label in (("payload", "to the worker"), ("payload-echo", "echoed")):
    r = median(name, P1) / median(name)
    rf = median(name, P1) / median(name, FL)
    targets.append((f"payload 64 KiB {label}: at least 1.5x Pool chunksize 1", f"{r:.2f}x", fmt(rf, "{:.2f}x"), verdict(r >= 1.5, ok_floor(lambda x: x >= 1.5, rf))))

out.append("## Targets (issue 12), default build, computed from this run")
out.append("")
out.append(f"The floor column is the same figure for the runner \"{FL}\": the same work dealt round-robin to the same number of plain .NET "
           "processes of the same build, streamed over their stdin with no Divvy code (no scheduling, results, retries or crash attribution). "
           "A target the floor misses is out of reach on this machine for any .NET process-per-worker design started this way.")
out.append("")
out.append("| target | measured | floor (no Divvy) | verdict |")
out.append("| --- | --- | --- | --- |")
for target, measured, floor, v in targets:
    out.append(f"| {target} | {measured} | {floor} | {v} |")
out.append("")
out.append("## Tables")
out.append("")
for name in TITLES:
    out.append(table(name))

out.append("## Floors, measured the same way")
out.append("")
pingpong = open(os.path.join(work, "pingpong.txt")).read().strip()
ns = int(pingpong.split("ns_per_roundtrip=")[1].split()[0])
out.append(f"- A raw 8-byte round trip over a pipe pair between two .NET processes (Divvy.Bench pingpong, default build, no Divvy): {ns / 1000:.1f} µs ({pingpong}).")
floors = ", ".join(f"{r['command']} {r['median'] * 1000:.0f} ms" for r in load_results("floor-start"))
out.append(f"- Starting a program that does nothing: {floors}.")
out.append("")
out.append("## Memory of idle workers (kB, from /proc/PID/smaps_rollup and VmHWM from /proc/PID/status)")
out.append("")
out.append(f"`bench/peers/memory.py` starts each runner with 2 items of a 60 s sleep at N=2, waits until both workers exist and 3 s more, "
           f"samples the master and the workers (each blocked in its sleep item), then ends the process group it started. Load average before: {load.get('memory', '?')}.")
out.append("")
out.append("| runner | process | Rss | Pss | Private_Clean | Private_Dirty | private (Clean + Dirty) | VmHWM |")
out.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for (label, role), row in memory.items():
    out.append(f"| {label} | {role} | {row['rss']} | {row['pss']} | {row['private_clean']} | {row['private_dirty']} | {private(row)} | {row['hwm']} |")
out.append("")
for appendix in ("notes.md", "micro.md"):
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", appendix)
    if os.path.exists(path):
        out.append(open(path).read())
print("\n".join(out))
