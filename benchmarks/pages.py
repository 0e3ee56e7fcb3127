"""Pages benchmark: the contract list page against a bare Flask route, under the same gunicorn.

Both apps are served by gunicorn with the same settings on loopback and loaded by wrk with the
same connections and duration, so the ratio of requests/s says what the portal's own work costs
on this machine. The portal serves repeat views of an unchanged page from its per-ETag page
cache; the same page rendered on every request (cache off) is measured too, as is the 304 path
and the page's gzip size.
"""
from __future__ import annotations

import argparse
import gzip
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

from benchmarks import Report
from benchmarks.load import WRK_SCRIPT, interleaved, wrk

NAME = "pages"
HELP = "public pages: contract list requests/s vs a bare Flask route under gunicorn, p95, gzip size"
LIST_PATH = "/v/lianban/contracts"
def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--page-seconds", type=int, default=10, help="wrk duration per target (default 10)")
    parser.add_argument("--page-connections", type=int, default=32, help="concurrent connections (default 32)")
    parser.add_argument("--gunicorn-workers", type=int, default=2, help="gunicorn workers for both apps (default 2)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(app: str, env: dict[str, str], workers: int, log: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    command = [str(Path(sys.executable).with_name("gunicorn")), "--workers", str(workers), "--bind",
               f"127.0.0.1:{port}", "--log-level", "warning", app]
    process = subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/", timeout=1).read()
            return process, base
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError(f"gunicorn did not start for {app}: see {log}")


def _build_demo(folder: Path) -> dict[str, str]:
    from portal import create_app
    from portal.demo import build_demo

    env = {"DATABASE_URL": f"sqlite:///{folder / 'portal.db'}", "PORTAL_INSTANCE_PATH": str(folder),
           "PORTAL_SECRET_KEY": "bench"}
    app = create_app({"DATABASE_URL": env["DATABASE_URL"], "INSTANCE_PATH": str(folder), "SECRET_KEY": "bench"})
    app.extensions["portal"].db.create_schema()
    build_demo(app.extensions["portal"], date.today())
    app.extensions["portal"].db.dispose()
    return env


def _sizes(base: str, report: Report) -> tuple[int, int]:
    request = urllib.request.Request(base + LIST_PATH, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request) as response:
        body = response.read()
        encoded = response.headers.get("Content-Encoding") == "gzip"
    page = gzip.decompress(body) if encoded else body
    report.check("合同公开".encode() in page, "the list page served by gunicorn is the contract list")
    with urllib.request.urlopen(base + "/static/portal.css") as response:
        css = len(gzip.compress(response.read()))
    return len(body), css


def run(args: argparse.Namespace, workdir: Path, report: Report) -> None:
    report.section(f"Pages: {LIST_PATH} vs a bare Flask route, gunicorn × {args.gunicorn_workers} workers, "
                   f"wrk {args.page_connections} connections × {args.page_seconds} s")
    if shutil.which("wrk") is None:
        report.check(False, "wrk is not installed (scripts/bench installs Debian's wrk)")
        return
    folder = workdir / "pages"
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "report.lua"
    script.write_text(WRK_SCRIPT)
    env = {**os.environ, **_build_demo(folder)}
    portal, portal_url = _serve("portal.wsgi:app", env, args.gunicorn_workers, folder / "portal.log")
    bare, bare_url = _serve("benchmarks.bare_app:app", env, args.gunicorn_workers, folder / "bare.log")
    uncached_env = {**env, "PORTAL_PAGE_CACHE": "0"}
    rendering, rendering_url = _serve("portal.wsgi:app", uncached_env, args.gunicorn_workers, folder / "uncached.log")
    try:
        page_bytes, css_bytes = _sizes(portal_url, report)
        # in turn, a slice at a time (benchmarks/load.py): the machine's drift hits all three alike
        loads = interleaved({"bare": bare_url + "/", "listing": portal_url + LIST_PATH,
                             "rendered": rendering_url + LIST_PATH}, args.page_seconds, args.page_connections, script)
        baseline, listing, rendered = loads["bare"], loads["listing"], loads["rendered"]
        etag = urllib.request.urlopen(portal_url + LIST_PATH).headers["ETag"]
        cached = wrk(portal_url + LIST_PATH, max(3, args.page_seconds // 2), args.page_connections, script,
                     warm=False, headers=(f"If-None-Match: {etag}",))
    finally:
        for process in (portal, bare, rendering):
            process.terminate()
            process.wait(timeout=10)
    report.check(listing["errors"] == 0 and listing["status"] == 0, "every list request answered 200")
    ratio = listing["rps"] / baseline["rps"]
    report.line(f"contract list: {listing['rps']:,.0f} req/s, p50 {listing['p50']:.1f} ms, "
                f"p95 {listing['p95']:.1f} ms, p99 {listing['p99']:.1f} ms")
    report.line(f"bare Flask route: {baseline['rps']:,.0f} req/s (slices {baseline['slowest']:,.0f} to "
                f"{baseline['fastest']:,.0f}: how far the machine drifted), p95 {baseline['p95']:.1f} ms")
    report.line(f"unchanged list (If-None-Match → 304): {cached['rps']:,.0f} req/s, p95 {cached['p95']:.1f} ms")
    report.line(f"list rendered every time (PORTAL_PAGE_CACHE=0): {rendered['rps']:,.0f} req/s, "
                f"p95 {rendered['p95']:.1f} ms")
    report.line(f"list page gzip {page_bytes:,} bytes + stylesheet gzip {css_bytes:,} bytes")
    report.figure("contract list req/s", f"{listing['rps']:,.0f} /s")
    report.figure("bare Flask route req/s (baseline)", f"{baseline['rps']:,.0f} /s")
    report.figure("list/bare ratio", f"{ratio:.2f}", "≥ 0.5", ratio >= 0.5)
    report.figure(f"list p95 at {args.page_connections} connections", f"{listing['p95']:.1f} ms")
    report.figure("304 revalidation req/s", f"{cached['rps']:,.0f} /s")
    report.figure("list rendered every time (cache off) req/s", f"{rendered['rps']:,.0f} /s")
    report.figure("cache-off/bare ratio", f"{rendered['rps'] / baseline['rps']:.2f}")
    total_kib = (page_bytes + css_bytes) / 1024
    report.figure("list page + CSS over the wire (gzip)", f"{total_kib:.1f} KiB", "≤ 50 KiB", total_kib <= 50)
