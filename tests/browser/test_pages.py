"""The pages people see, in a phone-sized headless Chromium, served by a real HTTP server."""
from __future__ import annotations

import base64

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from .conftest import (
    SAVE_SCREENSHOTS,
    SCREENSHOT_DIR,
    assert_no_horizontal_overflow,
    console_errors,
    save_screenshot,
)

pytestmark = pytest.mark.browser

PAGES = {
    "home": "/",
    "village": "/v/lianban/",
    "contract-company": "/v/lianban/contracts/LB-LZ-2024-001",
    "contract-household-arrears": "/v/lianban/contracts/LB-HT-2016-003",
    "contract-shop": "/v/lianban/contracts/LB-FW-2025-001",
    "contracts": "/v/lianban/contracts?status=active",
    "arrears": "/v/lianban/arrears",
    "receipts": "/v/lianban/receipts?year=2025",
    "search": "/v/lianban/search?q=公司",
    "stats": "/v/lianban/stats",
    "login": "/login",
    "not-found": "/v/lianban/contracts/NOPE",
    "parcels": "/v/lianban/parcels",
    "parcel": "/v/lianban/parcels/LB-001",
    "parcel-map": "/v/lianban/map",
    "notices": "/v/lianban/notices",
    "notice": "/v/lianban/notices/GG-2024-002",
    "plans": "/v/lianban/plans",
    "plan-adopted": "/v/lianban/plans/FA-2023-001",
    "plan-open": "/v/lianban/plans/FA-2026-001",
    "ledger": "/v/lianban/ledger?year=2025",
    "ledger-entry-person": "/v/lianban/ledger/ZJ-2025-0019",
    "fund": "/v/lianban/ledger/funds/JJ-001",
    "meetings": "/v/lianban/meetings",
    "meeting": "/v/lianban/meetings/HY-2026-001",
    "dividends": "/v/lianban/dividends",
    "dividend-year": "/v/lianban/dividends/2025",
    "dividend-check": "/v/lianban/dividends/check",
}


def save_full_page(driver, name: str) -> None:
    """The whole page as one PNG, to look at as a villager would scroll through it."""
    if not SAVE_SCREENSHOTS:
        return
    width, height = driver.execute_script(
        "return [document.documentElement.clientWidth, document.documentElement.scrollHeight];")
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": min(height, 6000), "scale": 1}})
    SCREENSHOT_DIR.mkdir(exist_ok=True)
    (SCREENSHOT_DIR / f"{name}-full.png").write_bytes(base64.b64decode(shot["data"]))


@pytest.mark.parametrize("name", PAGES)
def test_page_fits_a_phone_without_errors(browser, live_server, name):
    browser.get(live_server + PAGES[name])
    assert browser.find_element("tag name", "h1").text
    assert console_errors(browser) == [] or name == "not-found"
    assert_no_horizontal_overflow(browser)
    font_size = browser.execute_script("return parseFloat(getComputedStyle(document.body).fontSize)")
    assert font_size >= 18
    save_screenshot(browser, name)
    save_full_page(browser, name)


def test_tap_targets_are_at_least_44px(browser, live_server):
    browser.get(live_server + PAGES["village"])
    small = browser.execute_script("""
        return [...document.querySelectorAll('main a, button, summary, input')]
          .filter(e => e.offsetParent !== null)
          .map(e => [e.textContent.trim().slice(0, 20), e.getBoundingClientRect().height])
          .filter(([t, h]) => h < 44);""")
    assert small == []


def test_login_with_demo_account_in_the_browser(browser, live_server):
    browser.get(live_server + "/login")
    browser.find_element("name", "username").send_keys("demo-staff")
    browser.find_element("name", "password").send_keys("demo-2026")
    browser.find_element("css selector", "button[type=submit]").click()
    wait = WebDriverWait(browser, 10)
    # Read the header by script: element handles go stale while the next page loads.
    header = "return document.querySelector('header') ? document.querySelector('header').textContent : ''"
    wait.until(lambda d: "演示报账员" in d.execute_script(header))
    browser.find_element("css selector", "header form button").click()
    wait.until(lambda d: "工作人员登录" in d.execute_script(header))


@pytest.mark.parametrize("name, heading", [("village", "How to verify"),
                                           ("contract-household-arrears", "Payment schedule")])
def test_page_in_english_fits_a_phone(browser, live_server, name, heading):
    """The footer link switches to English; longer English words must still fit 375 px."""
    browser.get(live_server + PAGES[name])
    browser.find_element("css selector", "footer a[lang=en]").click()
    WebDriverWait(browser, 10).until(lambda d: d.find_element("tag name", "html").get_attribute("lang") == "en")
    assert heading in [h.text for h in browser.find_elements("tag name", "h2")]
    assert console_errors(browser) == []
    assert_no_horizontal_overflow(browser)
    save_screenshot(browser, f"{name}-en")
    save_full_page(browser, f"{name}-en")
