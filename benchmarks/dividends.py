"""Dividend list PDF: the printed 分红名单 of a village of N households, rendered from scratch.

Target: a 500-line list renders in ≤ 5 s (the whole request: the list read, the A4 PDF laid out
by WeasyPrint with its QR and checkpoint). Baseline: the same request for a 20-line list, so the
ratio shows what each line costs on this machine.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import time
from datetime import timedelta
from pathlib import Path

from benchmarks import Report

NAME = "dividends"
HELP = "dividend list PDF: a 500-line 分红名单 rendered in ≤ 5 s"
TARGET_SECONDS = 5.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dividend-lines", type=int, default=500, help="households on the list (default 500)")


def _village(folder: Path, code: str, lines: int):  # -> Flask app
    from portal import create_app
    from portal.dividends.services import PlanInput, create_plan
    from portal.kernel.transaction import SYSTEM, Actor
    from portal.meetings.services import MeetingInput, create_meeting
    from portal.villages.services import VillageInput, create_village

    app = create_app({"DATABASE_URL": f"sqlite:///{folder / f'{code}.db'}", "SECRET_KEY": "bench",
                      "INSTANCE_PATH": str(folder / code)})
    backend = app.extensions["portal"]
    backend.db.create_schema()
    staff = Actor("bench-staff", "staff", village=code)
    create_village(backend, SYSTEM, VillageInput(code=code, name="基准测试村", township="基准镇"))
    today = backend.today()
    create_meeting(backend, staff, code, MeetingInput(
        number="HY-1", held_on=today - timedelta(days=30), kind="villagers", title="分红方案表决",
        expected=str(lines), present=str(lines), agenda="表决分红方案", votes_for=str(lines), votes_against="0",
        abstained="0", decision="通过"))
    surnames, given = "陈林黄张李王吴刘蔡杨郑许谢洪邱曾", "建国秀英志明丽华国平美玲水生金花永福春梅"
    roll = "\n".join(f"H{i:04d},{surnames[i % 16]}{given[(i * 2) % 24:(i * 2) % 24 + 2]},{1 + i % 5}"
                     for i in range(1, lines + 1))
    create_plan(backend, staff, code, PlanInput(
        number="FH-1", year=str(today.year), title="分红方案", total="1234567.89", meeting_number="HY-1",
        publicity_from=today.isoformat(), publicity_until=(today + timedelta(days=6)).isoformat(), roll=roll))
    return app, today.year


def _render(app, code: str, year: int) -> tuple[float, float, bytes]:
    """One request for the list's PDF, with the PDF cache emptied first: a render, not a file read."""
    shutil.rmtree(Path(app.instance_path) / "pdf-cache", ignore_errors=True)
    client = app.test_client()
    start, cpu = time.perf_counter(), time.process_time()
    response = client.get(f"/v/{code}/dividends/{year}.pdf")
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    assert response.status_code == 200, response.status_code
    return seconds, cpu_seconds, response.data


def run(args: argparse.Namespace, workdir: Path, report: Report) -> None:
    lines = args.dividend_lines
    report.section(f"Dividend list PDF: {lines} households vs 20")
    folder = workdir / "dividends"
    folder.mkdir(parents=True, exist_ok=True)
    small, year = _village(folder, "small", 20)
    big, _ = _village(folder, "big", lines)
    _render(small, "small", year)  # warm-up: fonts and stylesheet loaded once per process
    base_seconds, _, _ = _render(small, "small", year)
    seconds, cpu_seconds, pdf = _render(big, "big", year)
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=False).stdout.decode()
    report.check(pdf.startswith(b"%PDF"), "the list is a PDF")
    report.check(f"H{lines:04d}" in text and "H0001" in text, f"the PDF lists households H0001 … H{lines:04d}")
    report.check("1,234,567.89" in text, "the PDF shows the list total, equal to the distributable amount")
    pages = text.count("\f")
    report.line(f"{lines} lines: {seconds:.2f} s ({cpu_seconds:.2f} s of CPU), {len(pdf) / 1024:.0f} KiB, {pages} pages; "
                f"20 lines: {base_seconds:.2f} s")
    report.figure(f"{lines}-line dividend list PDF", f"{seconds:.2f} s", f"≤ {TARGET_SECONDS:.0f} s",
                  seconds <= TARGET_SECONDS)
    # The render is one thread in this process: its CPU time is what it costs on an idle machine.
    report.figure(f"{lines}-line list PDF, CPU time of the render", f"{cpu_seconds:.2f} s")
    report.figure("20-line list PDF (baseline)", f"{base_seconds:.2f} s")
    report.figure(f"{lines}/20-line ratio", f"{seconds / base_seconds:.1f}")
