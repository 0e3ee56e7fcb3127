"""The optional WebCrypto check on a record page, and the page without JavaScript."""
from __future__ import annotations

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from .conftest import console_errors, save_screenshot

pytestmark = pytest.mark.browser
CONTRACT = "/v/lianban/contracts/LB-LZ-2024-001"


def test_browser_recomputes_the_inclusion_proof(browser, live_server):
    browser.get(live_server + CONTRACT)
    box = browser.find_element("id", "browser-verify")
    assert box.is_displayed()
    browser.execute_script("arguments[0].scrollIntoView()", box)
    box.find_element("tag name", "button").click()
    output = box.find_element("tag name", "output")
    WebDriverWait(browser, 10).until(lambda d: "核验" in output.text and "正在" not in output.text)
    assert output.text.startswith("核验通过"), output.text
    assert console_errors(browser) == []
    save_screenshot(browser, "contract-verified-in-browser")


def test_the_proof_is_readable_without_javascript(client_without_js):
    page = client_without_js(CONTRACT)
    assert "核验此记录" in page and "下载证明包" in page and "包含证明" in page


@pytest.fixture
def client_without_js(live_server):
    """The page as a browser with JavaScript off gets it: plain HTML over HTTP."""
    import urllib.request

    def fetch(path: str) -> str:
        with urllib.request.urlopen(live_server + path) as response:  # noqa: S310 — loopback only
            return response.read().decode("utf-8")

    return fetch
