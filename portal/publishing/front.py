"""Answers a repeat anonymous request for a cached village page before Flask runs.

A page served from the page cache still cost ~0.25 ms of Flask's request cycle and hooks
(sessions, login, CSRF, rate limits, headers, compression) to hand back bytes it had made
before: more than twice a bare Flask route (`scripts/bench pages`). This WSGI layer keeps the
final answer Flask gave (status, headers, body), keyed by everything the request carried that
the answer can depend on, and gives it again while the village's log head, its latest integrity
alarm and the Beijing day are those the page was made for.

What it serves is only what Flask itself put in the page cache, for a request that looked
exactly the same: same mount point, path and raw query string (so a NUL never reaches a kept
answer: Flask refused it), same Host and scheme (so the trusted-host check and HSTS are
Flask's), same Accept-Encoding, same If-None-Match (an unchanged page's 304 is kept as its 200
is), and no cookie but the reader's preferences (so no login, no pending message, no session).
A HEAD, anything with another cookie, and every miss go to Flask as before. Never kept (the
page cache decides, `caching._keep_in_front`): a path with a rate limit (PDF, exports, proofs,
search: each must be counted), a request with parameters the portal does not read, a 200 for
an If-None-Match that matched nothing, an answer that sets a cookie.
The one side effect of a page view, the visit count, is made here as Flask makes it.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from werkzeug.http import parse_cookie

from portal.publishing import prefs

if TYPE_CHECKING:
    from flask import Flask

# environ key under which the page cache leaves what the front needs to keep Flask's answer
KEEP = "portal.front.keep"
Key = tuple[str, str, str, str, str, str, str, str]
KEPT_STATUSES = ("200 ", "304 ")
StartResponse = Callable[..., Any]


@dataclass(frozen=True)
class PageState:
    """What a kept answer was made for: the log head and alarm its ETag hashed, and the day."""

    head: tuple[int, bytes]
    alarm: int
    day: date


@dataclass(frozen=True)
class Keep:
    """Left in the environ by the page cache for an answer it keeps: the village, the state the
    page was made for, and the path its view is counted under (None: not counted)."""

    code: str
    state: PageState
    visit_path: str | None


@dataclass(frozen=True)
class Kept:
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    keep: Keep


def request_key(environ: dict[str, Any]) -> Key | None:
    """The request's key, or None when the front must leave it to Flask."""
    if environ.get("REQUEST_METHOD") != "GET":
        return None
    cookies = environ.get("HTTP_COOKIE", "")
    preferences = ""
    if cookies:
        found = parse_cookie(cookies)
        if any(name != prefs.COOKIE for name in found):
            return None  # a session (login, flashes, choices) or anything else: Flask decides
        preferences = found.get(prefs.COOKIE, "")
    return (environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""),
            environ.get("HTTP_HOST", ""), environ.get("wsgi.url_scheme", ""),
            environ.get("HTTP_ACCEPT_ENCODING", ""), environ.get("HTTP_IF_NONE_MATCH", ""), preferences)


class PageFront:
    """WSGI middleware around the Flask app's `wsgi_app`; see the module docstring."""

    def __init__(self, flask_app: Flask, wsgi_app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]],
                 *, current_state: Callable[[str], PageState | None],
                 count_visit: Callable[[str, date, str, str, str], None], capacity: int = 256) -> None:
        self.flask_app = flask_app
        self.wsgi_app = wsgi_app
        self.current_state = current_state  # the state a page of the village would be made for now
        self.count_visit = count_visit  # (village code, day, remote address, User-Agent, path)
        self.capacity = capacity
        self._kept: OrderedDict[Key, Kept] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        key = request_key(environ) if self.flask_app.config["PAGE_CACHE"] else None
        if key is None:
            return self.wsgi_app(environ, start_response)
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)  # least recently used go first, as in the page cache
        if kept is None or not self._still_current(kept.keep):
            return self._answer_and_keep(key, environ, start_response)
        if kept.keep.visit_path is not None:
            self.count_visit(kept.keep.code, kept.keep.state.day, environ.get("REMOTE_ADDR") or "",
                             environ.get("HTTP_USER_AGENT", ""), kept.keep.visit_path)
        start_response(kept.status, list(kept.headers))
        return [kept.body]

    def _still_current(self, keep: Keep) -> bool:
        try:
            return self.current_state(keep.code) == keep.state
        except Exception:  # noqa: BLE001 — the database unreachable, say: Flask answers (and reports) it
            return False

    def _answer_and_keep(self, key: Key, environ: dict[str, Any],
                         start_response: StartResponse) -> Iterable[bytes]:
        answered: list[tuple[str, list[tuple[str, str]]]] = []

        def noting_start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            answered.append((status, headers))
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        body = self.wsgi_app(environ, noting_start_response)
        keep: Keep | None = environ.get(KEEP)
        if keep is None or not answered or not answered[-1][0].startswith(KEPT_STATUSES):
            return body
        status, headers = answered[-1]
        if any(name.lower() == "set-cookie" for name, _ in headers):
            return body  # a cookie is one reader's: never handed to the next
        try:
            data = b"".join(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        with self._lock:
            self._kept[key] = Kept(status, list(headers), data, keep)
            self._kept.move_to_end(key)
            while len(self._kept) > self.capacity:
                self._kept.popitem(last=False)
        return [data]
