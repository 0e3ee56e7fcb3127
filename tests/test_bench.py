"""Smoke test of `scripts/bench audit` at tiny sizes: the whole code path runs, prints its
figures and summary, checks its proofs, exits 0 and removes its temporary directory."""
from __future__ import annotations

import io
import re
import tempfile
from pathlib import Path

import pytest

from benchmarks import Report
from benchmarks.__main__ import main


@pytest.mark.slow
def test_audit_bench_tiny_run_prints_summary_and_exits_0(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the default workdir goes here
    out = io.StringIO()

    status = main(["audit", "--entries", "2000", "--writes", "50", "--proofs", "300", "--http-requests", "100"],
                  Report(out=out))

    text = out.getvalue()
    assert status == 0, text
    for heading in ("1. Generate a 2,000-entry village log", "2. Verify throughput",
                    "3. Inclusion proofs at 2,000 entries", "4. Audited writes on SQLite", "Summary"):
        assert heading in text, text
    assert re.search(r"^  OK dongshan size=2000 root=\S+$", text, re.M), text  # python -m audit.verify
    summary = text.split("== Summary ==", 1)[1]
    for label in ("verify/baseline ratio", "inclusion proof p95 at 2,000", "HTTP inclusion proof p95",
                  "audited writes/s on SQLite", "audited/baseline ratio", "peak RSS", "wall time",
                  "machine load"):
        assert label in summary, summary
    targeted = [line for line in summary.splitlines() if "target" in line]
    assert len(targeted) == 4, summary
    assert all(line.endswith(("PASS", "BELOW")) for line in targeted), summary
    assert re.search(r"^correctness: OK \(\d+ checks passed\)$", summary, re.M), summary
    assert "proofs verified" in text
    workdir = re.search(r"workdir (\S+) \(temporary\)", text)
    assert workdir and not Path(workdir.group(1)).exists()


def test_proof_check_catches_a_wrong_proof():
    """The benchmark's proof check (what makes it exit 1) rejects a tampered path, leaf or root."""
    from audit import merkle
    from benchmarks.audit.proofs import _check_proofs

    leaves = [merkle.leaf_hash(bytes([i]) * 32) for i in range(5)]
    tree = merkle.CompactRange()
    nodes = {}
    for leaf in leaves:
        nodes.update({(level, index): h for level, index, h in tree.append(leaf)})
    root = tree.root()
    path = merkle.inclusion_proof(3, 5, lambda level, index: nodes[(level, index)])
    good = {"index": 3, "size": 5, "leaf_hash": leaves[3].hex(), "path": [p.hex() for p in path],
            "root": root.hex()}
    known = dict(enumerate(leaves))
    assert _check_proofs([good], 5, root, known) == []

    tampered_path = {**good, "path": [path[0][::-1].hex(), *[p.hex() for p in path[1:]]]}
    wrong_leaf = {**good, "leaf_hash": leaves[2].hex()}
    wrong_root = {**good, "root": leaves[0].hex()}
    assert len(_check_proofs([tampered_path, wrong_leaf, wrong_root], 5, root, known)) == 3


@pytest.mark.postgres
def test_writes_bench_tiny_run_reports_rates_and_the_ratio(postgres_database):
    from sqlalchemy import make_url

    url = make_url(postgres_database)
    out = io.StringIO()
    status = main(["writes", "--writers", "2", "--writes-each", "3",
                   "--pg-url", url.set(database=f"{url.database}_bench").render_as_string(hide_password=False)],
                  Report(out=out))
    text = out.getvalue()
    assert status == 0, text
    assert "ratio audited/bare:" in text and "bare INSERT+COMMIT/s, 2 processes" in text, text
    assert "ratio audited/floor:" in text and "the floor: the same write in psycopg alone, 2 logs" in text, text
    assert "check OK: 2 logs, the floor (psycopg alone): 6 of 6 writes acknowledged" in text, text
    assert "check OK: the 2 logs verify after the portal's and the floor's writes" in text, text
@pytest.mark.slow
def test_dividend_bench_tiny_run_checks_its_pdf_and_reports_the_figure(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    out = io.StringIO()
    status = main(["dividends", "--dividend-lines", "30"], Report(out=out))
    text = out.getvalue()
    assert status == 0, text
    assert "30-line dividend list PDF" in text and "target ≤ 5 s" in text, text
    assert re.search(r"^correctness: OK \(3 checks passed\)$", text, re.M), text


@pytest.mark.postgres
def test_county_bench_tiny_run_generates_valid_logs_and_reports_its_figures(postgres_database):
    """`scripts/bench county` at a tiny scale, without gunicorn: the bulk generator writes village
    logs that `audit verify` accepts (live rows included), proofs verify, the figures print."""
    from sqlalchemy import make_url

    url = make_url(postgres_database)
    out = io.StringIO()
    status = main(["county", "--scale", "0.0001", "--county-skip-serve", "--county-proofs", "20",
                   "--county-url", url.set(database=f"{url.database}_county").render_as_string(hide_password=False)],
                  Report(out=out))
    text = out.getvalue()
    assert status == 0, text
    assert "2 villages" in text and "machine: " in text and "cores" in text, text
    assert re.search(r"check OK: audit verify --village c000: size 100, OK", text), text
    summary = text.split("== Summary ==", 1)[1]
    for label in ("inclusion proof p95", "verify one village / bare json.loads+SHA-256",
                  "township overview, figures kept", "township overview after writes in 2 villages",
                  "township overview counting every village", "generation projected for 2,000,000 entries"):
        assert label in summary, summary
    assert re.search(r"^correctness: OK \(\d+ checks passed\)$", summary, re.M), summary


def test_county_sizes_scale_the_totals_of_the_issue():
    from benchmarks.county.generate import Sizes

    full = Sizes.scaled(1.0)
    assert full.totals() == {"villages": 200, "contracts": 50_000, "dividend lines": 500_000,
                             "receipts": full.receipts * 200, "log entries": 2_000_000}
    tenth = Sizes.scaled(0.1)
    assert (tenth.villages, tenth.totals()["log entries"], tenth.totals()["contracts"]) == (20, 200_000, 5_000)


def test_slices_loaded_in_turn_pool_into_one_run():
    """benchmarks/load.py: a target's slices are one run; a slow slice counts by its requests."""
    from benchmarks.load import pooled

    fast = {"rps": 300.0, "requests": 300, "seconds": 1.0, "errors": 0, "status": 0, "percentiles": [10.0] * 100}
    slow = {"rps": 100.0, "requests": 100, "seconds": 1.0, "errors": 1, "status": 2, "percentiles": [1.0] * 100}
    both = pooled([fast, slow])
    assert (both["rps"], both["requests"], both["slowest"], both["fastest"]) == (200.0, 400, 100.0, 300.0)
    assert (both["p50"], both["p95"], both["errors"], both["status"]) == (10.0, 10.0, 1, 2)  # 3 in 4 took 10 ms
    ramp = pooled([{**slow, "percentiles": [float(p) for p in range(1, 101)]}])
    assert (ramp["p50"], ramp["p95"], ramp["p99"]) == (50.0, 95.0, 99.0)
