"""Every public page read on a 375 px phone as a villager would: in normal size, in 长辈版 and in
English. Lines break only where a reader would (never inside a date, an amount, a code or a
short word), every tap target is at least 44 px, 长辈版 enlarges every text (not only the body),
and the English pages speak English in their own words (headings, labels, buttons)."""
from __future__ import annotations

import json

import pytest

from .conftest import assert_no_horizontal_overflow

pytestmark = pytest.mark.browser

PAGES = {
    "home": "/",
    "village": "/v/lianban/",
    "contract-company": "/v/lianban/contracts/LB-LZ-2024-001",
    "contract-arrears": "/v/lianban/contracts/LB-HT-2016-003",
    "contract-shop": "/v/lianban/contracts/LB-FW-2025-001",
    "contracts": "/v/lianban/contracts?status=active",
    "arrears": "/v/lianban/arrears",
    "receipts": "/v/lianban/receipts?year=2025",
    "receipt": "/v/lianban/receipts/SK-2016-0017",
    "search": "/v/lianban/search?q=公司",
    "search-receipt": "/v/lianban/search?q=SK-2016",
    "stats": "/v/lianban/stats",
    "login": "/login",
    "parcels": "/v/lianban/parcels",
    "parcel": "/v/lianban/parcels/LB-001",
    "map": "/v/lianban/map",
    "map-area": "/v/lianban/map?area=5",
    "notices": "/v/lianban/notices",
    "notice": "/v/lianban/notices/GG-2024-002",
    "plans": "/v/lianban/plans",
    "plan-adopted": "/v/lianban/plans/FA-2023-001",
    "plan-open": "/v/lianban/plans/FA-2026-001",
    "powers": "/v/lianban/powers",
}
MODES = {"normal": None, "large": "/prefs/large-text?on=1&next=/", "en": "/prefs/lang/en?next=/"}

# The tokens a reader never wants split over two lines, in the page's visible text nodes (not
# in code: hashes may wrap anywhere). Dates, amounts with their unit, record numbers, words of
# Latin letters, and a label of two to four Chinese characters standing alone (已缴清, 履行中).
BROKEN_TOKENS = r"""
const TOKEN = /\d{4}年\d{1,2}月(?:\d{1,2}日)?|\d{1,2} [A-Z][a-z]{2} \d{4}|-?¥[\d,]+(?:\.\d+)?|[A-Z]{2,}(?:-[A-Z0-9]+)+|\d[\d,.]*(?:亩|元|米|公里|天|块|条|期|年|㎡|%)?|[A-Za-z]+(?:['’][a-z]+)?/g;
const SHORT = /^[\u4e00-\u9fff]{2,4}$/;
const skip = el => el.closest('code, pre, svg, script, style, title, [hidden], details:not([open]) > :not(summary)');
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
const lines = range => new Set([...range.getClientRects()].filter(r => r.width > 0)
                                 .map(r => Math.round(r.bottom))).size;
const broken = [];
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  const el = node.parentElement;
  // a visually hidden table head (1 px, for screen readers) is not read on screen
  const head = el.closest('thead');
  if (!el || skip(el) || !el.getClientRects().length || (head && head.getBoundingClientRect().width <= 1)) continue;
  const text = node.data;
  const alone = SHORT.test(text.trim()) && el.textContent.trim() === text.trim();
  const spans = alone ? [[text.indexOf(text.trim()), text.trim()]] : [];
  for (const m of text.matchAll(TOKEN)) spans.push([m.index, m[0]]);
  for (const [start, token] of spans) {
    const range = document.createRange();
    range.setStart(node, start); range.setEnd(node, start + token.length);
    if (lines(range) > 1) broken.push(token + ' in <' + el.tagName.toLowerCase() + '>: ' + text.trim().slice(0, 40));
  }
}
return broken;
"""

# Links, buttons and fields a finger must hit: at least 44 px high (WCAG 2.5.5); a link inside
# a sentence of running text is exempt, as WCAG 2.5.8 exempts it. On the map, the plots of an
# enlarged area are targets too.
SMALL_TARGETS = r"""
const inSentence = el => el.tagName === 'A' && el.closest('p:not(.links), li.plain-text, figcaption')
                         && el.parentElement.textContent.trim() !== el.textContent.trim();
return [...document.querySelectorAll('a[href], button, summary, input:not([type=hidden]), select, textarea')]
  .filter(el => el.getClientRects().length && !el.closest('[hidden]') && !inSentence(el)
                && getComputedStyle(el).pointerEvents !== 'none')  // the whole map's plots: its areas are the targets
  .map(el => [el.textContent.trim().slice(0, 20) || el.getAttribute('aria-label') || el.tagName,
              Math.round(Math.min(...[...el.getClientRects()].map(r => r.height)))])
  .filter(([, h]) => h < 44);
"""

# Each element holding text, by its path, with its computed font size.
FONT_SIZES = r"""
const path = el => { const parts = [];
  for (; el && el !== document.body; el = el.parentElement)
    parts.unshift(el.tagName + ':' + [...el.parentElement.children].indexOf(el));
  return parts.join('/'); };
const out = {};
for (const el of document.body.querySelectorAll('*')) {
  if (el.closest('svg, script, style, footer .prefs') || !el.getClientRects().length) continue;
  const own = [...el.childNodes].some(n => n.nodeType === 3 && n.data.trim());
  if (own) out[path(el)] = parseFloat(getComputedStyle(el).fontSize);
}
return out;
"""

# Interface words (headings, labels, table heads, buttons, navigation, footer) on an English
# page: any Chinese there is untranslated, unless it is marked as Chinese (a name, a title).
CHINESE_WORDS = r"""
const han = /[\u3400-\u9fff\uff01-\uff5e\u3000-\u303f]/;
const chrome = 'h1, h2, h3, dt, th, label, legend, button, summary, .crumbs, footer, nav, .hint, figcaption, .legend';
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
const found = [];
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  const el = node.parentElement;
  if (!el || !el.closest(chrome) || el.closest('[lang^=zh], code, pre, script, style, svg')) continue;
  if (han.test(node.data)) found.push(node.data.trim().slice(0, 40));
}
return found;
"""


def _read_in(browser, live_server, mode: str) -> None:
    browser.delete_all_cookies()
    browser.get(live_server + "/")
    if MODES[mode]:
        browser.get(live_server + MODES[mode])


@pytest.mark.parametrize("mode", MODES)
def test_lines_break_only_between_tokens(browser, live_server, mode):
    _read_in(browser, live_server, mode)
    broken = {}
    for name, path in PAGES.items():
        browser.get(live_server + path)
        assert_no_horizontal_overflow(browser)
        if found := browser.execute_script(BROKEN_TOKENS):
            broken[name] = found
    assert broken == {}, json.dumps(broken, ensure_ascii=False, indent=1)


@pytest.mark.parametrize("mode", MODES)
def test_every_tap_target_is_at_least_44px(browser, live_server, mode):
    _read_in(browser, live_server, mode)
    small = {}
    for name, path in PAGES.items():
        browser.get(live_server + path)
        if found := browser.execute_script(SMALL_TARGETS):
            small[name] = found
    assert small == {}, json.dumps(small, ensure_ascii=False, indent=1)


def test_large_text_enlarges_every_text_by_a_quarter(browser, live_server):
    _read_in(browser, live_server, "normal")
    normal = {}
    for name, path in PAGES.items():
        browser.get(live_server + path)
        normal[name] = browser.execute_script(FONT_SIZES)
    _read_in(browser, live_server, "large")
    too_small = {}
    for name, path in PAGES.items():
        browser.get(live_server + path)
        large = browser.execute_script(FONT_SIZES)
        assert set(large) & set(normal[name]), name
        found = [(where.rsplit("/", 2)[-2:], normal[name][where], size) for where, size in large.items()
                 if where in normal[name] and size < 1.25 * normal[name][where]]
        if found:
            too_small[name] = found
    assert too_small == {}, json.dumps(too_small, ensure_ascii=False, indent=1)


def test_english_pages_leave_no_interface_word_in_chinese(browser, live_server):
    _read_in(browser, live_server, "en")
    left = {}
    for name, path in PAGES.items():
        browser.get(live_server + path)
        assert browser.find_element("tag name", "html").get_attribute("lang") == "en"
        if found := browser.execute_script(CHINESE_WORDS):
            left[name] = found
    assert left == {}, json.dumps(left, ensure_ascii=False, indent=1)


def test_reader_choices_outlive_the_browser_session(browser, live_server):
    """长辈版 and English stay after the browser is closed: kept in a cookie of a year, which
    the session cookie (the login) is not."""
    _read_in(browser, live_server, "large")
    browser.get(live_server + MODES["en"])
    kept = {c["name"]: c for c in browser.get_cookies()}
    assert "prefs" in kept and kept["prefs"].get("expiry")
    browser.delete_all_cookies()
    browser.add_cookie({"name": "prefs", "value": kept["prefs"]["value"], "path": "/"})
    browser.get(live_server + "/v/lianban/")
    assert browser.find_element("tag name", "html").get_attribute("lang") == "en"
    assert "large-text" in browser.find_element("tag name", "html").get_attribute("class")


def _reading_order(browser) -> list[tuple[str, str, int | None]]:
    """What a screen reader meets, in order: (role, name, backend DOM node id) of every node of
    Chromium's accessibility tree that is not ignored, depth first from the root."""
    nodes = {n["nodeId"]: n for n in browser.execute_cdp_cmd("Accessibility.getFullAXTree", {})["nodes"]}
    children = {c for n in nodes.values() for c in n.get("childIds", [])}
    order, stack = [], [n for n in nodes if n not in children][::-1]
    while stack:
        node = nodes.get(stack.pop())
        if node is None:
            continue
        if not node.get("ignored"):
            order.append((node.get("role", {}).get("value", ""), str(node.get("name", {}).get("value", "")),
                          node.get("backendDOMNodeId")))
        stack.extend(reversed(node.get("childIds", [])))
    return order


def _dom_id(browser, selector: str) -> int:
    root = browser.execute_cdp_cmd("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    found = browser.execute_cdp_cmd("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    return browser.execute_cdp_cmd("DOM.describeNode", {"nodeId": found})["node"]["backendNodeId"]


READ_ALOUD = {"contract": "/v/lianban/contracts/LB-HT-2016-003", "receipt": "/v/lianban/receipts/SK-2016-0017"}


def test_a_screen_reader_reads_summary_then_amounts_then_history(browser, live_server):
    """In the accessibility tree: the summary, the 朗读 button (made by script), the facts with
    the amounts, then the history; no decorative arrows or icons read out. Without JavaScript
    there is no 朗读 button."""
    _read_in(browser, live_server, "normal")
    for name, path in READ_ALOUD.items():
        browser.get(live_server + path)
        order = _reading_order(browser)
        summary = _dom_id(browser, "#summary")
        at = {"summary": next(i for i, (_r, _n, dom) in enumerate(order) if dom == summary),
              "button": next(i for i, (role, label, _d) in enumerate(order) if role == "button" and label == "朗读"),
              "facts": next(i for i, (role, label, _d) in enumerate(order) if role == "region" and label == "要点和金额"),
              "history": next(i for i, (role, label, _d) in enumerate(order) if role == "heading" and label == "修改历史")}
        assert at["summary"] < at["button"] < at["facts"] < at["history"], (name, at)
        facts = [label for role, label, _d in order[at["facts"]:at["history"]] if role == "StaticText"]
        assert any("¥" in text for text in facts), (name, facts)
        read = "".join(label for role, label, _d in order if role == "StaticText")
        assert not set("›▸▾🔊") & set(read), name
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        browser.get(live_server + READ_ALOUD["contract"])
        assert browser.find_elements("id", "summary")
        assert not browser.find_elements("css selector", "button.read-aloud")
    finally:
        browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
