"""demo-committee makes a witness key in the browser, registers it and co-signs the village log's
checkpoint on a 375×812 phone; the public checkpoint then carries the cosignature. A log
rewritten behind the member's back (a lying server's checkpoint, signed by the portal's own key,
that does not extend the one co-signed) is refused in the browser."""
from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from audit import cosignature, note
from audit.checkpoint import format_checkpoint, parse_checkpoint

from .conftest import serving
from .test_workspace_flow import check_page, click_and_wait, log_in

pytestmark = pytest.mark.browser
PAGE = "/committee/cosign/"
CHECKPOINT = "/v/lianban/audit/checkpoint"


class Liar:
    """Answers the paths in `lies` with the bodies given instead of asking the portal."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app, self.lies = app, {}  # type: ignore[var-annotated]

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        lie = self.lies.get(environ["PATH_INFO"])
        if lie is None:
            return self.app(environ, start_response)
        start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8"), ("Cache-Control", "no-store")])
        return [lie]


@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_templates) -> Iterator[tuple[str, Liar, Any]]:
    folder = tmp_path_factory.mktemp("cosign")
    holder: dict[str, Liar] = {}

    def wrap(app: Any) -> None:
        holder["liar"] = app.wsgi_app = Liar(app.wsgi_app)

    with serving(folder, None, wrap, demo=demo_templates) as url:
        yield url, holder["liar"], folder / "instance"  # where the served copy keeps its signing key


def _get(url: str) -> str:
    with urllib.request.urlopen(url) as response:  # noqa: S310 — loopback only
        return str(response.read().decode())


def _status(browser) -> str:
    return str(browser.find_element(By.ID, "cosign-status").text)


def test_demo_committee_makes_a_key_and_cosigns_in_the_browser(browser, server):
    base, liar, folder = server
    liar.lies.clear()
    log_in(browser, base, "demo-committee")
    browser.get(base + PAGE)
    browser.execute_script("localStorage.clear()")
    browser.get(base + PAGE)
    check_page(browser, "cosign-page")
    browser.find_element(By.ID, "make-key").click()
    WebDriverWait(browser, 15).until(lambda d: d.find_element(By.NAME, "verifier_key").get_attribute("value"))
    vkey = browser.find_element(By.NAME, "verifier_key").get_attribute("value")
    assert cosignature.parse_cosigner(vkey).name.endswith("/v/lianban/committee/2")
    assert browser.find_element(By.ID, "save-key").get_attribute("href").startswith("data:text/plain")
    check_page(browser, "cosign-key-made")
    click_and_wait(browser, browser.find_element(By.XPATH, "//button[normalize-space()='登记公钥']"))
    assert "已登记公钥" in browser.find_element(By.CSS_SELECTOR, ".flash").text
    click_and_wait(browser, browser.find_element(By.ID, "do-cosign"))
    assert "已联署检查点" in browser.find_element(By.CSS_SELECTOR, ".flash").text, _status(browser)
    check_page(browser, "cosign-done")

    public = _get(base + CHECKPOINT)
    keys = _get(base + "/v/lianban/audit/keys").splitlines()
    assert vkey in keys
    [cosigned] = cosignature.cosignatures(public, [vkey])
    assert cosigned.name.endswith("/committee/2")
    assert "已由监委会成员联署（公钥 2" in browser.page_source

    # The log rewritten behind the member's back: a longer checkpoint, signed with the portal's
    # own key, whose tree does not extend the one just co-signed. The browser refuses to sign.
    current = parse_checkpoint(note.split_note(public)[0])
    signer = (folder / "audit-signing.key").read_text().strip()
    forged = note.sign(format_checkpoint(current.origin, current.size + 3, b"\x07" * 32), [signer])
    liar.lies[CHECKPOINT] = forged.encode()
    liar.lies["/v/lianban/audit/proof/consistency"] = json.dumps(
        {"old": current.size, "new": current.size + 3, "path": [(b"\x09" * 32).hex()] * 3}).encode()
    try:
        browser.get(base + PAGE)
        browser.find_element(By.ID, "do-cosign").click()
        WebDriverWait(browser, 15).until(lambda d: _status(d).startswith("拒绝联署"))
        assert "日志被改写过" in _status(browser)
        check_page(browser, "cosign-refused")
    finally:
        liar.lies.clear()
    assert cosignature.cosignatures(_get(base + CHECKPOINT), [vkey])[0].timestamp == cosigned.timestamp


def test_the_pure_javascript_fallback_signs_as_rfc_8032_says(browser, server):
    """RFC 8032 §7.1 test 2: the key and signature the fallback makes where WebCrypto has no Ed25519."""
    base, _, _ = server
    browser.get(base + "/")
    result = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const unhex = h => new Uint8Array(h.match(/../g).map(b => parseInt(b, 16)));
        const hex = b => Array.from(b, x => x.toString(16).padStart(2, '0')).join('');
        const s = document.createElement('script');
        s.src = '/static/ed25519.js';
        s.onload = async () => {
          const seed = unhex('4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb');
          done([hex(await SanziEd25519.publicKey(seed)), hex(await SanziEd25519.sign(seed, unhex('72')))]);
        };
        document.head.appendChild(s);""")
    assert result == ["3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
                      "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
                      "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"]
