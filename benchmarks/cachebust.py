"""Cache-busting benchmark: requests with random junk query parameters against the plain address.

A junk parameter (`?x=<random>`, WeChat's `from=singlemessage`) used to force a fresh render of
the page or PDF each time (48 req/s instead of 634 on the development server; a 1.2 s PDF per
request). The caches now key on the parameters the portal reads (publishing/query.py), so junk
should cost nothing: the ratio junk/plain should be close to 1. The page rendered every time
(PORTAL_PAGE_CACHE=0) shows what each junk request used to cost. Load comes from Python threads
with keep-alive connections, the same for every target, so the ratios compare like with like.
"""
from __future__ import annotations

import argparse
import http.client
import os
import random
import threading
import time
from pathlib import Path

from benchmarks import Report
from benchmarks.pages import _build_demo, _serve

NAME = "cachebust"
HELP = "cache busting: req/s of the list page and a PDF with random junk query parameters vs without"
TARGETS = ("/v/lianban/contracts", "/v/lianban/arrears.pdf")
# The rate limits count every request of one client address: lifted for this benchmark.
NO_LIMITS = {f"RATE_LIMIT_{name}": "0" for name in ("PDF", "EXPORT", "PROOF", "SEARCH")}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--bust-seconds", type=float, default=5, help="seconds per target (default 5)")
    parser.add_argument("--bust-threads", type=int, default=8, help="client threads (default 8)")


def _load(base: str, path: str, junk: bool, seconds: float, threads: int) -> tuple[float, int]:
    """Requests/s over `seconds` from `threads` keep-alive clients, and how many were not 200."""
    host, port = base.removeprefix("http://").split(":")
    done, bad = [0] * threads, [0] * threads
    stop = time.perf_counter() + seconds

    def client(slot: int) -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        rng = random.Random(slot)
        while time.perf_counter() < stop:
            url = f"{path}?x={rng.randrange(10**12)}&from=singlemessage" if junk else path
            conn.request("GET", url, headers={"Accept-Encoding": "gzip"})
            response = conn.getresponse()
            response.read()
            done[slot] += 1
            bad[slot] += response.status != 200

    workers = [threading.Thread(target=client, args=(slot,)) for slot in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(done) / (time.perf_counter() - started), sum(bad)


def run(args: argparse.Namespace, workdir: Path, report: Report) -> None:
    report.section(f"Cache busting: junk query parameters vs the plain address, gunicorn × 2 workers, "
                   f"{args.bust_threads} client threads × {args.bust_seconds:g} s")
    folder = workdir / "cachebust"
    folder.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **_build_demo(folder), **NO_LIMITS}
    portal, url = _serve("portal.wsgi:app", env, 2, folder / "portal.log")
    rendering, rendering_url = _serve("portal.wsgi:app", {**env, "PORTAL_PAGE_CACHE": "0"}, 2,
                                      folder / "uncached.log")
    try:
        for path in TARGETS:
            _load(url, path, False, 1, 1)  # warm: the first PDF is rendered here, once
            plain, plain_bad = _load(url, path, False, args.bust_seconds, args.bust_threads)
            busted, busted_bad = _load(url, path, True, args.bust_seconds, args.bust_threads)
            report.check(plain_bad == 0 and busted_bad == 0, f"every request of {path} answered 200")
            ratio = busted / plain
            report.line(f"{path}: plain {plain:,.0f} req/s, with junk parameters {busted:,.0f} req/s, "
                        f"ratio {ratio:.2f}")
            report.figure(f"{path} junk/plain req/s ratio", f"{ratio:.2f}", "≥ 0.8", ratio >= 0.8)
        rendered, _ = _load(rendering_url, TARGETS[0], True, args.bust_seconds, args.bust_threads)
        report.line(f"{TARGETS[0]} rendered every time (what a junk parameter cost before): {rendered:,.0f} req/s")
        report.figure(f"{TARGETS[0]} rendered every time req/s", f"{rendered:,.0f} /s")
    finally:
        for process in (portal, rendering):
            process.terminate()
            process.wait(timeout=10)
