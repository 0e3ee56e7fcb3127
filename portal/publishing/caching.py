"""Conditional GET and a page cache for village pages, and the visit count.

Visits are counted after the answer is known (`after_request`, which runs for a page served
from the cache and for a 304 too), and only for answers that showed a page (200, 304): a 404 or
an error counts nothing. The statistics page itself is never cached (its figures change without
the log changing).

A village page depends only on the village's log head (every change appends to it), on the
Beijing date (arrears age by the day), on who looks (language, 长辈版, login) and on the
release of the templates; its ETag hashes exactly those, so an unchanged page costs a 304
after one primary-key read, and an anonymous reader's page rendered once for that ETag is
served again from memory until the next change.
"""
from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from pathlib import Path

from flask import Flask, Response, current_app, g, request, session
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine

from portal.auditdesk.verification import head_with_alarm
from portal.publishing import prefs
from portal.publishing.query import known_query
from portal.publishing.ratelimit import client_key
from portal.stats.services import VisitCounter

DOWNLOAD_SUFFIXES = (".csv", ".xlsx", ".json", ".pdf", ".jsonl", ".atom")
# Pages whose content changes without the log changing: no ETag, no page cache.
UNCACHED_ENDPOINTS = frozenset({"stats.stats"})
COUNTED_STATUSES = (200, 304)


def release_token(app: Flask) -> str:
    """Changes whenever a template, stylesheet or translation changes, the same in every worker."""
    digest = hashlib.sha256()
    folders = (Path(app.template_folder), Path(app.static_folder), Path(app.root_path) / "translations")  # type: ignore[arg-type]
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


class HeadCache:
    """Log heads remembered for a moment, so a page served from cache needs no database read.

    Every commit through this process clears it at once; a write by another worker process
    shows within `TTL_SECONDS`, as if the reader had asked a moment earlier. Read with the head:
    the latest integrity check of the log when it failed (the warning on its pages).
    """

    TTL_SECONDS = 0.5

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._heads: dict[str, tuple[float, tuple[int, bytes] | None, int]] = {}

    def _read(self, log: str) -> tuple[float, tuple[int, bytes] | None, int]:
        now = time.monotonic()
        found = self._heads.get(log)
        if found is not None and now - found[0] < self.TTL_SECONDS:
            return found
        head, alarm = head_with_alarm(self.engine, log)
        self._heads[log] = (now, head, alarm)
        return self._heads[log]

    def get(self, log: str) -> tuple[int, bytes] | None:
        return self._read(log)[1]

    def alarm(self, log: str) -> int:
        """The id of the latest integrity check of the log when it failed, else 0."""
        return self._read(log)[2]

    def clear(self, *_args: object) -> None:
        self._heads = {}


def _etag_for(code: str) -> tuple[str, object] | None:
    from portal.app import backend

    head = current_app.extensions["log_heads"].get(code)
    if head is None:
        return None
    viewer = current_user.get_id() if current_user.is_authenticated else "-"
    parts = [current_app.config["RELEASE_TOKEN"], code, str(head[0]), head[1].hex(), backend().today().isoformat(),
             prefs.language(), "large" if prefs.large_text() else "", viewer,
             str(current_app.extensions["log_heads"].alarm(code))]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32], head


class PageCache:
    """Rendered anonymous pages by (ETag, path and query, encoding); least recently used go first."""

    def __init__(self, capacity: int = 256) -> None:
        self.capacity = capacity
        self._pages: OrderedDict[tuple[str, str, bool], tuple[bytes, int, list[tuple[str, str]]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str, bool]) -> Response | None:
        with self._lock:
            found = self._pages.get(key)
            if found is not None:
                self._pages.move_to_end(key)
        if found is None:
            return None
        body, status, headers = found
        return Response(body, status=status, headers=headers)

    def put(self, key: tuple[str, str, bool], response: Response) -> None:
        with self._lock:
            self._pages[key] = (response.get_data(), response.status_code, list(response.headers.items()))
            while len(self._pages) > self.capacity:
                self._pages.popitem(last=False)


def _cache_key(etag: str) -> tuple[str, str, bool]:
    # Accept's `in` takes a name; mypy sees only a list of (name, quality) pairs.
    return etag, f"{request.path}?{known_query()}", "gzip" in request.accept_encodings  # type: ignore[comparison-overlap]


def _cacheable() -> bool:
    """Only what every anonymous reader gets alike: no login, no pending message."""
    return (current_app.config["PAGE_CACHE"] and not current_user.is_authenticated
            and not session.get("_flashes"))


def init_app(app: Flask) -> None:
    app.config.setdefault("RELEASE_TOKEN", release_token(app))

    visits = VisitCounter()
    app.extensions["visits"] = visits
    heads = HeadCache(app.extensions["portal"].db.engine)
    app.extensions["log_heads"] = heads
    event.listen(app.extensions["portal"].db.sessions, "after_commit", heads.clear)
    pages = PageCache()

    @app.before_request
    def answer_not_modified() -> Response | None:
        code = (request.view_args or {}).get("code")
        if request.method != "GET" or not code:
            return None
        found = _etag_for(code)
        if found is None:
            return None  # unknown village: the view answers 404
        if not request.path.endswith(DOWNLOAD_SUFFIXES) and "/audit/" not in request.path:
            g.visit_of = code  # counted in count_visit, once the answer's status is known
        if request.endpoint in UNCACHED_ENDPOINTS:
            return None
        g.page_etag = found[0]
        if request.if_none_match.contains_weak(found[0]) and not session.get("_flashes"):
            response = Response(status=304)
            response.set_etag(found[0], weak=True)
            return response
        if _cacheable():
            return pages.get(_cache_key(found[0]))
        return None

    @app.after_request
    def count_visit(response: Response) -> Response:
        code = g.get("visit_of")
        if code and response.status_code in COUNTED_STATUSES:
            from portal.app import backend
            client = f"{client_key(request.remote_addr)} {request.user_agent.string[:300]}"
            visits.count(backend(), code, backend().today(), client, request.path)
        return response

    @app.after_request
    def add_etag(response: Response) -> Response:
        etag = g.get("page_etag")
        if etag and response.status_code == 200 and response.get_etag()[0] is None:
            response.set_etag(etag, weak=True)  # weak: the gzip and plain bodies share it
            response.headers.setdefault("Cache-Control", "no-cache")
            response.vary.add("Cookie")
            if _cacheable() and not response.is_streamed and not session.modified:
                pages.put(_cache_key(etag), response)
        return response
