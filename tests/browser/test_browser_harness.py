"""The browser harness itself: phone-sized viewport, console capture, overflow check, screenshots."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

HEAD = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{title}</title>
<style>body {{ font: 18px/1.6 sans-serif; margin: 0 16px; }}</style>
</head><body>"""

GOOD_PAGE = HEAD.format(title="莲坂村 三资公开") + """
<h1>莲坂村土地承包合同公示</h1>
<p>承包方：示例农业发展有限公司，面积 123.45 亩，租金 500 元/亩/年，合计 ¥61,725.00。</p>
</body></html>"""

NO_VIEWPORT_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<link rel="icon" href="data:,"><title>no viewport</title></head><body>公示</body></html>"""

BAD_PAGE = HEAD.format(title="broken") + """
<div style="width: 600px">太宽的表格</div>
<script>console.error("deliberate harness error");</script>
</body></html>"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output clean."""


@pytest.fixture(scope="module")
def static_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a throwaway HTTP server on 127.0.0.1 serving the pages above."""
    root: Path = tmp_path_factory.mktemp("site")
    (root / "good.html").write_text(GOOD_PAGE, encoding="utf-8")
    (root / "bad.html").write_text(BAD_PAGE, encoding="utf-8")
    (root / "no-viewport.html").write_text(NO_VIEWPORT_PAGE, encoding="utf-8")
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_good_page_passes_every_check(browser, browser_helpers, static_site: str, monkeypatch) -> None:
    from . import conftest as harness

    monkeypatch.setattr(harness, "SAVE_SCREENSHOTS", True)  # saved even where CI skips them
    browser.get(f"{static_site}/good.html")
    assert browser.execute_script("return window.innerWidth;") == 375
    assert "莲坂村土地承包合同公示" in browser.find_element("tag name", "h1").text
    assert browser_helpers.console_errors(browser) == []
    browser_helpers.assert_no_horizontal_overflow(browser)
    shot = browser_helpers.save_screenshot(browser, "harness-good")
    assert shot.read_bytes().startswith(b"\x89PNG")


def test_checks_catch_console_errors_and_overflow(browser, browser_helpers,
                                                  static_site: str) -> None:
    browser.get(f"{static_site}/bad.html")
    errors = browser_helpers.console_errors(browser)
    assert any("deliberate harness error" in message for message in errors), errors
    with pytest.raises(AssertionError, match="overflows horizontally"):
        browser_helpers.assert_no_horizontal_overflow(browser)

    browser.get(f"{static_site}/no-viewport.html")
    with pytest.raises(AssertionError, match="lacks <meta name=\"viewport\""):
        browser_helpers.assert_no_horizontal_overflow(browser)
