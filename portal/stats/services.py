"""Counting page views without cookies or IP addresses: a per-process tally, flushed in batches.

Statistics are not records of the village, so they are not in the audit log; a crash may lose
the last few seconds of counts, which is acceptable for a visit counter.
"""
from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import date

from sqlalchemy import select

from portal.kernel.transaction import Backend
from portal.stats.models import PageVisit

FLUSH_EVERY_SECONDS = 30
FLUSH_EVERY_VIEWS = 200


class VisitCounter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: Counter[tuple[str, date]] = Counter()
        self._last_flush = time.monotonic()

    def count(self, backend: Backend, village_code: str, day: date) -> None:
        """Notes one page view; writes the tally when enough time or views have gathered."""
        with self._lock:
            self._pending[(village_code, day)] += 1
            due = (sum(self._pending.values()) >= FLUSH_EVERY_VIEWS
                   or time.monotonic() - self._last_flush >= FLUSH_EVERY_SECONDS)
        if due:
            self.flush(backend)

    def flush(self, backend: Backend) -> None:
        with self._lock:
            pending, self._pending = self._pending, Counter()
            self._last_flush = time.monotonic()
        for (code, day), views in pending.items():
            with backend.db.write(f"_visits:{code}") as session:
                row = session.get(PageVisit, (code, day))
                if row is None:
                    session.add(PageVisit(village_code=code, day=day, count=views))
                else:
                    row.count += views


def visits_by_day(backend: Backend, village_code: str) -> list[tuple[date, int]]:
    with backend.db.read() as session:
        return [(row.day, row.count) for row in session.scalars(
            select(PageVisit).where(PageVisit.village_code == village_code).order_by(PageVisit.day.desc()))]
