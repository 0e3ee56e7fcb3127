"""Headless Chromium for page tests: a phone-sized browser and checks every page must pass.

Uses Debian's chromium and chromedriver (``scripts/bootstrap --test`` installs them); Selenium
Manager is never asked to download anything. Without them the browser tests are skipped, or
fail when ``REQUIRE_BROWSER=1`` (set by ``scripts/test`` in CI).

Fixtures:
  ``browser``          one Chrome session for the whole run, 375×812 CSS px like a phone,
                       with the console log captured.
  ``browser_helpers``  the helper functions below, for tests that prefer a fixture to an import.
Helpers: ``console_errors(driver)``, ``assert_no_horizontal_overflow(driver)``,
``save_screenshot(driver, name)`` (PNG into ``screenshots/`` at the repository root).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # selenium is imported lazily, so collection works without it
    from flask import Flask
    from portal.kernel.transaction import Backend
    from tests.conftest import DemoTemplates
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.remote.webelement import WebElement

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO_ROOT / "screenshots"
# Screenshots are for people to look at: saved on a developer's machine, not by CI (whose machine
# is thrown away) unless SCREENSHOTS=1.
SAVE_SCREENSHOTS = os.environ.get("SCREENSHOTS", "0" if os.environ.get("CI") == "true" else "1") == "1"

VIEWPORT_WIDTH = 375
VIEWPORT_HEIGHT = 812
# A cheap Android phone in WeChat's built-in browser, as many villagers use.
MOBILE_USER_AGENT = (
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Mobile Safari/537.36 MicroMessenger/8.0.47"
)
CHROME_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-extensions",
    "--lang=zh-CN",
)


def _find(names: tuple[str, ...], fallbacks: tuple[str, ...]) -> str | None:
    """First executable found on PATH under one of ``names``, else an existing fallback path."""
    for name in names:
        if found := shutil.which(name):
            return found
    return next((path for path in fallbacks if os.access(path, os.X_OK)), None)


def _unavailable(message: str) -> None:
    """Fail when the browser is required (CI), skip otherwise."""
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"{message} (REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser() -> Iterator[WebDriver]:
    """A headless Chromium WebDriver with a 375 px wide viewport, closed after the run."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _unavailable("selenium not installed: run scripts/bootstrap --test")
    chromium = _find(("chromium", "chromium-browser"), ("/usr/bin/chromium",))
    chromedriver = _find(("chromedriver",), ("/usr/bin/chromedriver",
                                             "/usr/lib/chromium/chromedriver"))
    if chromium is None or chromedriver is None:
        _unavailable("headless Chromium not found: run scripts/bootstrap --test "
                     "(installs chromium chromium-driver)")

    profile = tempfile.mkdtemp(prefix="portal-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={VIEWPORT_WIDTH},{VIEWPORT_HEIGHT}")
    options.add_experimental_option("mobileEmulation", {
        "deviceMetrics": {"width": VIEWPORT_WIDTH, "height": VIEWPORT_HEIGHT,
                          "pixelRatio": 2.0, "touch": True},
        "userAgent": MOBILE_USER_AGENT,
    })
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=chromedriver)
    try:
        driver = webdriver.Chrome(service=service, options=options)
    except Exception as exc:  # the driver's own message says what went wrong
        shutil.rmtree(profile, ignore_errors=True)
        _unavailable(f"headless Chromium did not start: {exc}")
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(autouse=True)
def _fresh_console_log(request: pytest.FixtureRequest) -> None:
    """Drop console entries and cookies (language, 长辈版, login) left by earlier tests, so each
    test starts as a new reader."""
    if "browser" in request.fixturenames:
        driver = request.getfixturevalue("browser")
        driver.get_log("browser")
        driver.delete_all_cookies()


def replaced(old: WebElement) -> Callable[[WebDriver], bool]:
    """A wait condition: `old` is gone, a new page has replaced the one it was on. While the new
    document replaces the old, chromedriver may answer with an unknown error ("Node with given id
    does not belong to the document") instead of a stale element: gone too."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    def gone(_driver: WebDriver) -> bool:
        try:
            old.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            if "does not belong to the document" in str(error):
                return True
            raise
        return False

    return gone


def console_errors(driver: WebDriver) -> list[str]:
    """Messages of SEVERE console entries (JS errors, failed loads) since the last call.

    Reading the log empties it, so call this once per page, after the page has loaded.
    """
    return [entry["message"] for entry in driver.get_log("browser")
            if entry.get("level") == "SEVERE"]


def assert_no_horizontal_overflow(driver: WebDriver) -> None:
    """Fail if the page is wider than the phone's screen (a villager would scroll sideways).

    Under mobile emulation ``window.innerWidth`` grows with overflowing content, so the layout
    viewport (``clientWidth``) and the screen width are the yardsticks, not ``innerWidth``.
    """
    scroll_width, client_width, screen_width = driver.execute_script(
        "const e = document.documentElement;"
        "return [e.scrollWidth, e.clientWidth, window.screen.width];")
    assert client_width <= screen_width, (
        f"layout viewport is {client_width}px on a {screen_width}px screen: "
        f'{driver.current_url} lacks <meta name="viewport" content="width=device-width">')
    assert scroll_width <= client_width, (
        f"page overflows horizontally: scrollWidth {scroll_width} > viewport {client_width} "
        f"on {driver.current_url}")


def save_screenshot(driver: WebDriver, name: str) -> Path:
    """Save a PNG of the viewport as ``screenshots/<name>.png`` (when SAVE_SCREENSHOTS) and
    return its path."""
    safe = re.sub(r"[^\w.-]+", "_", name).strip("_") or "screenshot"
    path = SCREENSHOT_DIR / f"{safe}.png"
    if SAVE_SCREENSHOTS:
        SCREENSHOT_DIR.mkdir(exist_ok=True)
        driver.save_screenshot(str(path))
    return path


@pytest.fixture
def browser_helpers() -> SimpleNamespace:
    """The helpers above, so tests need not import from a conftest module."""
    return SimpleNamespace(console_errors=console_errors,
                           assert_no_horizontal_overflow=assert_no_horizontal_overflow,
                           save_screenshot=save_screenshot)


@contextmanager
def serving(folder: Path, fill: Callable[[Backend], None] | None,
            wrap: Callable[[Flask], None] | None = None,
            demo: DemoTemplates | None = None) -> Iterator[str]:
    """A portal on a new SQLite database in `folder` (a copy of the demo village when `demo`,
    the run's demo templates, is given), filled by `fill(backend)`, served over HTTP on a free
    loopback port; yields its base URL. `wrap(app)`, if given, may then put a middleware around
    `app.wsgi_app` (a test's lying server)."""
    import threading

    from werkzeug.serving import make_server

    from portal import create_app

    instance = folder
    if demo is not None:
        demo.sqlite(folder)
        instance = folder / "instance"
    app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'portal.db'}", "INSTANCE_PATH": str(instance),
                      "SECRET_KEY": "browser-test"})
    app.extensions["portal"].db.create_schema()
    if fill is not None:
        fill(app.extensions["portal"])
    if wrap is not None:
        wrap(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        app.extensions["portal"].db.dispose()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, demo_templates: DemoTemplates) -> Iterator[str]:
    """The demo village (as of 2026-11-23) served over HTTP on a free loopback port, for the browser."""
    with serving(tmp_path_factory.mktemp("live"), None, demo=demo_templates) as url:
        yield url
