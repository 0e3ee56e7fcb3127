"""Loading a served page: wrk (Debian's package), or a small Python generator where wrk is missing;
and several targets loaded in turn, in short slices, so that their ratio holds on a machine whose
speed drifts.

A shared VM's speed moves during a run (a bare route measured 4,082 req/s before the portal's
pages and 2,964 after them, 30 s later). A target loaded for 10 s after another is then compared
with a different machine. Loaded in 2-second slices round after round (bare, portal, bare, …),
every target sees the same drift; its requests/s is all its requests over all its slices, and
its latency percentiles are those of every slice pooled (each slice's 100 percentiles stand for
its requests).
"""
from __future__ import annotations

import shutil
import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks import percentile

SLICE_SECONDS = 2
WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT rps=%.2f p50=%.3f p95=%.3f p99=%.3f errors=%d status=%d requests=%d seconds=%.3f\\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, summary.requests, summary.duration / 1e6))
  local shares = {}
  for p = 1, 100 do shares[p] = string.format("%.3f", latency:percentile(p) / 1000) end
  io.write("PERCENTILES " .. table.concat(shares, ",") .. "\\n")
end
"""


def wrk(url: str, seconds: int, connections: int, script: Path, *, warm: bool = True,
        headers: Sequence[str] = ("Accept-Encoding: gzip",)) -> dict[str, Any]:
    """wrk on `url`: rps, p50/p95/p99 (ms), errors, status (non-2xx/3xx), requests, seconds and
    `percentiles` (ms, 1 to 100)."""
    threads = min(2, connections)
    if warm:
        subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", "2s", url],
                       check=True, capture_output=True)  # warm-up: workers load templates, pools fill
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "-s", str(script), url]
    for header in headers:
        command[1:1] = ["-H", header]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result: dict[str, Any] = {}
    for row in out.splitlines():
        if row.startswith("RESULT"):
            result.update((key, float(value)) for key, value in (part.split("=") for part in row.split()[1:]))
        elif row.startswith("PERCENTILES"):
            result["percentiles"] = [float(value) for value in row.split()[1].split(",")]
    return result


def python_load(url: str, seconds: int, connections: int) -> dict[str, Any]:
    """The same figures as `wrk`, from `connections` threads with keep-alive (wrk missing)."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port
    latencies: list[float] = []
    errors = [0]
    stop = time.perf_counter() + seconds

    def worker() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=10)
        while time.perf_counter() < stop:
            start = time.perf_counter()
            try:
                conn.request("GET", parts.path, headers={"Accept-Encoding": "gzip"})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors[0] += 1
            except OSError:
                errors[0] += 1
                conn = http.client.HTTPConnection(host, port, timeout=10)
                continue
            latencies.append((time.perf_counter() - start) * 1000)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    begun = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - begun
    done = sorted(latencies) or [0.0]
    return {"rps": len(latencies) / elapsed, "p50": percentile(done, 50), "p95": percentile(done, 95),
            "p99": percentile(done, 99), "errors": errors[0], "status": 0, "requests": len(latencies),
            "seconds": elapsed, "percentiles": [percentile(done, p) for p in range(1, 101)]}


def load(url: str, seconds: int, connections: int, script: Path, *, warm: bool = True) -> dict[str, Any]:
    """`wrk` where installed, else `python_load`."""
    if shutil.which("wrk"):
        return wrk(url, seconds, connections, script, warm=warm)
    if warm:
        python_load(url, 2, connections)
    return python_load(url, seconds, connections)


def pooled(slices: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One target's slices as one run: requests/s over them all, percentiles of them pooled, the
    slowest and fastest slice's requests/s (how much the machine drifted)."""
    requests = sum(part["requests"] for part in slices)
    weighted = sorted((value, part["requests"] / len(part["percentiles"]))
                      for part in slices for value in part["percentiles"])

    def share(q: float) -> float:
        reached = 0.0
        for value, weight in weighted:
            reached += weight
            if reached >= requests * q / 100:
                return float(value)
        return float(weighted[-1][0])

    rates = [part["rps"] for part in slices]
    return {"rps": requests / sum(part["seconds"] for part in slices), "p50": share(50), "p95": share(95),
            "p99": share(99), "errors": sum(part["errors"] for part in slices),
            "status": sum(part["status"] for part in slices), "requests": requests, "slowest": min(rates),
            "fastest": max(rates), "slices": len(slices)}


def interleaved(urls: dict[str, str], seconds: int, connections: int, script: Path,
                slice_seconds: int = SLICE_SECONDS) -> dict[str, dict[str, Any]]:
    """Each of `urls` (by name) warmed, then loaded `slice_seconds` at a time in turn until each
    had about `seconds`; the figures of each as `pooled`."""
    for url in urls.values():
        load(url, 2, connections, script, warm=False)  # workers load templates, pools fill
    slices: dict[str, list[dict[str, Any]]] = {name: [] for name in urls}
    for _ in range(max(1, round(seconds / slice_seconds))):
        for name, url in urls.items():
            slices[name].append(load(url, slice_seconds, connections, script, warm=False))
    return {name: pooled(parts) for name, parts in slices.items()}
