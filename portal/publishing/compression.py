"""gzip for text responses, so a list page stays small on a weak village network.

A reverse proxy may do this too; doing it here keeps the portal light when served alone.
"""
from __future__ import annotations

import gzip

from flask import Flask, Response, request

MIN_BYTES = 1024
COMPRESSIBLE = ("text/", "application/json", "application/atom+xml", "application/jsonl", "image/svg+xml")


def init_app(app: Flask) -> None:
    @app.after_request
    def compress(response: Response) -> Response:
        if (response.direct_passthrough or response.is_streamed or response.status_code != 200
                # Accept's `in` takes a name; mypy sees only a list of (name, quality) pairs.
                or "gzip" not in request.accept_encodings  # type: ignore[comparison-overlap]
                or "Content-Encoding" in response.headers
                or not (response.mimetype or "").startswith(COMPRESSIBLE)):
            return response
        body = response.get_data()
        if len(body) < MIN_BYTES:
            return response
        response.set_data(gzip.compress(body, compresslevel=6, mtime=0))
        response.headers["Content-Encoding"] = "gzip"
        response.vary.add("Accept-Encoding")
        return response
