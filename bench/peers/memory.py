#!/usr/bin/env python3
"""Memory of a master and its idle workers, read from /proc/PID/smaps_rollup.

    memory.py OUT LABEL WORKERS -- COMMAND...

Starts COMMAND (a run of WORKERS long sleep items, so every worker is blocked in its item and
does nothing) in a process group of its own, waits until WORKERS worker processes exist and have
settled, samples the master and each worker, then ends the group it started (SIGTERM, then
SIGKILL) and any recorded worker still alive. Appends one JSON line per process to OUT:
{"label", "role", "pid", "rss", "pss", "private_clean", "private_dirty", "hwm"} in kB.
Workers are the master's children, except Python's resource tracker and fork server.
"""
import json
import os
import signal
import subprocess
import sys
import time

SETTLE_SECONDS = 3.0
WAIT_SECONDS = 60.0


def children(pid):
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found.extend(int(c) for c in f.read().split())
    except OSError:
        pass
    return sorted(set(found))


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def workers(master):
    helpers = ("resource_tracker", "forkserver")
    return [c for c in children(master) if not any(h in cmdline(c) for h in helpers)]


def sample(pid):
    fields = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
                fields[parts[0][:-1]] = int(parts[1])
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                fields["VmHWM"] = int(line.split()[1])
    return {
        "rss": fields.get("Rss", 0),
        "pss": fields.get("Pss", 0),
        "private_clean": fields.get("Private_Clean", 0),
        "private_dirty": fields.get("Private_Dirty", 0),
        "hwm": fields.get("VmHWM", 0),
    }


def main():
    out, label, expected = sys.argv[1], sys.argv[2], int(sys.argv[3])
    command = sys.argv[sys.argv.index("--") + 1:]
    master = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    seen = {}
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while len(workers(master.pid)) < expected and time.monotonic() < deadline and master.poll() is None:
            time.sleep(0.1)
        time.sleep(SETTLE_SECONDS)
        found = workers(master.pid)
        seen = {pid: cmdline(pid) for pid in found}
        if len(found) < expected:
            print(f"memory: {label}: found {len(found)} workers, expected {expected}", file=sys.stderr)
        rows = [("master", master.pid)] + [(f"worker {i + 1}", pid) for i, pid in enumerate(found)]
        with open(out, "a") as f:
            for role, pid in rows:
                f.write(json.dumps({"label": label, "role": role, "pid": pid, **sample(pid)}) + "\n")
    finally:
        end(master, seen)
    return 0


def end(master, seen):
    """Ends the process group this script started, then any recorded worker that outlived it."""
    def signal_group(sig):
        try:
            os.killpg(master.pid, sig)
        except ProcessLookupError:
            pass

    signal_group(signal.SIGTERM)
    try:
        master.wait(timeout=10)
    except subprocess.TimeoutExpired:
        signal_group(signal.SIGKILL)
        master.wait()
    deadline = time.monotonic() + 5
    alive = lambda: [pid for pid, line in seen.items() if line and cmdline(pid) == line]
    while alive() and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in alive():
        os.kill(pid, signal.SIGKILL)


if __name__ == "__main__":
    sys.exit(main())
