"""Templates compiled per language (portal/translations/compiled.py): the words translated when
a template is compiled read exactly as when every message was looked up at render time."""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlparse

import pytest
from flask_babel import force_locale

from tests.conftest import make_app

# Templates are compiled the same whatever the database.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
# The statistics page counts each visit, so two readers never see the same one.
SKIPPED = ("/stats", "/logout", "/prefs/")
DOWNLOADS = (".pdf", ".xlsx", ".csv", ".json", ".jsonl", ".atom")


def _render(app, source: str, name: str, english: bool, **context) -> str:
    env = app.jinja_env
    template = env.template_class.from_code(env, env.compile(env.parse(source, name), name), env.make_globals(None))
    with app.test_request_context("/"), force_locale("en" if english else "zh"):
        return template.render(**context)


def test_a_literal_message_is_translated_when_compiled_not_when_rendered(app, monkeypatch):
    source = "<p>{{ _('工作人员登录') }} · {{ pgettext('栏目', '合同') }}</p>"
    env = app.jinja_env
    assert "工作人员登录" not in env.compile(source, "en:t.html", raw=True)  # no lookup left in the code

    import portal.translations as translations

    def no_lookup():
        raise AssertionError("a literal message was looked up at render time")

    monkeypatch.setattr(translations, "current_translations", no_lookup)
    assert _render(app, source, "en:t.html", english=True) == "<p>Staff login · Contracts</p>"
    assert _render(app, source, "t.html", english=False) == "<p>工作人员登录 · 合同</p>"


def test_a_messages_values_are_still_escaped_when_rendered(app):
    source = "{{ _('共 %(n)s 份合同，欠缴合计 %(a)s（截至 %(d)s）', n=n, a=a, d='<b>') }}"
    shown = _render(app, source, "en:t.html", english=True, n="<script>alert(1)</script>", a="&")
    assert shown == "Contracts: &lt;script&gt;alert(1)&lt;/script&gt;; owing in total: &amp; (as of &lt;b&gt;)"
    assert _render(app, source, "t.html", english=False, n=3, a="¥1.00") == "共 3 份合同，欠缴合计 ¥1.00（截至 &lt;b&gt;）"


def test_every_xss_payload_in_a_compiled_message_is_text(app):
    """The XSS corpus as a message's values: shown as the same text, no element, as when looked up."""
    from .test_notices_plans import _Markup, _payloads

    env = app.jinja_env
    source = "<p>{{ _('共 %(n)s 份合同，欠缴合计 %(a)s（截至 %(d)s）', n=payload, a=payload, d='1') }}</p>"
    compiled = {name: env.template_class.from_code(env, env.compile(env.parse(source, name), name), env.make_globals(None))
                for name in ("en:t.html", "t.html")}
    assert "共 %(n)s" not in env.compile(source, "en:t.html", raw=True)
    with app.test_request_context("/"), force_locale("en"):
        for payload in _payloads():
            page = _Markup(compiled["en:t.html"].render(payload=payload))
            assert page.tags == [("p", {})] and "".join(page.text) == \
                f"Contracts: {payload}; owing in total: {payload} (as of 1)", payload
    with app.test_request_context("/"), force_locale("zh"):
        for payload in _payloads():
            page = _Markup(compiled["t.html"].render(payload=payload))
            assert page.tags == [("p", {})] and "".join(page.text) == f"共 {payload} 份合同，欠缴合计 {payload}（截至 1）"


def test_a_message_that_is_not_a_literal_is_looked_up_when_rendered(app):
    source = "{{ _(word) }}"
    assert _render(app, source, "en:t.html", english=True, word="工作人员登录") == "Staff login"
    assert _render(app, source, "t.html", english=False, word="工作人员登录") == "工作人员登录"


@pytest.mark.parametrize("source", ["{% set _ = word %}{{ _ }}", "{% for _ in [word] %}{{ _ }}{% endfor %}",
                                    "{% macro m(_) %}{{ _ }}{% endmacro %}{{ m(word) }}"])
def test_a_template_that_names_its_own_underscore_is_left_alone(app, source):
    assert _render(app, source, "en:t.html", english=True, word="<i>") == "&lt;i&gt;"


def test_a_template_that_imports_a_gettext_name_is_left_alone(app):
    tree = app.jinja_env.parse("{% from 'base.html' import gettext %}{{ gettext('工作人员登录') }}", "en:t.html")
    assert "工作人员登录" in app.jinja_env.compile(tree, "en:t.html", raw=True)


def test_a_page_and_the_templates_it_extends_follow_the_readers_language(app):
    zh = app.test_client().get("/").get_data(as_text=True)
    en = app.test_client().get("/?lang=en").get_data(as_text=True)
    assert "工作人员登录" in zh and "Staff login" not in zh  # base.html, which home.html extends
    assert "Staff login" in en and "工作人员登录" not in en
    names = app.jinja_env.list_templates()
    assert "base.html" in names and not any(name.startswith("en:") for name in names)


def _body(response) -> str:
    body = response.get_data(as_text=True) if "html" in response.content_type else ""
    return f"{response.status_code}\n" + re.sub(r'name="csrf_token" (type="hidden" )?value="[^"]*"', "", body)


def _crawl_both(compiled, looked_up, start: list[str], limit: int) -> tuple[int, list[str]]:
    """Pages crawled, each read by both clients in turn (what one reads may mark it seen), and
    the addresses whose pages differ."""
    seen: set[str] = set()
    differ = []
    queue = list(start)
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        body = _body(compiled.get(url))
        if body != _body(looked_up.get(url)):
            differ.append(url)
        for href in re.findall(r'href="([^"#]+)"', body):
            link = urlparse(urljoin(url, href.replace("&amp;", "&")))
            if not link.netloc and link.path.startswith("/") and not link.path.endswith(DOWNLOADS) \
                    and not any(part in link.path for part in SKIPPED):
                queue.append(link.path + (f"?{link.query}" if link.query else ""))
    return len(seen), differ


def _client(app, who: str | None, english: bool):
    client = app.test_client()
    if who:
        assert client.post("/login", data={"username": who, "password": "demo-2026"}).status_code == 302
    if english:
        client.get("/?lang=en")
    return client


@pytest.mark.parametrize("who", [None, "demo-staff", "demo-committee", "demo-township"])
def test_every_crawled_page_reads_the_same_as_with_messages_looked_up_when_rendered(database_url, tmp_path, demo,
                                                                                    who):
    compiled = make_app(database_url, tmp_path, WTF_CSRF_ENABLED=False)
    looked_up = make_app(database_url, tmp_path, WTF_CSRF_ENABLED=False)
    looked_up.jinja_env.fold_messages = False
    start = ["/staff/", "/committee/", "/township/"] if who else ["/", "/v/lianban"]
    for english in (False, True):
        crawled, differ = _crawl_both(_client(compiled, who, english), _client(looked_up, who, english), start, 80)
        assert crawled >= 40 and differ == []
