"""Rate limits on the expensive public answers: printed PDFs, downloads (CSV/XLSX/JSON, the log's
entries), Merkle proofs and searches, per client address.

A PDF costs about a second of CPU when it is not cached and a search a full scan, so one client
looping over them could keep every worker busy. Requests are counted in the database table
`request_count` (one upsert per counted request, outside the ORM session so the page cache's
log heads stay warm), which every worker process and host shares, in fixed windows of
`RATE_LIMIT_WINDOW` seconds; the previous window is weighed in by how much of it still overlaps
the last `window` seconds (a sliding-window estimate), so a client cannot double its rate at a
window boundary. Over the limit: 429 with `Retry-After` and a Chinese page saying when to retry.
"""
from __future__ import annotations

import functools
import ipaddress
import math
import time
from dataclasses import dataclass

from flask import Flask, current_app, request
from flask_babel import gettext
from sqlalchemy import delete, select
from werkzeug.exceptions import TooManyRequests

from portal.kernel.database import Database
from portal.publishing.models import RequestCount

from portal.publishing.limits import BUCKET_NAMES

EXPORT_SUFFIXES = (".csv", ".xlsx", ".json", ".jsonl")
clock = time.time  # the wall clock, shared by every worker and host (tests move it)


def bucket_of(path: str, searching: bool) -> str | None:
    """Which limit a request counts against (None: not an expensive answer)."""
    if path.endswith(".pdf"):
        return "pdf"
    if "/audit/proof/" in path:
        return "proof"
    if path.endswith(EXPORT_SUFFIXES):
        return "export"
    return "search" if searching else None


@functools.lru_cache(maxsize=4096)  # parsing an address costs more than the rest of a visit's count
def client_key(address: str | None) -> str:
    """The address counted: an IPv6 client by its /64 (one household's or phone's prefix, which
    it may rotate within at will), an IPv4 one as is."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return (address or "unknown")[:64]
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # seconds; 0 when allowed


def count(db: Database, address: str, bucket: str, limit: int, window: int, now: float) -> Verdict:
    """Counts one request of `address` against `bucket` and says whether it is within `limit`
    per `window` seconds. A refused request counts too: hammering on keeps it refused."""
    current = int(now // window)
    statement = db.insert(RequestCount).values(address=address, bucket=bucket, window=current, count=1)
    statement = statement.on_conflict_do_update(
        index_elements=["address", "bucket", "window"], set_={"count": RequestCount.count + 1},
    ).returning(RequestCount.count)
    with db.engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, conn.begin():
        hits = conn.execute(statement).scalar_one()
        if hits == 1:  # the first request of a window sweeps out windows nobody needs any more
            conn.execute(delete(RequestCount).where(RequestCount.window < current - 1))
        before = conn.execute(select(RequestCount.count).where(
            RequestCount.address == address, RequestCount.bucket == bucket,
            RequestCount.window == current - 1)).scalar() or 0
    overlap = 1 - (now / window - current)  # share of the previous window still within reach
    if hits + before * overlap <= limit:
        return Verdict(True, 0)
    # Wait until the previous window's weight has fallen enough, or this window has ended.
    excess = hits + before * overlap - limit
    wait = excess / before * window if before else (current + 1) * window - now
    return Verdict(False, max(1, math.ceil(min(wait, (current + 1) * window - now + window))))


def retry_text(seconds: int) -> str:
    """How long to wait, in words: seconds, or whole minutes past two."""
    if seconds < 120:
        return str(gettext("%(n)s 秒", n=seconds))
    return str(gettext("%(n)s 分钟", n=math.ceil(seconds / 60)))


def check_rate_limit() -> None:
    """Before the view: 429 when this client has used up the limit of what it asks for."""
    limits: dict[str, int] = current_app.config["RATE_LIMITS"]
    if request.method not in ("GET", "HEAD") or not limits:
        return
    bucket = bucket_of(request.path, bool(request.args.get("q", "").strip()))
    limit = limits.get(bucket or "", 0)
    if bucket is None or limit <= 0:
        return
    from portal.app import backend

    verdict = count(backend().db, client_key(request.remote_addr), bucket, limit,
                    current_app.config["RATE_LIMIT_WINDOW"], clock())
    if not verdict.allowed:
        raise TooManyRequests(gettext(
            "您在短时间内请求%(what)s的次数太多了（每 %(window)s 秒最多 %(limit)s 次）。"
            "请 %(wait)s后再试；已经打开的页面不受影响。",
            what=gettext(BUCKET_NAMES[bucket]), window=current_app.config["RATE_LIMIT_WINDOW"], limit=limit,
            wait=retry_text(verdict.retry_after)), retry_after=verdict.retry_after)


def init_app(app: Flask) -> None:
    # After the NUL check, before the page cache: a cached PDF is cheap, but a client that loops
    # over every address would still reach the uncached ones.
    app.before_request_funcs.setdefault(None, []).insert(1, check_rate_limit)
