"""Rendered PDFs on disk, keyed by what they show, so an unchanged record or list is rendered once."""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from flask import current_app

CACHE_MAX_BYTES = 200 * 1024 * 1024


CACHE_PRUNE_TO = 0.8  # after pruning, the cache holds at most this share of the cap


class PdfCache:
    """Rendered PDFs on disk, one file per key, written atomically; oldest-used pruned past a cap."""

    def __init__(self, directory: Path, max_bytes: int = CACHE_MAX_BYTES) -> None:
        self.directory = directory
        self.max_bytes = max_bytes

    def path(self, key: tuple[object, ...]) -> Path:
        digest = hashlib.sha256(json.dumps(key, ensure_ascii=False, default=str).encode("utf-8")).hexdigest()
        return self.directory / f"{digest}.pdf"

    def get(self, key: tuple[object, ...]) -> bytes | None:
        path = self.path(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            os.utime(path)  # mark as recently used, for pruning
        except FileNotFoundError:  # pruned by another worker meanwhile; the bytes are still good
            pass
        return data

    def put(self, key: tuple[object, ...], data: bytes) -> None:
        """Store `data` under `key`: a complete file or none, even with concurrent writers."""
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, self.path(key))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.prune()

    def prune(self) -> None:
        """Past the cap, delete least recently used files down to CACHE_PRUNE_TO of it."""
        files = []
        for path in self.directory.glob("*.pdf"):
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            files.append((stat.st_mtime, stat.st_size, path))
        total = sum(size for _, size, _ in files)
        if total <= self.max_bytes:
            return
        for _, size, path in sorted(files, key=lambda f: f[0]):
            path.unlink(missing_ok=True)
            total -= size
            if total <= self.max_bytes * CACHE_PRUNE_TO:
                return

    def get_or_render(self, key: tuple[object, ...], render: Callable[[], bytes]) -> bytes:
        """The cached PDF, or a fresh one (stored if the disk allows; served either way)."""
        data = self.get(key)
        if data is None:
            data = render()
            try:
                self.put(key, data)
            except OSError:
                current_app.logger.warning("PDF cache not writable: %s", self.directory, exc_info=True)
        return data


def pdf_cache() -> PdfCache:
    return PdfCache(Path(current_app.instance_path) / "pdf-cache")
