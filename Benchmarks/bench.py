#!/usr/bin/env python3
"""swarmsafe read benchmark: wall time and peak memory of `dump objects service` on a large
real state (bench-large: 3000 services, 7800 tasks, a 4 MB snapshot and a 20 MB log tail).

Figures are medians over several runs, and each is also given as a ratio to a baseline
measured in the same run (sha256sum of the same folder: reading every byte once), so runs on
different machines can be compared. Not part of the test suite.

usage: Benchmarks/bench.py [--runs N] [--fixture PATH/TO/bench-large.tar.gz] [--bin PATH]
"""
import argparse, os, resource, shutil, statistics, subprocess, sys, tempfile, time

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)

def measure(cmd):
    """Wall seconds and peak RSS (MiB) of one child process."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}: {p.stderr.read().decode()[-300:]}")
    return wall, usage.ru_maxrss / 1024.0

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--fixture", default=os.path.join(root, "..", "shared", "fixtures", "bench-large.tar.gz"))
    ap.add_argument("--bin", default=None)
    args = ap.parse_args()
    if args.bin is None:
        subprocess.run(["swift", "build", "-c", "release", "--product", "swarmsafe"], cwd=root, check=True,
                       stdout=subprocess.DEVNULL)
        bindir = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=root, check=True,
                                capture_output=True, text=True).stdout.strip()
        args.bin = os.path.join(bindir, "swarmsafe")
    work = tempfile.mkdtemp(prefix="swarmsafe-bench-")
    try:
        subprocess.run(["tar", "-xzf", args.fixture, "-C", work], check=True)
        state = os.path.join(work, "bench-large", "manager-1")
        files = [os.path.join(d, f) for d, _, fs in os.walk(state) for f in fs]
        cases = {
            "baseline: sha256sum of the folder": ["sha256sum"] + files,
            "swarmsafe dump objects service": [args.bin, "dump", "objects", "service", "--state-dir", state],
            "swarmsafe inspect --json": [args.bin, "inspect", "--json", "--state-dir", state],
        }
        out = os.path.join(work, "rewrite-out")
        # decrypt = read + replay-free full rewrite of snapshot and log + fsync: the writer's cost.
        cases["swarmsafe decrypt (read + write + fsync)"] = [args.bin, "decrypt", "--state-dir", state, "--output", out]
        results = {}
        for name, cmd in cases.items():
            def once():
                shutil.rmtree(out, ignore_errors=True)
                return measure(cmd)
            once()  # warm the page cache and the binary
            runs = [once() for _ in range(args.runs)]
            results[name] = (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))
        base = results["baseline: sha256sum of the folder"][0]
        print(f"machine: {os.cpu_count()} cores, {os.uname().machine}, median of {args.runs} runs")
        for name, (wall, rss) in results.items():
            print(f"{name:42s} {wall*1000:8.0f} ms  {rss:7.1f} MiB peak  {wall/base:5.2f}x baseline")
        read = results["swarmsafe inspect --json"][0]
        rewrite = results["swarmsafe decrypt (read + write + fsync)"][0]
        print(f"rewrite / read (decrypt vs inspect): {rewrite/read:.2f}x  (target <= 2x)")
    finally:
        shutil.rmtree(work, ignore_errors=True)

if __name__ == "__main__":
    main()
