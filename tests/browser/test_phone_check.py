"""The phone's own check (static/verify.js) against a lying server, in headless Chromium.

A WSGI middleware in front of the demo portal answers some addresses with forged bodies: a
forged proof bundle, a checkpoint signed by another key or with a broken signature, and a
rewritten log (a checkpoint the portal's own key signed that does not extend the one the phone
saw before). The check must name each difference in plain Chinese; the genuine bundle passes.
"""
from __future__ import annotations

import base64
import hashlib
import json
import urllib.request
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from audit import note
from audit.checkpoint import format_checkpoint, parse_checkpoint

from .conftest import console_errors, save_screenshot, serving

pytestmark = pytest.mark.browser
CONTRACT = "/v/lianban/contracts/LB-LZ-2024-001"
VILLAGE = "/v/lianban/"
CHECKPOINT = "/v/lianban/audit/checkpoint"
CONSISTENCY = "/v/lianban/audit/proof/consistency"


class LyingServer:
    """Answers the paths in `lies` with the bodies given instead of asking the portal."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app
        self.lies: dict[str, tuple[str, bytes]] = {}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        lie = self.lies.get(environ["PATH_INFO"])
        if lie is None:
            return self.app(environ, start_response)
        start_response("200 OK", [("Content-Type", lie[0]), ("Cache-Control", "no-store")])
        return [lie[1]]


class Portal:
    def __init__(self, url: str, folder: Any) -> None:
        self.url, self.folder = url, folder
        self.liar: LyingServer
        self.backend: Any

    def get(self, path: str) -> bytes:
        with urllib.request.urlopen(self.url + path) as response:  # noqa: S310 — loopback only
            return bytes(response.read())

    def signer_key(self) -> str:
        """The portal's own signing key: a lying server signs whatever it likes with it."""
        return (self.folder / "audit-signing.key").read_text().strip()


@pytest.fixture(scope="module")
def portal(tmp_path_factory, demo_templates) -> Iterator[Portal]:
    folder = tmp_path_factory.mktemp("lying")
    holder: dict[str, Any] = {}

    def wrap(app: Any) -> None:
        holder["liar"] = app.wsgi_app = LyingServer(app.wsgi_app)
        holder["backend"] = app.extensions["portal"]

    with serving(folder, None, wrap, demo=demo_templates) as url:
        served = Portal(url, folder / "instance")
        served.liar, served.backend = holder["liar"], holder["backend"]
        yield served


@pytest.fixture
def fresh(portal, browser) -> Iterator[Portal]:
    """No lies, and a phone that has never seen this village's log."""
    portal.liar.lies.clear()
    browser.get(portal.url + "/")
    browser.execute_script("localStorage.clear()")
    browser.get_log("browser")
    yield portal
    portal.liar.lies.clear()


def _bundle_path(portal: Portal) -> tuple[str, dict[str, Any]]:
    page = portal.get(CONTRACT).decode()
    path = page.split('data-bundle="', 1)[1].split('"', 1)[0]
    return path, json.loads(portal.get(path))


def _check(browser, portal: Portal) -> str:
    browser.get(portal.url + CONTRACT)
    box = browser.find_element("id", "browser-verify")
    browser.execute_script("arguments[0].scrollIntoView()", box)
    box.find_element("tag name", "button").click()
    output = box.find_element("tag name", "output")
    WebDriverWait(browser, 15).until(lambda d: output.text.startswith("核验") and "正在" not in output.text)
    return str(output.text)


def _canonical(entry: dict[str, Any]) -> str:
    return json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _one_entry_bundle(genuine: dict[str, Any], entry: dict[str, Any],
                      sign: Callable[[str], str]) -> bytes:
    """A bundle of `entry` alone in a one-entry log, its checkpoint signed by `sign`."""
    line = _canonical(entry)
    digest = hashlib.sha256(line.encode()).digest()
    leaf = hashlib.sha256(b"\x00" + digest).digest()
    origin = genuine["checkpoint"].split("\n", 1)[0]
    forged = dict(genuine, entry_line=line, entry_hash=digest.hex(),
                  inclusion={"index": 0, "size": 1, "leaf_hash": leaf.hex(), "path": [], "root": leaf.hex()},
                  checkpoint=sign(format_checkpoint(origin, 1, leaf)))
    return json.dumps(forged, ensure_ascii=False).encode()


def _zero_signature(genuine: dict[str, Any]) -> Callable[[str], str]:
    key_id = note.parse_verifier(genuine["verifier_keys"][0]).key_id
    name = genuine["verifier_keys"][0].split("+", 1)[0]
    return lambda text: f"{text}\n\u2014 {name} {base64.b64encode(key_id + bytes(64)).decode()}\n"


def _lie(portal: Portal, path: str, body: bytes, kind: str = "application/json") -> None:
    portal.liar.lies[path] = (kind, body)


def test_the_genuine_bundle_passes_and_names_what_it_checked(browser, fresh):
    text = _check(browser, fresh)
    assert text.startswith("核验通过"), text
    fingerprint = note.key_fingerprint(json.loads(fresh.get(_bundle_path(fresh)[0]))["verifier_keys"][0])
    assert fingerprint in text and "租金单价" in text and "合同编号" in text
    assert "监委会联署：监委会成员（公钥 1" in text  # the demo committee member co-signed the demo log
    assert console_errors(browser) == []
    save_screenshot(browser, "phone-check-passed")


def test_the_forged_bundle_of_the_issue_fails_naming_the_rent(browser, fresh):
    """Rent changed to 400 while the page shows 500, a one-entry log, an all-zero signature."""
    path, genuine = _bundle_path(fresh)
    entry = json.loads(genuine["entry_line"])
    assert entry["data"]["rent"]["rate"] == "500.00"
    entry["data"]["rent"]["rate"] = "400.00"
    _lie(fresh, path, _one_entry_bundle(genuine, entry, _zero_signature(genuine)))
    text = _check(browser, fresh)
    assert text.startswith("核验失败"), text
    assert "签名不对" in text
    assert "租金单价：本页显示“500.00”，日志记录的是“400.00”" in text
    save_screenshot(browser, "phone-check-forged-bundle")


def test_a_checkpoint_signed_by_another_key_fails(browser, fresh):
    path, genuine = _bundle_path(fresh)
    text_part = note.split_note(genuine["checkpoint"])[0]
    other = note.generate_signer("sanzi-portal")
    _lie(fresh, path, json.dumps(dict(genuine, checkpoint=note.sign(text_part, [other]))).encode())
    text = _check(browser, fresh)
    assert text.startswith("核验失败"), text
    assert "没有本村门户公钥" in text and "别的钥匙" in text


def test_a_broken_signature_fails(browser, fresh):
    path, genuine = _bundle_path(fresh)
    body, line = genuine["checkpoint"].rsplit("\u2014 ", 1)
    name, sig = line.strip().split(" ")
    raw = bytearray(base64.b64decode(sig))
    raw[-1] ^= 1
    broken = f"{body}\u2014 {name} {base64.b64encode(bytes(raw)).decode()}\n"
    _lie(fresh, path, json.dumps(dict(genuine, checkpoint=broken)).encode())
    text = _check(browser, fresh)
    assert text.startswith("核验失败") and "签名不对" in text, text


def test_an_entry_differing_from_the_page_in_one_field_is_named(browser, fresh):
    """Even signed with the portal's own key (a server that lies with it), a logged entry that
    is not what the page shows fails, naming the field and both values."""
    path, genuine = _bundle_path(fresh)
    entry = json.loads(genuine["entry_line"])
    entry["data"]["end_date"] = "2039-12-31"
    signer = note.Signer(fresh.signer_key())
    _lie(fresh, path, _one_entry_bundle(genuine, entry, signer.sign))
    text = _check(browser, fresh)
    assert text.startswith("核验失败"), text
    assert "终止日期：本页显示“2038年12月31日”，日志记录的是“2039年12月31日”" in text
    assert "签名不对" not in text and "包含证明不成立" not in text


def test_committee_cosignatures_on_the_checkpoint_are_verified_and_shown(browser, fresh):
    # The demo's committee member co-signed the demo's checkpoint with the village's key 1.
    text = _check(browser, fresh)
    assert text.startswith("核验通过") and "监委会联署：监委会成员（公钥 1，指纹 " in text, text
    assert "签名核验通过" in text
    path, genuine = _bundle_path(fresh)
    # A signature line by a key the village never registered is not counted as a cosignature.
    member = note.generate_signer("lianban-jianwei-1")
    _lie(fresh, path, json.dumps(dict(genuine, checkpoint=note.add_signature(genuine["checkpoint"], member))).encode())
    text = _check(browser, fresh)
    assert text.startswith("核验通过") and "另有 1 个未登记钥匙的签名" in text, text
    # A forged cosignature by the registered key fails the check, naming the key.
    committee = genuine["committee_keys"][0]["key"].split("+", 1)[0]
    lines = genuine["checkpoint"].split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("\u2014 " + committee + " "))
    raw = bytearray(base64.b64decode(lines[at].rsplit(" ", 1)[1]))
    raw[30] ^= 1
    lines[at] = lines[at].rsplit(" ", 1)[0] + " " + base64.b64encode(bytes(raw)).decode()
    _lie(fresh, path, json.dumps(dict(genuine, checkpoint="\n".join(lines))).encode())
    text = _check(browser, fresh)
    assert text.startswith("核验失败") and "监委会联署签名不对（公钥 1）" in text, text


def test_the_pure_javascript_fallback_verifies_ed25519(browser, fresh):
    """RFC 8032 §7.1 test 2, and the same signature over another message."""
    browser.get(fresh.url + CONTRACT)
    result = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const unhex = h => new Uint8Array(h.match(/../g).map(b => parseInt(b, 16)));
        const s = document.createElement('script');
        s.src = '/static/ed25519.js';
        s.onload = async () => {
          const pub = unhex('3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c');
          const sig = unhex('92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da' +
                            '085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00');
          done([await SanziEd25519.verify(pub, sig, unhex('72')),
                await SanziEd25519.verify(pub, sig, unhex('73'))]);
        };
        document.head.appendChild(s);""")
    assert result == [True, False]


def _signed_checkpoint(portal: Portal, size: int, root: bytes) -> bytes:
    origin = portal.get(CHECKPOINT).decode().split("\n", 1)[0]
    return note.Signer(portal.signer_key()).sign(format_checkpoint(origin, size, root)).encode()


def _visit(browser, portal: Portal, path: str = VILLAGE) -> str:
    browser.get(portal.url + path)
    box = "browser-verify" if "contracts" in path else "log-witness"
    WebDriverWait(browser, 15).until(
        lambda d: d.find_element("id", box).get_attribute("data-witnessed"))
    return str(browser.find_element("id", box).get_attribute("data-witnessed"))


def _alarm(browser) -> str:
    found = browser.find_elements("id", "fork-alarm")
    return str(found[0].text) if found else ""


def test_a_phone_that_saw_the_log_raises_the_alarm_when_it_is_rewritten(browser, fresh):
    assert _visit(browser, fresh) == "ok" and _alarm(browser) == ""
    seen = parse_checkpoint(note.split_note(fresh.get(CHECKPOINT).decode())[0])
    # Same size, another root, signed with the portal's own key: history rewritten.
    _lie(fresh, CHECKPOINT, _signed_checkpoint(fresh, seen.size, hashlib.sha256(b"rewritten").digest()), "text/plain")
    assert _visit(browser, fresh, CONTRACT) == "fork"
    alarm = _alarm(browser)
    assert "本村的审计日志被改写过" in alarm and "条数相同，内容却不同" in alarm
    assert "村务监督委员会" in alarm and "镇纪委" in alarm
    save_screenshot(browser, "phone-witness-fork-alarm")
    # The alarm stays until the log is back: the phone did not forget what it saw.
    fresh.liar.lies.clear()
    assert _visit(browser, fresh) == "ok"


def test_a_longer_log_that_does_not_extend_the_seen_one_raises_the_alarm(browser, fresh):
    assert _visit(browser, fresh) == "ok"
    seen = parse_checkpoint(note.split_note(fresh.get(CHECKPOINT).decode())[0])
    bigger = seen.size + 3
    _lie(fresh, CHECKPOINT, _signed_checkpoint(fresh, bigger, hashlib.sha256(b"fork").digest()), "text/plain")
    proof = {"old": seen.size, "new": bigger, "path": [hashlib.sha256(bytes([i])).hexdigest() for i in range(8)],
             "old_root": seen.root.hex(), "new_root": hashlib.sha256(b"fork").hexdigest()}
    _lie(fresh, CONSISTENCY, json.dumps(proof).encode())
    assert _visit(browser, fresh) == "fork"
    assert "一致性证明不成立" in _alarm(browser)


def test_a_log_that_only_grew_is_accepted_and_remembered(browser, fresh):
    from portal.kernel.transaction import Actor
    from portal.notices.services import NoticeInput, create_notice

    assert _visit(browser, fresh) == "ok"
    before = browser.execute_script("return JSON.parse(localStorage.getItem('sanzi-witness/lianban')).size")
    create_notice(fresh.backend, Actor("demo-staff", "staff", village="lianban"), "lianban", NoticeInput(
        number=f"GG-2026-{before:03d}", category="affairs", published_on=date(2026, 11, 20),
        title="关于清理沟渠的通知", body="本周六上午清理沟渠。"))
    assert _visit(browser, fresh) == "ok" and _alarm(browser) == ""
    after = browser.execute_script("return JSON.parse(localStorage.getItem('sanzi-witness/lianban')).size")
    assert after == before + 1


@pytest.mark.parametrize(("listing", "pattern"), [
    ("/v/lianban/notices", r'href="(/v/lianban/notices/GG-[^"]+)"'),
    ("/v/lianban/parcels", r'href="(/v/lianban/parcels/LB-[^"./]+)"'),
    ("/v/lianban/plans", r'href="(/v/lianban/plans/FA-[^"./]+)"'),
])
def test_every_kind_of_record_page_passes_its_own_check(browser, fresh, listing, pattern):
    import re

    page = re.search(pattern, fresh.get(listing).decode())
    assert page, listing
    browser.get(fresh.url + page.group(1))
    box = browser.find_element("id", "browser-verify")
    browser.execute_script("arguments[0].scrollIntoView()", box)
    box.find_element("tag name", "button").click()
    output = box.find_element("tag name", "output")
    WebDriverWait(browser, 15).until(lambda d: output.text.startswith("核验") and "正在" not in output.text)
    assert output.text.startswith("核验通过") and "项与日志记录一致" in output.text, output.text


def test_the_paper_check_and_the_howto_fit_a_phone(browser, fresh):
    from .conftest import assert_no_horizontal_overflow

    seen = parse_checkpoint(note.split_note(fresh.get(CHECKPOINT).decode())[0])
    browser.get(fresh.url + "/v/lianban/audit/check")
    browser.find_element("id", "size").send_keys(str(seen.size))
    browser.find_element("id", "root").send_keys(base64.b64encode(seen.root).decode())
    browser.find_element("css selector", "form.stack button").click()
    WebDriverWait(browser, 10).until(lambda d: d.find_elements("css selector", ".check-result"))
    assert "一致" in browser.find_element("css selector", ".check-result h2").text
    assert_no_horizontal_overflow(browser)
    save_screenshot(browser, "paper-check-consistent")
    browser.get(fresh.url + VILLAGE)
    state = browser.find_element("id", "log-state")
    state.find_element("tag name", "summary").click()
    browser.execute_script("arguments[0].scrollIntoView()", state)
    assert_no_horizontal_overflow(browser)
    save_screenshot(browser, "village-howto")
    assert console_errors(browser) == []
