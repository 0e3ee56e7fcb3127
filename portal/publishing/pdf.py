"""PDF rendering for printed notices (公告, 公示) — HTML in, A4 PDF with embedded CJK fonts out.

WeasyPrint lays out the HTML; a base stylesheet gives every document an A4 page, print margins
and a Chinese font stack. The first font is WenQuanYi Zen Hei (Debian ``fonts-wqy-zenhei``,
installed by ``scripts/bootstrap``) because it is TrueType: WeasyPrint subsets it in well under
a second per page, while the OpenType collection of Noto Sans CJK takes several seconds.

Rendering never touches the network: images and stylesheets come from ``data:`` URLs or from
files under ``base_url``; anything else is skipped (WeasyPrint logs a warning and goes on).

Each render has a time budget (``PDF_RENDER_SECONDS``): a document that takes longer raises
`RenderTimeout` (the reader gets a 503 page) instead of holding a worker until gunicorn kills it.
In the main thread (gunicorn's sync workers, the test client) a SIGALRM timer interrupts the
layout itself; in another thread (the development server) the render runs in a helper thread,
which is stopped when over budget (an exception raised into it, caught there) and waited for.
"""

from __future__ import annotations

import ctypes
import signal
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

__all__ = ["BASE_CSS", "FONT_FAMILY", "RenderTimeout", "render_pdf"]

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


class RenderTimeout(Exception):
    """A PDF took longer than its budget to render; nothing was produced."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"PDF render over its budget of {seconds:g} s")

    def __reduce__(self) -> tuple[type[RenderTimeout], tuple[float]]:
        return type(self), (self.seconds,)


# After the budget, the alarm fires again this often: WeasyPrint catches broad exceptions in
# places (a font or image it cannot load), so one raise may be swallowed and the render go on.
REARM_SECONDS = 0.05


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    """Raises RenderTimeout in the main thread once `seconds` have passed inside the block (and
    again until it lands; on leaving the block, if it was ever swallowed)."""
    expired = []

    def on_alarm(_signum: int, frame: FrameType | None) -> None:
        expired.append(True)
        signal.setitimer(signal.ITIMER_REAL, REARM_SECONDS)
        if not _in_finalizer(frame):  # raised there, it would only be printed and ignored
            raise RenderTimeout(seconds)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if expired:
        raise RenderTimeout(seconds)


def _in_finalizer(frame: FrameType | None) -> bool:
    """Whether `frame` runs inside a __del__ method (whose exceptions Python ignores)."""
    while frame is not None:
        if frame.f_code.co_name == "__del__":
            return True
        frame = frame.f_back
    return False


def _within(seconds: float | None, work: Callable[[], bytes]) -> bytes:
    """`work()`, or RenderTimeout when it takes more than `seconds` (None or 0: no limit)."""
    if not seconds or seconds <= 0:
        return work()
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        with _alarm(seconds):
            return work()
    done: list[bytes] = []
    failed: list[BaseException] = []
    finished: list[bool] = []
    guard = threading.Lock()

    def run() -> None:
        try:
            try:
                done.append(work())
            finally:
                with guard:  # from here on nothing is sent into this thread
                    finished.append(True)
        except _Abandoned:  # over budget: the waiting thread has answered already
            pass
        except BaseException as err:  # handed to the waiting thread
            failed.append(err)

    helper = threading.Thread(target=run, name="pdf-render", daemon=True)
    helper.start()
    helper.join(seconds)
    if failed:
        raise failed[0]
    if not done:
        _stop(helper, guard, finished)
        raise RenderTimeout(seconds)
    return done[0]


class _Abandoned(BaseException):
    """Sent into a render thread that is over its budget, so that it stops laying out (a
    BaseException: WeasyPrint's broad `except Exception` clauses let it through)."""


def _stop(helper: threading.Thread, guard: threading.Lock, finished: list[bool]) -> None:
    """Ends the render in `helper` (raises _Abandoned there, again while it is swallowed) and
    waits for the thread to end, so no render goes on using the CPU after its answer."""
    while helper.is_alive() and helper.ident is not None:
        with guard:
            if finished:
                break
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(helper.ident),
                                                       ctypes.py_object(_Abandoned))
        helper.join(REARM_SECONDS)
    helper.join()


def _budget() -> float | None:
    """PDF_RENDER_SECONDS of the current app, if there is one."""
    from flask import current_app, has_app_context

    return float(current_app.config.get("PDF_RENDER_SECONDS") or 0) if has_app_context() else None


def render_pdf(html: str, base_url: str | None = None, time_limit: float | None = None) -> bytes:
    """Render an HTML document to PDF bytes, A4, with the portal's Chinese font embedded.

    ``base_url`` is a directory (path or ``file:`` URL) against which relative links to
    images and stylesheets are resolved; only files inside it are read. The document's own
    CSS overrides the base stylesheet. ``time_limit`` (seconds; default the app's
    PDF_RENDER_SECONDS) bounds the render: RenderTimeout past it. Raises whatever WeasyPrint
    raises on unusable input.
    """
    root = _local_root(base_url)
    if root is not None:
        base_url = root.as_uri() + "/"

    def render() -> bytes:
        document = HTML(string=html, base_url=base_url, url_fetcher=_LocalOnlyFetcher(root))
        body: bytes = document.write_pdf(stylesheets=[_stylesheet()])
        return body

    return _within(_budget() if time_limit is None else time_limit, render)
