#!/usr/bin/env python3
"""Runs a Divvy master and reports its own CPU time (user + system, its workers not included).

The master is left unreaped until it has exited: /proc/PID/stat of the zombie still holds its final
utime and stime, so the figure is exact, not sampled. With --page, headless Chromium keeps the
run's dashboard open while it lasts (started once the master says where the dashboard is).

    mastercpu.py [--page CHROMIUM] -- COMMAND...   prints: cpu_seconds wall_seconds exit_code
"""
import argparse, os, re, signal, subprocess, sys, tempfile, time

def stat(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return fields[0], (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--page", help="Chromium executable: keep the dashboard open in it")
    parser.add_argument("--events", action="store_true", help="read the dashboard's event stream with curl (the page's traffic without its rendering)")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    started = time.monotonic()
    master = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    browser = None
    profile = tempfile.mkdtemp(prefix="divvy-bench-chromium-")
    try:
        if args.page or args.events:
            for line in master.stderr:
                found = re.search(r"dashboard at (http://\S+/)", line)
                if found:
                    command = ["curl", "-sN", found.group(1) + "events"] if args.events else [
                        args.page, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}", "--remote-debugging-port=0", found.group(1)]
                    browser = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
                    break
        # Wait for the exit without reaping: os.waitid with WNOWAIT leaves the zombie's stat readable.
        os.waitid(os.P_PID, master.pid, os.WEXITED | os.WNOWAIT)
        wall = time.monotonic() - started
        _, cpu = stat(master.pid)
        code = master.wait()
        master.stderr.read()
        print(f"{cpu:.3f} {wall:.3f} {code}")
    finally:
        for process in (browser, master):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        subprocess.run(["rm", "-rf", profile])

if __name__ == "__main__":
    main()
