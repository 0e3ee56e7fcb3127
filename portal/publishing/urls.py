"""Absolute addresses of the portal's pages, for QR codes, printed notices and the feed."""
from __future__ import annotations

from flask import current_app


def public_url(path: str = "", query: str = "") -> str:
    """`path` (as url_for gives it) on PUBLIC_BASE_URL, never on the request's Host header: pages
    are cached for every reader whatever host they asked by, and paper outlives any request."""
    base: str = current_app.config["PUBLIC_BASE_URL"]
    return base.rstrip("/") + path + (f"?{query}" if query else "")
