"""Benchmark of the audit log (issue 3): verify throughput, inclusion-proof latency, audited writes.

Four parts, each measured against a baseline taken in the same run:

1. Generate a village log of N entries (default 1,000,000) with the real `audit.entry.build_entry`
   (receipts, contracts, assets, corrections and withdrawals with Chinese text, decimal strings and
   `private` commitments), chained by `prev`, with a signed and co-signed checkpoint and a keys
   file: the directory `flask --app portal audit export` writes.
2. `audit.verify.verify_dir` against a bare pass over the same file (`json.loads` + SHA-256 per
   line), best of 3 each, interleaved; then `python -m audit.verify DIR` once.
3. The same entries bulk-loaded into a portal SQLite database (entries, Merkle nodes from
   `merkle.CompactRange.append`, head); latency of `audit_log.inclusion` at the full size against
   one primary-key read, every proof checked with `merkle.verify_inclusion`; then the HTTP endpoint
   through the Flask test client.
4. Audited writes (`record_receipt`, one full transaction each) on a fresh SQLite database against
   bare single-row INSERT + COMMIT transactions with the same SQLite settings; below target (or
   with --profile), where the time goes: SQLite vs Python, the statements of one write, cProfile.

One module a part: generate, verify, proofs (the bulk load in load), writes (where the time goes
in profile); common holds what they share.
"""
from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

from benchmarks import Report, count
from benchmarks.audit.common import Keys, Paths
from benchmarks.audit.generate import generate_export
from benchmarks.audit.proofs import bench_proofs
from benchmarks.audit.verify import bench_verify
from benchmarks.audit.writes import bench_writes

NAME = "audit"
HELP = ("audit log: verify throughput, inclusion-proof latency and audited writes/s, as ratios "
        "to baselines measured in the same run")

BYTES_PER_ENTRY = 2600     # disk needed per entry: the export (~0.5 KB) and the database (~2 KB)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--entries", type=_positive, default=1_000_000,
                        help="entries in the generated log (default 1,000,000)")
    parser.add_argument("--writes", type=_positive, default=5_000,
                        help="audited writes to time on SQLite (default 5,000)")
    parser.add_argument("--proofs", type=_positive, default=2_000,
                        help="inclusion proofs to time at the full size (default 2,000)")
    parser.add_argument("--http-requests", type=_positive, default=500,
                        help="inclusion-proof HTTP requests to time (default 500)")
    parser.add_argument("--proof-budget", type=float, default=30.0, metavar="SECONDS",
                        help="stop timing inclusion proofs (and, separately, HTTP requests) after "
                             "this many seconds, so a slow implementation still ends (default 30)")
    parser.add_argument("--profile", action="store_true",
                        help="profile the audited writes even when they meet the target")
    parser.add_argument("--seed", type=int, default=20261123,
                        help="seed of the generated village history and of the proof indexes")


def _positive(text: str) -> int:
    value = int(text.replace(",", "").replace("_", ""))
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    return value


def run(args: argparse.Namespace, workdir: Path, report: Report) -> None:
    needed = args.entries * BYTES_PER_ENTRY + 200 * 2**20
    free = shutil.disk_usage(workdir).free
    if free < needed:
        raise SystemExit(f"scripts/bench audit: {workdir} has {free / 2**30:.1f} GiB free, about "
                         f"{needed / 2**30:.1f} GiB are needed for {count(args.entries)} entries "
                         "(use --workdir or fewer --entries)")
    paths = Paths(workdir)
    paths.clear()
    rng = random.Random(args.seed)
    keys = Keys.generate()

    generated = generate_export(paths.export, args.entries, keys, args.seed, report)
    bench_verify(paths.export, generated, report)
    bench_proofs(paths, generated, keys, args.proofs, args.http_requests, args.proof_budget, rng,
                 report)
    bench_writes(paths.writes, args.writes, args.profile, rng, report)
