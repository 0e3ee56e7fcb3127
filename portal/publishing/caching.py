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
from portal.kernel.transaction import Backend
from portal.publishing import prefs
from portal.publishing.front import KEEP, Keep, PageFront, PageState
from portal.publishing.query import known_query
from portal.publishing.ratelimit import bucket_of, client_key
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


def _etag_for(code: str) -> tuple[str, PageState] | None:
    """The ETag of the village's pages for this reader, and the state it hashes."""
    from portal.app import backend

    state = page_state(current_app.extensions["log_heads"], backend(), code)
    if state is None:
        return None
    viewer = current_user.get_id() if current_user.is_authenticated else "-"
    parts = [current_app.config["RELEASE_TOKEN"], code, str(state.head[0]), state.head[1].hex(), state.day.isoformat(),
             prefs.language(), "large" if prefs.large_text() else "", viewer, str(state.alarm)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32], state


def page_state(heads: HeadCache, portal: Backend, code: str) -> PageState | None:
    """What a page of the village is made for now: its log head, latest alarm and the day."""
    head = heads.get(code)
    return None if head is None else PageState(head, heads.alarm(code), portal.today())


def visitor(address: str | None, user_agent: str) -> str:
    """Who a visit is counted for: the client's address (as rate limits count it) and browser."""
    return f"{client_key(address)} {user_agent[:300]}"


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


def _keep_in_front(*, not_modified: bool = False) -> None:
    """Lets the front (portal/publishing/front.py) keep this answer. Anything with a rate limit
    must reach Flask every time, to be counted. The front keys on the raw request, so a request
    with parameters the portal does not read, or a 200 for an If-None-Match that did not match,
    is answered from the page cache but not kept: a flood of made-up variants cannot push the
    plain pages out of the front."""
    if (bucket_of(request.path, bool(request.args.get("q", "").strip())) is None
            and request.environ.get("QUERY_STRING", "") == known_query()
            and (not_modified or "HTTP_IF_NONE_MATCH" not in request.environ)):
        request.environ[KEEP] = Keep(g.page_code, g.page_state, request.path if g.get("visit_of") else None)


def init_app(app: Flask) -> None:
    app.config.setdefault("RELEASE_TOKEN", release_token(app))

    portal: Backend = app.extensions["portal"]
    visits = VisitCounter()
    app.extensions["visits"] = visits
    heads = HeadCache(portal.db.engine)
    app.extensions["log_heads"] = heads
    event.listen(portal.db.sessions, "after_commit", heads.clear)
    pages = PageCache()
    app.wsgi_app = PageFront(  # type: ignore[method-assign]
        app, app.wsgi_app, current_state=lambda code: page_state(heads, portal, code),
        count_visit=lambda code, day, address, user_agent, path: visits.count(
            portal, code, day, visitor(address, user_agent), path))

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
        g.page_code, (g.page_etag, g.page_state) = code, found
        if request.if_none_match.contains_weak(found[0]) and not session.get("_flashes"):
            response = Response(status=304)
            response.set_etag(found[0], weak=True)
            _keep_in_front(not_modified=True)
            return response
        if _cacheable():
            kept = pages.get(_cache_key(found[0]))
            if kept is not None:
                _keep_in_front()
            return kept
        return None

    @app.after_request
    def count_visit(response: Response) -> Response:
        code = g.get("visit_of")
        if code and response.status_code in COUNTED_STATUSES:
            visits.count(portal, code, portal.today(), visitor(request.remote_addr,
                                                               request.environ.get("HTTP_USER_AGENT", "")),
                         request.path)
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
                _keep_in_front()
        return response
