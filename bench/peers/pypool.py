#!/usr/bin/env python3
"""The Python peers of Divvy.Bench: the same four workloads on multiprocessing / concurrent.futures.

    pypool.py WORKLOAD --impl pool1|pool|executor [--start spawn|fork|forkserver] --workers N --items M
              [--sleep-ms S] [--rounds R --size B] [--payload B] [--echo]

pool1 = Pool.imap_unordered(chunksize=1) (what imap_unordered does by default), pool = Pool.map with
its default chunking, executor = ProcessPoolExecutor.map. Without --start the platform's default start
method is used, as a Python user gets it (fork on Linux up to Python 3.13): no start method is set.
Prints "processed=N expected=M ok start=METHOD".
"""
import argparse
import hashlib
import multiprocessing as mp
import sys
import time
from concurrent.futures import ProcessPoolExecutor

_buffer = None
_args = None


def init(args):
    global _args, _buffer
    _args = args
    if args.workload == "cpu":
        _buffer = bytes(args.size)


def trivial(i):
    return i * 2


def sleep(i):
    time.sleep(_args.sleep_ms / 1000)
    return i


def cpu(i):
    for _ in range(_args.rounds):
        hashlib.sha256(_buffer).digest()
    return i


def payload(item):
    index, data = item
    return (index, data) if _args.echo else (index, b"")


def items(args):
    if args.workload != "payload":
        return range(args.items)
    def make(i):
        data = bytearray(args.payload)
        data[0:8] = i.to_bytes(8, "little")
        return (i, bytes(data))
    return (make(i) for i in range(args.items))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("workload", choices=["trivial", "sleep", "cpu", "payload"])
    parser.add_argument("--impl", choices=["pool1", "pool", "executor"], default="pool1")
    parser.add_argument("--start", choices=["spawn", "fork", "forkserver"], default=None,
                        help="start method; the platform's default when not given")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--sleep-ms", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=250)
    parser.add_argument("--size", type=int, default=1024 * 1024)
    parser.add_argument("--payload", type=int, default=64 * 1024)
    parser.add_argument("--echo", action="store_true")
    args = parser.parse_args()

    # get_context(None) is the default context: it neither sets nor fixes a start method.
    context = mp.get_context(args.start) if args.start else mp.get_context()
    fn = {"trivial": trivial, "sleep": sleep, "cpu": cpu, "payload": payload}[args.workload]
    processed = 0
    if args.impl == "executor":
        with ProcessPoolExecutor(args.workers, mp_context=context, initializer=init, initargs=(args,)) as pool:
            for _ in pool.map(fn, items(args)):
                processed += 1
    else:
        with context.Pool(args.workers, initializer=init, initargs=(args,)) as pool:
            results = pool.imap_unordered(fn, items(args), chunksize=1) if args.impl == "pool1" else pool.map(fn, items(args))
            for _ in results:
                processed += 1
    status = "ok" if processed == args.items else "MISMATCH"
    print(f"processed={processed} expected={args.items} {status} start={context.get_start_method()}")
    return 0 if status == "ok" else 3


if __name__ == "__main__":
    sys.exit(main())
