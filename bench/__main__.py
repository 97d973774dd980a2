"""`make bench` runs every benchmark in bench/; `--quick` runs each on a small dataset (CI keeps them working).

Benchmarks measure; they never assert timings. Figures go to docs/benchmarks.md with the machine they ran on.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import platform
import sys
from pathlib import Path

import bench


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="small datasets, for CI")
    parser.add_argument("names", nargs="*", help="only these benchmarks (module names in bench/)")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, python {platform.python_version()}")
    modules = [m.name for m in pkgutil.iter_modules([str(Path(bench.__file__).parent)]) if m.name.startswith("bench_")]
    for name in sorted(modules):
        if args.names and name not in args.names:
            continue
        module = importlib.import_module(f"bench.{name}")
        print(f"== {name}")
        module.run(quick=args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
