"""Conditional GET for village pages, and the visit count.

A village page depends only on the village's log head (every change appends to it), on the
Beijing date (arrears age by the day), on who looks (language, 长辈版, login) and on the
release of the templates; its ETag hashes exactly those, so an unchanged page costs a 304
after one primary-key read.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, Response, current_app, g, request, session
from flask_login import current_user

from ..services import audit_log
from ..services.visits import VisitCounter

DOWNLOAD_SUFFIXES = (".csv", ".xlsx", ".json", ".pdf", ".jsonl", ".atom")


def release_token(app: Flask) -> str:
    """Changes whenever a template or stylesheet changes, the same in every worker."""
    digest = hashlib.sha256()
    for folder in (Path(app.template_folder), Path(app.static_folder)):  # type: ignore[arg-type]
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def _etag_for(code: str) -> tuple[str, object] | None:
    from ..app import backend
    from .routes import today

    with backend().db.read() as db_session:
        head = audit_log.head(db_session, code)
    if head is None:
        return None
    viewer = current_user.get_id() if current_user.is_authenticated else "-"
    parts = [current_app.config["RELEASE_TOKEN"], code, str(head.size), head.root.hex(), today().isoformat(),
             session.get("lang", "zh"), "large" if session.get("large_text") else "", viewer]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32], head


def init_app(app: Flask) -> None:
    app.config.setdefault("RELEASE_TOKEN", release_token(app))
    visits = VisitCounter()
    app.extensions["visits"] = visits

    @app.before_request
    def answer_not_modified():
        code = (request.view_args or {}).get("code")
        if request.method != "GET" or not code:
            return None
        found = _etag_for(code)
        if found is None:
            return None  # unknown village: the view answers 404
        g.page_etag = found[0]
        if not request.path.endswith(DOWNLOAD_SUFFIXES) and "/audit/" not in request.path:
            from ..app import backend
            from .routes import today

            visits.count(backend(), code, today())
        if request.if_none_match.contains_weak(found[0]) and not session.get("_flashes"):
            response = Response(status=304)
            response.set_etag(found[0], weak=True)
            return response
        return None

    @app.after_request
    def add_etag(response: Response) -> Response:
        etag = g.get("page_etag")
        if etag and response.status_code == 200 and response.get_etag()[0] is None:
            response.set_etag(etag, weak=True)  # weak: the gzip and plain bodies share it
            response.headers.setdefault("Cache-Control", "no-cache")
            response.vary.add("Cookie")
        return response
