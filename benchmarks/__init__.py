"""Benchmarks of the portal, run by `scripts/bench` (`python -m benchmarks`).

Each benchmark prints its figures as ratios to a baseline measured in the same run, so results
can be compared across machines, and adds them to a `Report` whose summary ends the output
(figure, target, PASS or BELOW). A figure below target is a measurement, not an error: the
exit status is non-zero only when a benchmark finds a correctness failure (a proof that does
not verify, a log the verifier rejects).
"""
from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, TypeVar

T = TypeVar("T")


@dataclass
class Figure:
    """One summary line: what was measured, its value, the target, and whether it is met
    (None for a figure that has no target)."""

    label: str
    value: str
    target: str = ""
    met: bool | None = None


@dataclass
class Report:
    """Collects the output of a benchmark run: sections, figures, correctness failures."""

    out: IO[str] = field(default_factory=lambda: sys.stdout)
    figures: list[Figure] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)

    def section(self, title: str) -> None:
        self.line("")
        self.line(f"== {title} ==")

    def line(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def figure(self, label: str, value: str, target: str = "", met: bool | None = None) -> None:
        self.figures.append(Figure(label, value, target, met))

    def check(self, ok: bool, what: str) -> bool:
        """Record a correctness check; a failed one makes the run exit non-zero."""
        if ok:
            self.checks.append(what)
            self.line(f"check OK: {what}")
        else:
            self.failures.append(what)
            self.line(f"CORRECTNESS FAILURE: {what}")
        return ok

    def summary(self) -> None:
        self.section("Summary")
        width = max((len(f.label) for f in self.figures), default=0)
        vwidth = max((len(f.value) for f in self.figures), default=0)
        twidth = max((len(f.target) for f in self.figures), default=0)
        for f in self.figures:
            status = "" if f.met is None else ("PASS" if f.met else "BELOW")
            target = f"target {f.target}" if f.target else ""
            self.line(f"{f.label:<{width}}  {f.value:>{vwidth}}  {target:<{twidth + 7}}  {status}".rstrip())
        if self.failures:
            self.line(f"correctness: FAILED ({len(self.failures)})")
            for failure in self.failures:
                self.line(f"  - {failure}")
        else:
            self.line(f"correctness: OK ({len(self.checks)} checks passed)")


def timed(fn: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[float, T]:
    """Return (seconds, result) of one call."""
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of already sorted values."""
    if not sorted_values:
        raise ValueError("no values")
    rank = max(1, -(-len(sorted_values) * q // 100))  # ceil(n·q/100), at least 1
    return sorted_values[int(rank) - 1]


def count(n: float) -> str:
    """1234567 → '1,234,567' (rounded)."""
    return f"{round(n):,}"
