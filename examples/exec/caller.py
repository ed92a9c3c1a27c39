#!/usr/bin/env python3
"""A go-workerpool caller, pointed at `divvy exec` instead.

It does what examples/executor.php in go-workerpool does: write a task list, run the pool
with -i FILE -t 4, and json-decode the last line of stdout. Only the binary name changed.

    python3 examples/exec/caller.py [divvy command...]     (default: divvy)
"""
import json
import os
import subprocess
import sys
import tempfile

JOBS = [
    {"identifier": f"job {n}", "command": "sh", "args": ["-c", f"echo job {n} ran; exit {n % 3 == 0 and 1 or 0}"]}
    for n in range(1, 9)
]

divvy = sys.argv[1:] or ["divvy"]
with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as infile:
    json.dump(JOBS, infile)

try:
    run = subprocess.run([*divvy, "exec", "-i", infile.name, "-t", "4"], capture_output=True, text=True)
finally:
    os.unlink(infile.name)

lines = run.stdout.splitlines()
if not lines:
    print("No output from job. Consider running in verbose mode")
    sys.exit(1)

results = json.loads(lines[-1])
for result in sorted(results, key=lambda r: r["identifier"]):
    body = (result["result_body"] or "empty").strip()
    print(f"Result for {result['identifier']}: ({result['exit_code']}) {body}")
