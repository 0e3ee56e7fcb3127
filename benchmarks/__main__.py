"""Command line of the benchmarks: `python -m benchmarks [BENCHMARK] [options]`.

    scripts/bench                     every benchmark (same as `scripts/bench all`)
    scripts/bench audit --entries N   the audit-log benchmark only

A benchmark is a module with NAME, HELP, add_arguments(parser) and run(args, workdir, report);
list it in BENCHMARKS. Option names must differ between benchmarks, since `all` takes them all.
Exit status: 0 when every correctness check passed (figures below target included), 1 on a
correctness failure, 2 on a usage error.
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from benchmarks import Report
from benchmarks import audit as audit_bench
from benchmarks import cachebust as cachebust_bench
from benchmarks import county as county_bench
from benchmarks import dividends as dividends_bench
from benchmarks import pages as pages_bench
from benchmarks import shards as shards_bench
from benchmarks import writes as writes_bench

BENCHMARKS: dict[str, ModuleType] = {audit_bench.NAME: audit_bench, pages_bench.NAME: pages_bench,
                                     writes_bench.NAME: writes_bench, dividends_bench.NAME: dividends_bench,
                                     cachebust_bench.NAME: cachebust_bench, shards_bench.NAME: shards_bench,
                                     county_bench.NAME: county_bench}


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where to write logs and databases (kept afterwards); default: a "
                             "temporary directory, removed at the end")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scripts/bench",
        description="Benchmarks of the portal. Figures are ratios to baselines measured in the "
                    "same run. Without a benchmark name, runs them all.")
    sub = parser.add_subparsers(dest="benchmark", metavar="BENCHMARK")
    for name, module in BENCHMARKS.items():
        each = sub.add_parser(name, help=module.HELP, description=module.HELP)
        _common(each)
        module.add_arguments(each)
    every = sub.add_parser("all", help="run every benchmark (the default)",
                           description="Run every benchmark: " + ", ".join(BENCHMARKS))
    _common(every)
    for module in BENCHMARKS.values():
        module.add_arguments(every)
    return parser


def _peak_rss_mib() -> float:
    """Peak resident set size of this process, in MiB."""
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def _load() -> str:
    """The 1-minute load average against the CPU count: a busy machine makes every figure noisy."""
    try:
        load = os.getloadavg()[0]
    except OSError:
        return "load unknown"
    cpus = os.cpu_count() or 1
    return f"load {load:.2f} on {cpus} CPUs" + (" — BUSY: figures are noisy" if load > cpus * 0.75 else "")


def main(argv: Sequence[str] | None = None, report: Report | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or (args_list[0].startswith("-") and args_list[0] not in ("-h", "--help")):
        args_list.insert(0, "all")
    args = build_parser().parse_args(args_list)
    report = report or Report()
    chosen = list(BENCHMARKS.values()) if args.benchmark == "all" else [BENCHMARKS[args.benchmark]]

    if args.workdir is None:
        workdir, keep = Path(tempfile.mkdtemp(prefix="sanzi-bench-")), False
    else:
        workdir, keep = args.workdir.resolve(), True
        workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    report.line(f"portal benchmarks: {', '.join(m.NAME for m in chosen)} · Python "
                f"{platform.python_version()} · {platform.machine()} · {_load()} · workdir {workdir}"
                f"{'' if keep else ' (temporary)'}")
    try:
        for module in chosen:
            module.run(args, workdir, report)
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
    report.figure("peak RSS of the benchmark process", f"{_peak_rss_mib():.0f} MiB")
    report.figure("wall time", f"{time.perf_counter() - started:.1f} s")
    report.figure("machine load at the end", _load())
    report.summary()
    return 1 if report.failures else 0


if __name__ == "__main__":
    # Killed with SIGTERM, still remove the temporary directory (the `finally` in main).
    signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))
    sys.exit(main())
