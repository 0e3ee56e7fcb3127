"""English, the second language: the reader's choice (/prefs/lang/en, kept in the session)
turns every page's own words into English; Chinese stays the default and the source."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from portal.translations import (
    FLASHES,
    HERE,
    LOGIN_FORM,
    vocabulary_sources,
    vocabulary_words,
)

PO = HERE / "en" / "LC_MESSAGES" / "messages.po"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
CONTRACT = "/v/lianban/contracts/LB-HT-2016-017"  # a household contract with arrears


def tag_texts(page: str, tag: str) -> list[str]:
    """The text of every <tag>…</tag> of the page, markup stripped."""
    found = re.findall(rf"<{tag}\b[^>]*>(.*?)</{tag}>", page, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", text).split()) for text in found]


def english(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    page = response.get_data(as_text=True)
    assert '<html lang="en">' in page, url
    return page


@pytest.fixture
def reader(client):
    """A reader who chose English with the footer link."""
    response = client.get("/prefs/lang/en?next=/v/lianban/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/v/lianban/")
    return client


@pytest.mark.parametrize("url, h1, headings", [
    ("/v/lianban/contracts", "Contracts", []),
    ("/v/lianban/arrears", "Rent arrears", []),
    ("/login", "Staff login", []),
    ("/v/lianban/", None, ["Latest changes", "How to verify", "The village QR code"]),
    (CONTRACT, None, ["Land parcels and assets", "Payment schedule", "Payments received",
                      "Change history", "Verify this record"]),
])
def test_pages_in_english(reader, demo, url, h1, headings):
    page = english(reader, url)
    if h1:  # the page's own heading (on the village and contract pages it is the record's name)
        assert tag_texts(page, "h1") == [h1]
    h2s = tag_texts(page, "h2")
    assert all(heading in h2s for heading in headings), h2s
    assert not any(CJK.search(text) for text in h2s), h2s
    assert re.search(r'class="brand"[^>]*>Open Village Assets</a>', page)
    assert ">中文</a>" in page  # the way back


def test_village_page_words_dates_and_units(reader, demo):
    page = english(reader, "/v/lianban/")
    for words in ("Contracts</a>", "Rent arrears</a>", "Receipts</a>", "Plans</a>",
                  "Land under lease", "Demo data: all people and figures are fictional", "Large text"):
        assert words in page
    assert re.search(r"As of (<span class=\"nw\">)?\d{1,2} [A-Z][a-z]{2} \d{4}(</span>)?\.", page)  # 24 Nov 2026, not 2026年11月24日
    assert re.search(r"\d mu<", page) and "亩" not in page
    assert re.search(r"¥[\d,]+\.\d\d", page)  # money stays ¥1,234.50


def test_contract_page_in_english(reader, demo):
    page = " ".join(re.sub(r"<[^>]+>", " ", english(reader, CONTRACT)).split())
    for words in ("Contract number", "Lessee", " (individual)", "yuan/mu/year", "Paid in full",
                  "Overdue", "days overdue", "Version 1 · Created · Village staff", "Leaf hash: "):
        assert words in page
    for chinese in ("已缴清", "逾期", "村干部", "新建", "元/亩/年", "（个人）"):
        assert chinese not in page


def test_login_form_in_english(reader):
    page = english(reader, "/login")
    assert ">Username</label>" in page and ">Password</label>" in page
    response = reader.post("/login", data={"username": "", "password": ""})
    assert "Please enter your username" in response.get_data(as_text=True)


def test_error_page_in_english(reader):
    response = reader.get("/v/nowhere/contracts/NOPE")
    assert response.status_code == 404
    assert tag_texts(response.get_data(as_text=True), "h1") == ["Page not found"]


def test_printed_notices_and_data_stay_chinese(reader, demo, tmp_path):
    """PDFs are cached and posted on the board, downloads are data: Chinese whatever the
    reader chose (the date and area filters follow the reader on web pages only)."""
    import subprocess

    from portal.publishing.formatting import area, cn_date

    from .test_pdf import _poppler

    assert cn_date("2026-01-02") == "2026年1月2日" and area("1.5") == "1.50 亩"
    csv = reader.get("/v/lianban/contracts.csv").get_data(as_text=True)
    assert "年" in csv and "Jan" not in csv
    pdf = tmp_path / "contract.pdf"
    pdf.write_bytes(reader.get(CONTRACT + ".pdf").data)
    text = subprocess.run([_poppler("pdftotext"), "-enc", "UTF-8", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "2016年1月1日" in text and " 亩" in text
    assert "Jan" not in text and " mu" not in text


def test_switching_back_to_chinese(reader, demo):
    english(reader, "/v/lianban/arrears")
    response = reader.get("/prefs/lang/zh?next=/v/lianban/arrears", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
    assert tag_texts(page, "h1") == ["欠租清单"]
    assert re.search(r"截至 (<span class=\"nw\">)?\d{4}年\d{1,2}月\d{1,2}日", page) and ">English</a>" in page


def test_chinese_is_the_default(client, demo):
    page = client.get("/v/lianban/contracts", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="zh-CN">' in page and tag_texts(page, "h1") == ["合同公开"]


def catalog():
    with PO.open("rb") as handle:
        return read_po(handle, locale="en")


def test_catalog_is_complete():
    """Every message translated, none fuzzy, placeholders kept (run pybabel extract + update
    after adding strings: see portal/translations/__init__.py)."""
    messages = [m for m in catalog() if m.id]
    assert len(messages) > 200
    untranslated = [m.id for m in messages if not m.string or not str(m.string).strip()]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert untranslated == [] and fuzzy == []
    for m in messages:
        assert sorted(re.findall(r"%\(\w+\)s", m.id)) == sorted(re.findall(r"%\(\w+\)s", m.string)), m.id
        assert m.id.count("%%") == m.string.count("%%"), m.id
        assert not CJK.search(m.string), m.id


def test_catalog_matches_the_sources():
    """Words that reach templates from Python are in the catalog, and every template string
    is too (the catalog is not older than the templates' strings)."""
    from babel.messages.extract import extract_from_dir

    ids = {m.id if not m.context else (m.context, m.id) for m in catalog() if m.id}
    words = [word for _, source in vocabulary_sources() for word in vocabulary_words(source)]
    assert set(words) <= ids, set(words) - ids

    from portal.accounts.forms import LoginForm

    form_strings = set()
    for field in (LoginForm.username, LoginForm.password):
        form_strings.add(field.args[0])
        form_strings.update(v.message for v in field.kwargs["validators"] if getattr(v, "message", None))
    assert form_strings <= set(LOGIN_FORM) <= ids
    assert set(FLASHES) <= ids

    root = Path(__file__).resolve().parent.parent
    extracted = set()
    for _file, _line, message, _comments, context in extract_from_dir(
            root / "templates", [("**.html", "jinja2"), ("**.xml", "jinja2")],
            options_map={"**": {"newstyle_gettext": "true"}}):
        if isinstance(message, str) and message:
            extracted.add((context, message) if context else message)
    assert extracted <= ids, sorted(map(str, extracted - ids))


def test_mo_is_compiled_from_the_po(tmp_path):
    """The .mo is a build artefact: compiled on app start when missing or older than the .po."""
    import shutil

    from portal.translations import ensure_compiled

    folder = tmp_path / "en" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    shutil.copy(PO, folder / "messages.po")
    assert ensure_compiled(tmp_path) == [folder / "messages.mo"]
    assert ensure_compiled(tmp_path) == []  # up to date: nothing to do
    from babel.support import Translations

    with (folder / "messages.mo").open("rb") as handle:
        assert Translations(handle).gettext("欠租清单") == "Rent arrears"
