"""`make bench` runs every benchmark in bench/; `--quick` runs each on a small dataset (CI keeps them working).

Benchmarks measure; they never assert timings. Figures go to docs/benchmarks.md with the machine they ran on.
Machines of the same description differ (a shared host lends its cores to others): before each benchmark the
runner times a fixed piece of pure Python (`calibrate`) and prints it, so two runs' figures can be compared.
Each benchmark runs in its own Python process: several set up Django for their own database (SQLite in a
temporary folder, a PostgreSQL database of their own), and a process keeps the first setup it made. One that
fails does not stop the others; the exit status says whether any failed. In `--quick` mode (CI) each has a time
limit: one that hangs is stopped with the processes it started and reported as failed, so it cannot take the rest
of CI's time with it.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import platform
import signal
import subprocess
import sys
import time
from pathlib import Path

import bench

# A quick benchmark takes 20 s to 3 min on 2 cores; ten minutes means it hangs.
QUICK_LIMIT_SECONDS = 600


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="small datasets, for CI")
    parser.add_argument("names", nargs="*", help="only these benchmarks (module names in bench/)")
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {_cpu_model()}, {os.cpu_count()} cores, python {platform.python_version()}",
        flush=True,
    )
    modules = [m.name for m in pkgutil.iter_modules([str(Path(bench.__file__).parent)]) if m.name.startswith("bench_")]
    unknown = sorted(set(args.names) - set(modules))
    if unknown:
        parser.error(f"no such benchmark: {', '.join(unknown)} (there are: {', '.join(sorted(modules))})")
    chosen = [name for name in sorted(modules) if not args.names or name in args.names]
    if len(chosen) == 1:
        module = importlib.import_module(f"bench.{chosen[0]}")
        print(f"== {chosen[0]}", flush=True)
        module.run(quick=args.quick)
        return 0
    failed = []
    for name in chosen:
        started = time.monotonic()
        print(f"== {name}: started {time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime())} UTC; {calibrate()}", flush=True)
        command = [sys.executable, "-m", "bench", *(["--quick"] if args.quick else []), name]
        ok = _run_one(command, limit=QUICK_LIMIT_SECONDS if args.quick else None)
        print(f"== {name}: {'done' if ok else 'FAILED'} in {time.monotonic() - started:.0f} s", flush=True)
        if not ok:
            failed.append(name)
    if failed:
        print(f"== benchmarks failed: {', '.join(failed)}")
        return 1
    return 0


def calibrate() -> str:
    """The speed of this core now: the best and the median of five runs of the same 2,000,000-step Python loop
    (0.08 to 0.10 s on the 2.6 GHz EPYC cores of December 2026). A run whose figure is higher than another's ran on a
    slower or busier machine."""
    times = []
    for _ in range(5):
        started = time.perf_counter()
        total = 0
        for step in range(2_000_000):
            total += step
        times.append(time.perf_counter() - started)
    times.sort()
    return f"calibration loop best {times[0]:.3f} s, median {times[2]:.3f} s"


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")  # Linux; elsewhere what the platform module knows
    lines = cpuinfo.read_text().splitlines() if cpuinfo.is_file() else []
    models = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
    return models[0] if models else platform.processor() or "cpu"


def _run_one(command: list[str], *, limit: float | None) -> bool:
    """Run one benchmark's process; past `limit` seconds stop it and everything it started (its own session)."""
    process = subprocess.Popen(command, start_new_session=True)
    try:
        return process.wait(timeout=limit) == 0
    except subprocess.TimeoutExpired:
        print(f"== stopped after {limit:.0f} s: a quick benchmark that takes this long hangs", flush=True)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return False
    except BaseException:
        os.killpg(process.pid, signal.SIGKILL)
        raise


if __name__ == "__main__":
    sys.exit(main())
