"""Security headers on every response: what a browser may load and run for the portal's pages.

Scripts only from the portal itself (no inline script anywhere: `static/verify.js` with the
`static/tlog.js` it shares with the co-signing page); styles only from the portal's stylesheet (no
<style> element or style attribute in a page: the map's fills are SVG attributes, the vote bars
SVG rectangles of a width); nothing may frame the pages; referrers stay on the site. HSTS only
over TLS: when the configured public address is https, or the request came over https — directly,
or per the X-Forwarded-Proto of a trusted proxy (TRUSTED_PROXIES; from anyone else the header is
ignored). Over plain http a browser ignores HSTS anyway, and a development server on http must not
be pinned to https.
"""
from __future__ import annotations

from flask import Flask, Response, request

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
HSTS = "max-age=31536000"


def security_headers(https: bool) -> dict[str, str]:
    """The headers every response carries; HSTS too when the site is served over https."""
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",  # for browsers that predate frame-ancestors
    }
    if https:
        headers["Strict-Transport-Security"] = HSTS
    return headers


def init_app(app: Flask) -> None:
    https_site = str(app.config.get("PUBLIC_BASE_URL", "")).startswith("https://")
    plain, secure = list(security_headers(https_site).items()), list(security_headers(True).items())

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        headers = response.headers
        # A view may set its own (a stricter policy, say): keep it. One pass over the headers
        # instead of one per name (Werkzeug's `in` compares each name in turn).
        present = {name.lower() for name, _ in headers}
        for name, value in secure if request.is_secure else plain:
            if name.lower() not in present:
                headers.add(name, value)
        return response
