"""Counting page views without cookies or IP addresses: a per-process tally, flushed in batches.

A visitor counts at most once per page and day: each view is reduced to a fingerprint, the
SHA-256 of the day's random salt (table `visit_salt`, deleted when the day is over), the
client's address (an IPv6 one by its /64), its User-Agent and the page's path, and a
fingerprint already seen that day (table `visit_seen`, shared by every worker) adds nothing.
So reloading a page a hundred times, or appending junk to its query, counts one view; the raw
address is never stored, and once the salt is gone a fingerprint can no longer be tied to one.

Statistics are not records of the village, so they are not in the audit log; a crash may lose
the last few seconds of counts, which is acceptable for a visit counter.
"""
from __future__ import annotations

import hashlib
import secrets
import threading
import time
from datetime import date

from sqlalchemy import delete, select

from portal.kernel.transaction import Backend
from portal.stats.models import PageVisit, VisitSalt, VisitSeen

FLUSH_EVERY_SECONDS = 30
FLUSH_EVERY_VIEWS = 200


class VisitCounter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[tuple[str, date], set[str]] = {}
        self._salts: dict[date, bytes] = {}
        self._last_flush = time.monotonic()

    def count(self, backend: Backend, village_code: str, day: date, client: str, page: str) -> None:
        """Notes one view of `page` by `client` (address and User-Agent); writes the tally when
        enough time or views have gathered."""
        fingerprint = self.fingerprint(backend, day, client, page)
        with self._lock:
            self._pending.setdefault((village_code, day), set()).add(fingerprint)
            due = (sum(len(seen) for seen in self._pending.values()) >= FLUSH_EVERY_VIEWS
                   or time.monotonic() - self._last_flush >= FLUSH_EVERY_SECONDS)
        if due:
            self.flush(backend)

    def fingerprint(self, backend: Backend, day: date, client: str, page: str) -> str:
        """The day's salted hash of who viewed what (32 hex digits)."""
        digest = hashlib.sha256(self._salt(backend, day))
        digest.update(b"\0" + client.encode("utf-8", "replace") + b"\0" + page.encode("utf-8", "replace"))
        return digest.hexdigest()[:32]

    def _salt(self, backend: Backend, day: date) -> bytes:
        salt = self._salts.get(day)
        if salt is None:
            with backend.db.write("_visits") as session:
                session.execute(backend.db.insert(VisitSalt).values(day=day, salt=secrets.token_bytes(32))
                                .on_conflict_do_nothing(index_elements=["day"]))
                salt = session.scalars(select(VisitSalt.salt).where(VisitSalt.day == day)).one()
                # yesterday's visitors can no longer be recognised: their salt and marks go
                session.execute(delete(VisitSalt).where(VisitSalt.day < day))
                session.execute(delete(VisitSeen).where(VisitSeen.day < day))
            self._salts = {day: salt}
        return salt

    def flush(self, backend: Backend) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
            self._last_flush = time.monotonic()
        for (code, day), fingerprints in pending.items():
            with backend.db.write(f"_visits:{code}") as session:
                rows = [{"day": day, "fingerprint": f} for f in sorted(fingerprints)]
                new = len(session.execute(backend.db.insert(VisitSeen).values(rows).on_conflict_do_nothing(
                    index_elements=["day", "fingerprint"]).returning(VisitSeen.fingerprint)).all())
                if not new:
                    continue
                row = session.get(PageVisit, (code, day))
                if row is None:
                    session.add(PageVisit(village_code=code, day=day, count=new))
                else:
                    row.count += new


def visits_by_day(backend: Backend, village_code: str) -> list[tuple[date, int]]:
    with backend.db.read() as session:
        return [(row.day, row.count) for row in session.scalars(
            select(PageVisit).where(PageVisit.village_code == village_code).order_by(PageVisit.day.desc()))]
