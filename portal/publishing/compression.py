"""gzip for text responses, so a list page stays small on a weak village network.

A reverse proxy may do this too; doing it here keeps the portal light when served alone.
"""
from __future__ import annotations

import gzip
import threading
from collections import OrderedDict

from flask import Flask, Response, request

MIN_BYTES = 1024
COMPRESSIBLE = ("text/", "application/json", "application/atom+xml", "application/jsonl", "image/svg+xml")
REMEMBER_MAX_BYTES = 64 * 1024


class Compressed:
    """Bodies already compressed, by their bytes: a page rendered on every request (page cache
    off, a logged-in reader) is mostly the same bytes again, and gzip cost a sixth of its time."""

    def __init__(self, capacity: int = 64) -> None:
        self.capacity = capacity
        self._bodies: OrderedDict[bytes, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, body: bytes) -> bytes:
        if len(body) > REMEMBER_MAX_BYTES:
            return gzip.compress(body, compresslevel=6, mtime=0)
        with self._lock:
            found = self._bodies.get(body)
            if found is not None:
                self._bodies.move_to_end(body)
                return found
        packed = gzip.compress(body, compresslevel=6, mtime=0)
        with self._lock:
            self._bodies[body] = packed
            while len(self._bodies) > self.capacity:
                self._bodies.popitem(last=False)
        return packed


def init_app(app: Flask) -> None:
    compressed = Compressed()

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
        response.set_data(compressed(body))
        response.headers["Content-Encoding"] = "gzip"
        response.vary.add("Accept-Encoding")
        return response
