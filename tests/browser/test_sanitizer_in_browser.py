"""The XSS corpus (tests/data/xss) through the notice service, then the notice pages in headless
Chromium: no script runs, no dialog opens. The pages are served twice: as the site serves them
(with its Content-Security-Policy, which forbids inline script) and with that header removed,
so the sanitizer alone must hold."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from portal.kernel.errors import ValidationError
from portal.publishing.sanitizer import ALLOWED_TAGS
from tests.browser.conftest import save_screenshot

pytestmark = pytest.mark.browser

PAYLOADS = Path(__file__).resolve().parents[1] / "data" / "xss" / "payloads.txt"
# Payloads of our own that would leave a mark without a dialog, besides the corpus's alert()s.
MARKERS = [
    "<script>window.__xss_ran = 'script'</script>",
    "<img src=x onerror=\"window.__xss_ran = 'img'\">",
    "<svg onload=\"window.__xss_ran = 'svg'\"></svg>",
    "<body onload=\"window.__xss_ran = 'body'\">",
    "<details open ontoggle=\"window.__xss_ran = 'details'\">x</details>",
    "<input autofocus onfocus=\"window.__xss_ran = 'input'\">",
    "<iframe srcdoc=\"&lt;script&gt;parent.__xss_ran = 'iframe'&lt;/script&gt;\"></iframe>",
    "<object data=\"javascript:parent.__xss_ran='object'\"></object>",
    "<p><a href=\"javascript:window.__xss_ran='link'\" id=xss-link>点这里</a></p>",
    "<table><tr><td background=\"javascript:window.__xss_ran='td'\" onmouseover=\"window.__xss_ran='td'\">格</td></tr></table>",
]
# Every stored body as the notice page shows it, on one page (one load instead of two hundred).
BODIES_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>bodies</title></head>
<body>{% for b in bodies %}<div class="text-body{% if b|is_html_body %} rich{% endif %}">{{ b|body_html }}</div>
{% endfor %}</body></html>"""
# Installed before any script of a page (and of its frames) runs: dialogs are recorded, not shown.
HOOK = """
window.__xss_calls = [];
for (const name of ['alert', 'confirm', 'prompt', 'print']) {
  window[name] = function (...args) { window.__xss_calls.push(name + '(' + args.join(',') + ')'); };
}
"""
REPORT = """
const inside = [...document.querySelectorAll('.text-body *')];
for (const e of inside.filter(e => e.matches('a, button, input, details'))) e.click();  // none should be left
const strange = [...inside]
  .filter(e => !ALLOWED.includes(e.localName) ||
               [...e.attributes].some(a => !['colspan', 'rowspan'].includes(a.name)))
  .map(e => e.outerHTML.slice(0, 80));
if (!document.querySelector('.text-body')) strange.push('no .text-body');
const scripts = [...document.scripts].map(s => s.getAttribute('src') || 'inline');
return {calls: window.__xss_calls || 'hook missing', ran: window.__xss_ran || null, strange, scripts,
        frames: document.querySelectorAll('iframe, object, embed, frame').length};
"""


def _corpus() -> list[str]:
    return [line for line in PAYLOADS.read_text(encoding="utf-8").splitlines() if line.strip()] + MARKERS


def _packed(payloads: list[str], limit: int = 4000) -> list[str]:
    """Payloads joined a few thousand characters at a time, so neighbours meet in one body."""
    packs = [""]
    for payload in payloads:
        if len(packs[-1]) + len(payload) > limit:
            packs.append("")
        packs[-1] += payload + "\n"
    return packs


def _without_csp(app):
    """The WSGI app with the Content-Security-Policy header taken out of every response."""
    def serve(environ, start_response):
        def start(status, headers, exc_info=None):
            kept = [(k, v) for k, v in headers if k.lower() != "content-security-policy"]
            return start_response(status, kept, exc_info)
        return app(environ, start)
    return serve


@pytest.fixture(scope="module")
def corpus_site(tmp_path_factory) -> Iterator[tuple[str, str, list[str], list[str]]]:
    """A village whose notices carry the corpus, one payload each and in packs; served at two
    addresses, with and without the CSP. Yields (with_csp, without_csp, single paths, pack paths)."""
    from werkzeug.serving import make_server

    from portal import create_app
    from portal.kernel.transaction import SYSTEM, Actor
    from portal.notices.services import NoticeInput, create_notice
    from portal.villages.services import VillageInput, create_village

    folder = tmp_path_factory.mktemp("xss-site")
    app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'portal.db'}", "INSTANCE_PATH": str(folder),
                      "SECRET_KEY": "browser-test", "PAGE_CACHE": False})
    backend = app.extensions["portal"]
    backend.db.create_schema()
    create_village(backend, SYSTEM, VillageInput(code="xss", name="测试村", township="测试镇"))
    staff = Actor("test-staff", "staff", village="xss")
    paths: dict[str, list[str]] = {"single": [], "pack": []}
    for kind, bodies in (("single", _corpus()), ("pack", _packed(_corpus()))):
        for i, body in enumerate(bodies):
            number = f"{kind}-{i}"
            try:
                create_notice(backend, staff, "xss", NoticeInput(number=number, title=f"测试公告 {number}",
                                                                 category="other", body=body,
                                                                 published_on="2024-01-01"))
            except ValidationError:  # nothing readable left (an <img>, an <svg>, …): nothing to show
                continue
            paths[kind].append(f"/v/xss/notices/{number}")
    def bodies() -> str:
        from flask import render_template_string
        from sqlalchemy import select

        from portal.notices.models import Notice

        with backend.db.read() as session:
            return render_template_string(BODIES_PAGE, bodies=session.scalars(select(Notice.body)).all())

    app.add_url_rule("/test/notice-bodies", "test_notice_bodies", bodies)
    servers = [make_server("127.0.0.1", 0, wsgi, threaded=True) for wsgi in (app, _without_csp(app))]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield (*(f"http://127.0.0.1:{s.server_port}" for s in servers), paths["single"], paths["pack"])
    for server in servers:
        server.shutdown()
    backend.db.dispose()


@pytest.fixture
def hooked(browser):
    """The browser with HOOK installed in every new document, removed afterwards."""
    added = browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": HOOK})
    yield browser
    browser.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": added["identifier"]})


def _report(driver) -> dict:
    """What ran and what the body holds. A real dialog would make this call raise
    UnexpectedAlertPresentException (HOOK replaces them, but a payload could restore one)."""
    allowed = "const ALLOWED = " + repr(sorted(ALLOWED_TAGS)) + ";"
    return driver.execute_script(allowed + REPORT)


def _assert_no_dialog(driver) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text


def test_the_hook_sees_a_script_that_runs(hooked):
    """The check itself works: unsanitized markup in a page without CSP is caught."""
    markup = "<img src=x onerror=alert(1)><img src=x onerror=\"window.__xss_ran='img'\">"
    hooked.get("data:text/html;charset=utf-8," + quote(markup))
    report = hooked.execute_script("return [window.__xss_calls, window.__xss_ran || null];")
    assert report == [["alert(1)"], "img"]


@pytest.mark.parametrize("site", ["without-csp", "with-csp"])
def test_no_corpus_payload_runs_on_a_notice_page(hooked, corpus_site, site):
    """Without the CSP (the sanitizer alone must hold): every stored body on one page, as the
    notice page shows it, then the notice pages of every pack and of every tenth payload. With the
    CSP (the site as served): the notice pages of the packs."""
    with_csp, without_csp, singles, packs = corpus_site
    assert len(singles) > 150 and len(packs) > 5
    if site == "without-csp":
        base, paths = without_csp, ["/test/notice-bodies", *packs, *singles[::10]]
    else:
        base, paths = with_csp, packs
    problems = {}
    for path in paths:
        hooked.get(base + path)
        report = _report(hooked)
        if report["calls"] or report["ran"] or report["strange"] or report["frames"] \
                or set(report["scripts"]) - {"/static/tlog.js", "/static/verify.js", "/static/readaloud.js"}:
            problems[path] = report
    _assert_no_dialog(hooked)
    assert problems == {}
    if site == "without-csp":
        hooked.get(base + packs[0])
        save_screenshot(hooked, "notice-xss-corpus")
