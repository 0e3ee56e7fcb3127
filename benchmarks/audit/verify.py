"""Part 2: verify throughput, `audit.verify.verify_dir` against a bare json.loads + SHA-256 pass
over the same file, then `python -m audit.verify DIR` once."""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

from audit import LogError, NoteError
from audit.verify import verify_dir
from benchmarks import Report, count, timed
from benchmarks.audit.common import COMMITTEE_KEY_NAME, PORTAL_KEY_NAME
from benchmarks.audit.generate import Generated

VERIFY_TARGET = 0.5        # verify_dir entries/s ÷ bare json.loads + SHA-256 entries/s


def baseline_pass(path: Path) -> int:
    """The bare pass: read lines in binary, json.loads + SHA-256 per line, nothing else."""
    loads, sha256 = json.loads, hashlib.sha256
    n = 0
    with open(path, "rb") as lines:
        for line in lines:
            loads(line)
            sha256(line).digest()
            n += 1
    return n


def bench_verify(directory: Path, generated: Generated, report: Report) -> None:
    size = generated.size
    report.section(f"2. Verify throughput: audit.verify.verify_dir vs json.loads + SHA-256 "
                   f"({count(size)} entries)")
    baseline_times, verify_times = [], []
    for attempt in range(1, 4):
        seconds, lines = timed(baseline_pass, directory / "entries.jsonl")
        report.check(lines == size, f"baseline pass read {lines} lines, expected {size}")
        baseline_times.append(seconds)
        try:
            seconds, result = timed(verify_dir, directory)
        except (LogError, NoteError, OSError) as error:
            report.check(False, f"verify_dir failed on the generated log: {error}")
            return
        verify_times.append(seconds)
        report.line(f"run {attempt}: baseline {baseline_times[-1]:.2f} s, verify_dir {seconds:.2f} s")
    report.check(result.size == size and result.root == generated.root and result.log == generated.code,
                 f"verify_dir: log={result.log} size={result.size} root matches the generator's: "
                 f"{result.root == generated.root}")
    report.check(result.signatures == [(PORTAL_KEY_NAME, True), (COMMITTEE_KEY_NAME, True)],
                 f"verify_dir signatures {result.signatures}")
    base_rate, verify_rate = size / min(baseline_times), size / min(verify_times)
    ratio = verify_rate / base_rate
    report.line(f"baseline (json.loads + sha256 per line): {count(base_rate)} entries/s (best of 3)")
    report.line(f"verify_dir (chain + shape + Merkle root + signatures): {count(verify_rate)} "
                "entries/s (best of 3)")
    report.line(f"ratio verify/baseline: {ratio:.2f} (target ≥ {VERIFY_TARGET})")
    report.figure("verify_dir throughput", f"{count(verify_rate)} entries/s")
    report.figure("bare json.loads+sha256 throughput", f"{count(base_rate)} entries/s")
    report.figure("verify/baseline ratio", f"{ratio:.2f}", f"≥ {VERIFY_TARGET}", ratio >= VERIFY_TARGET)

    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "audit.verify", str(directory)],
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    report.line(f"$ python -m audit.verify DIR   (exit {proc.returncode}, {seconds:.1f} s)")
    for line in (proc.stdout + proc.stderr).splitlines():
        report.line(f"  {line}")
    expected = f"OK {generated.code} size={size} root="
    report.check(proc.returncode == 0 and proc.stdout.startswith(expected),
                 f"python -m audit.verify exit {proc.returncode}: "
                 f"{(proc.stdout.strip().splitlines() or [''])[0][:200]}")
