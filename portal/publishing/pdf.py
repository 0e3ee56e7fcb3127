"""PDF rendering for printed notices (公告, 公示) — HTML in, A4 PDF with embedded CJK fonts out.

WeasyPrint lays out the HTML; a base stylesheet gives every document an A4 page, print margins
and a Chinese font stack. The first font is WenQuanYi Zen Hei (Debian ``fonts-wqy-zenhei``,
installed by ``scripts/bootstrap``) because it is TrueType: WeasyPrint subsets it in well under
a second per page, while the OpenType collection of Noto Sans CJK takes several seconds.

Rendering never touches the network: images and stylesheets come from ``data:`` URLs or from
files under ``base_url``; anything else is skipped (WeasyPrint logs a warning and goes on).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

__all__ = ["BASE_CSS", "FONT_FAMILY", "render_pdf"]

FONT_FAMILY = '"WenQuanYi Zen Hei", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif'

BASE_CSS = f"""
@page {{
    size: A4;
    margin: 18mm 16mm 20mm 16mm;
}}
html {{
    font-family: {FONT_FAMILY};
    font-size: 12pt;
    line-height: 1.6;
    color: #000;
}}
table {{ border-collapse: collapse; }}
"""

_base_stylesheet: CSS | None = None


def _stylesheet() -> CSS:
    """Return the parsed base stylesheet (parsed once per process)."""
    global _base_stylesheet
    if _base_stylesheet is None:
        _base_stylesheet = CSS(string=BASE_CSS)
    return _base_stylesheet


class _LocalOnlyFetcher(URLFetcher):  # type: ignore[misc]  # weasyprint has no type information
    """A URL fetcher that serves ``data:`` URLs and files under one directory, nothing else."""

    def __init__(self, root: Path | None) -> None:
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)
        self._root = root

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        """Fetch ``url`` if it is a ``data:`` URL or a file inside the root; refuse otherwise."""
        if urlsplit(url).scheme.lower() == "file":
            path = Path(url2pathname(urlsplit(url).path)).resolve()
            if self._root is None or not path.is_relative_to(self._root):
                raise ValueError(f"file outside the PDF base directory refused: {url}")
        return super().fetch(url, headers)


def _local_root(base_url: str | None) -> Path | None:
    """Return the directory that ``base_url`` (a path or ``file:`` URL) names, if any."""
    if not base_url:
        return None
    parts = urlsplit(base_url)
    if parts.scheme.lower() == "file":
        path = Path(url2pathname(parts.path))
    elif parts.scheme and len(parts.scheme) > 1:  # http: and friends; "C:" is a drive
        return None
    else:
        path = Path(base_url)
    path = path.resolve()
    return path if path.is_dir() else path.parent


def render_pdf(html: str, base_url: str | None = None) -> bytes:
    """Render an HTML document to PDF bytes, A4, with the portal's Chinese font embedded.

    ``base_url`` is a directory (path or ``file:`` URL) against which relative links to
    images and stylesheets are resolved; only files inside it are read. The document's own
    CSS overrides the base stylesheet. Raises whatever WeasyPrint raises on unusable input.
    """
    root = _local_root(base_url)
    if root is not None:
        base_url = root.as_uri() + "/"
    document = HTML(string=html, base_url=base_url, url_fetcher=_LocalOnlyFetcher(root))
    body: bytes = document.write_pdf(stylesheets=[_stylesheet()])
    return body
