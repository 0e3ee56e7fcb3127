"""The notice sanitizer (portal/publishing/sanitizer.py): what Word and WPS paste keeps its
structure, nothing of the XSS corpus (tests/data/xss, PayloadsAllTheThings, MIT) survives the
notice service in an executable form, and both kinds of stored body read right everywhere."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import select, update

from portal.kernel.errors import ValidationError
from portal.notices.models import Notice
from portal.notices.services import NoticeInput, correct_notice, create_notice
from portal.publishing.sanitizer import (
    ALLOWED_TAGS,
    body_text,
    clean_html,
    is_html_body,
    looks_like_html,
    to_text,
)
from tests.conftest import STAFF
from tests.test_printing import fetch_pdf, flat, pdf_text

PAYLOADS = Path(__file__).parent / "data" / "xss" / "payloads.txt"

# What Word 2016 puts on the clipboard for a short notice (trimmed), as a rich editor passes it on.
WORD_PASTE = """<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:w="urn:schemas-microsoft-com:office:word"><head><meta charset="utf-8"><title>通知</title>
<!--[if gte mso 9]><xml><w:WordDocument><w:View>Normal</w:View></w:WordDocument></xml><![endif]-->
<style><!-- p.MsoNormal {mso-style-parent:""; margin:0cm; font-family:宋体;} --></style></head>
<body lang=ZH-CN style='tab-interval:21.0pt'><!--StartFragment-->
<h1 style='mso-outline-level:1'><span style='font-family:黑体'>关于东洋片区土地<span lang=EN-US>
</span>招租的公告</span></h1>
<p class=MsoNormal style='text-indent:21.0pt;mso-char-indent-count:2.0'><span style='font-family:宋体;
mso-ascii-font-family:Calibri'>经村民代表会议表决，现将东洋片区<b>85.5</b>亩土地公开招租，
有关事项公告如下：<o:p></o:p></span></p>
<p class=MsoListParagraph style='mso-list:l0 level1 lfo1'><![if !supportLists]><span lang=EN-US>1.<span
style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp; </span></span><![endif]><span>底价：每亩每年<u>500</u>元；</span></p>
<p class=MsoNormal><o:p>&nbsp;</o:p></p>
<table class=MsoTableGrid border=1 cellspacing=0 style='border-collapse:collapse;mso-yfti-tbllook:1184'>
<tr style='mso-yfti-irow:0'><td width=100 colspan=2 style='width:100pt'><p class=MsoNormal><b>地块</b></p></td>
<td rowspan="2" valign=top><p class=MsoNormal>面积（亩）</p></td></tr>
<tr><td>东洋<span lang=EN-US>1</span>号</td><td>旱地</td></tr></table>
<p class=MsoNormal><a href="http://example.com/x"><span style='color:blue'>详见附件</span></a><img
src="file:///C:/Users/x/image001.png" width=10><v:shape id="_x0000_i1025"><v:imagedata src="x.png"/></v:shape></p>
<!--EndFragment--></body></html>"""


class _Elements(HTMLParser):
    """Every element of a fragment with its attributes, as a browser's parser would see them."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def assert_nothing_executable(html: str) -> None:
    """Only allowlisted elements, no attribute but numeric colspan/rowspan, no URL, no script."""
    for tag, attrs in _Elements(html).elements:
        assert tag in ALLOWED_TAGS, (tag, html)
        assert set(attrs) <= {"colspan", "rowspan"}, (tag, attrs)
        assert all(re.fullmatch(r"\d{1,3}", value or "") for value in attrs.values()), attrs
    lowered = html.lower()
    for banned in ("<script", "<svg", "<iframe", "<object", "<embed", "<style", "<img", "<a ", "<a>",
                   "<math", "<meta", "<link", "<base", "<form", "<input", "<body", "<video", "<audio"):
        assert banned not in lowered, (banned, html)
    inside_tags = " ".join(re.findall(r"<[^>]*>", lowered))
    assert not re.search(r"\bon[a-z]+\s*=", inside_tags), html
    assert not re.search(r"javascript:|vbscript:|data:|href|src", inside_tags), html


def payloads() -> list[str]:
    return [line for line in PAYLOADS.read_text(encoding="utf-8").splitlines() if line.strip()]


def notice(**changes) -> NoticeInput:
    values = dict(number="GG-1", title="招租公告", category="tender", body="正文", published_on="2024-04-10")
    values.update(changes)
    return NoticeInput(**values)


# -- the sanitizer on its own ------------------------------------------------------------------

def test_word_paste_keeps_its_structure_and_loses_its_styles():
    html = clean_html(WORD_PASTE)
    assert html == (
        "<h3>关于东洋片区土地招租的公告</h3>"
        "<p>经村民代表会议表决，现将东洋片区<b>85.5</b>亩土地公开招租，有关事项公告如下：</p>"
        "<p>1.\u00a0\u00a0\u00a0 底价：每亩每年<u>500</u>元；</p>"
        '<table><tbody><tr><td colspan="2"><p><b>地块</b></p></td><td rowspan="2"><p>面积（亩）</p></td></tr>'
        "<tr><td>东洋1号</td><td>旱地</td></tr></tbody></table>"
        "<p>详见附件</p>")
    assert_nothing_executable(html)
    assert to_text(html) == ("关于东洋片区土地招租的公告\n经村民代表会议表决，现将东洋片区85.5亩土地公开招租，"
                             "有关事项公告如下：\n1. 底价：每亩每年500元；\n地块\t面积（亩）\n东洋1号\t旱地\n详见附件")


@pytest.mark.parametrize("pasted, kept", [
    ("<script>alert(1)</script><p>留下</p>", "<p>留下</p>"),
    ("<style>p{color:red}</style>留下", "<p>留下</p>"),
    ("<xml><o:OfficeDocumentSettings>x</o:OfficeDocumentSettings></xml>留下", "<p>留下</p>"),
    ("<p>留下<o:p>&nbsp;</o:p></p>", "<p>留下</p>"),
    ("<!-- 批注 -->留下<!--[if !mso]><p>IE 专用</p><![endif]-->", "<p>留下</p>"),
    ("<p class=MsoNormal style='mso-bidi-font-size:10.5pt'><span style='mso-fareast-font-family:宋体'></span>留下</p>",
     "<p>留下</p>"),
    ("第一行<br>第二行", "<p>第一行<br>第二行</p>"),
    ("<div>第一行</div><div>第二行</div>", "<p>第一行</p><p>第二行</p>"),
    ("<li>甲</li><li>乙</li>", "<ul><li>甲</li><li>乙</li></ul>"),
    ("<ol><li>甲</li></ol>", "<ol><li>甲</li></ol>"),
    ('<td colspan="0">x</td><table><tr><td colspan="2" rowspan="x" nowrap>甲</td></tr></table>',
     '<p>x</p><table><tbody><tr><td colspan="2">甲</td></tr></tbody></table>'),
    ("<p>面积 &lt; 5 亩 &amp; 租金</p>", "<p>面积 &lt; 5 亩 &amp; 租金</p>"),
    ("<p>第一\n行</p>", "<p>第一行</p>"),
    ("<p>word\nwrap</p>", "<p>word wrap</p>"),
    ("<img src=x onerror=alert(1)>", ""),
])
def test_clean_html_keeps_only_the_allowlist(pasted, kept):
    assert clean_html(pasted) == kept


def test_plain_text_is_not_taken_for_html():
    for text in ("面积 < 5 亩 & 租金 > 300 元", "A&B 公司", "价格<500元", "a<b", "甲方<乙方>"):
        assert not looks_like_html(text)
    for text in ("<p>x</p>", "x<br>y", "<!-- c -->", "<o:p></o:p>", "<svg/onload=alert(1)>", "<SCRIPT SRC=x>"):
        assert looks_like_html(text)


def test_the_corpus_cleans_to_a_fixed_point_with_nothing_executable():
    for payload in payloads():
        html = clean_html(payload)
        assert_nothing_executable(html)
        assert clean_html(html) == html, payload
        assert not html or is_html_body(html)


# -- through the notice service ------------------------------------------------------------------

@pytest.mark.slow
def test_every_corpus_payload_through_the_notice_service_is_inert(backend, village):
    """Each line of the corpus as a notice body: stored as the sanitizer's HTML when it has tags
    (nothing executable left), as typed when it has none; refused when nothing readable is left."""
    stored = refused = 0
    for i, payload in enumerate(payloads()):
        try:
            body = create_notice(backend, STAFF, village, notice(number=f"X-{i}", body=payload)).body
        except ValidationError as err:
            assert set(err.errors) == {"body"} and looks_like_html(payload) and not clean_html(payload)
            refused += 1
            continue
        stored += 1
        if looks_like_html(payload):
            assert is_html_body(body)
            assert_nothing_executable(body)
        else:
            assert body == payload.strip() and not is_html_body(body)
    assert stored > 100 and refused > 100  # most payloads are an <img>, <svg>, … with no text at all


@pytest.mark.parametrize("body", ["联系电话 13812345678", "身份证 35052119900101123X 的户主",
                                  "<p>电话 138<b></b>12345678</p>", "<table><tr><td>350521199001011234</td></tr></table>"])
def test_a_body_with_a_mobile_or_id_number_is_refused(backend, village, body):
    with pytest.raises(ValidationError) as refused:
        create_notice(backend, STAFF, village, notice(body=body))
    assert refused.value.errors == {"body": "公告正文会全文公开，请不要写手机号或身份证号"}
    with backend.db.read() as session:
        assert session.scalar(select(Notice)) is None


def test_pasted_html_too_long_or_empty_is_refused_with_a_message(backend, village):
    with pytest.raises(ValidationError) as refused:
        create_notice(backend, STAFF, village, notice(body="<p>" + "字" * 5001 + "</p>"))
    assert "不能超过 5000 个字" in refused.value.errors["body"]
    with pytest.raises(ValidationError) as refused:
        create_notice(backend, STAFF, village, notice(body="<img src=x onerror=alert(1)>"))
    assert "没有文字" in refused.value.errors["body"]
    with pytest.raises(ValidationError) as refused:
        create_notice(backend, STAFF, village, notice(body="<p>" + "x" * 600_000 + "</p>"))
    assert "太长" in refused.value.errors["body"]


# -- both kinds of body, shown ---------------------------------------------------------------------

def test_plain_text_with_angle_brackets_and_ampersands_shows_literally(backend, village, client):
    typed = "面积 < 5 亩 & 租金 > 300 元\n第二行 &amp; 照写"
    assert create_notice(backend, STAFF, village, notice(body=typed)).body == typed
    page = client.get(f"/v/{village}/notices/GG-1").get_data(as_text=True)
    assert ('<div class="text-body">面积 &lt; 5 亩 &amp; 租金 &gt; 300 元\n第二行 &amp;amp; 照写</div>'
            in page)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_html_body_shows_its_structure_on_the_page_in_the_pdf_feed_search_and_history(
        backend, village, client, tmp_path):
    create_notice(backend, STAFF, village, notice(body=WORD_PASTE))
    page = client.get(f"/v/{village}/notices/GG-1").get_data(as_text=True)
    assert '<div class="text-body rich"><h3>关于东洋片区土地招租的公告</h3>' in page
    assert '<td colspan="2"><p><b>地块</b></p></td>' in page
    assert "mso-" not in page and "MsoNormal" not in page

    text = pdf_text(fetch_pdf(client, f"/v/{village}/notices/GG-1.pdf", tmp_path))
    assert "经村民代表会议表决" in flat(text) and "东洋1号" in flat(text)
    assert "<" not in text.split("公告全文")[1].split("版本记录")[0]

    hits = client.get(f"/v/{village}/search?q=底价").get_data(as_text=True)
    assert "底价" in hits and "&lt;p&gt;" not in hits

    corrected = WORD_PASTE.replace("500</u>元", "550</u>元")
    correct_notice(backend, STAFF, village, "GG-1", notice(body=corrected), "底价写错")
    page = client.get(f"/v/{village}/notices/GG-1").get_data(as_text=True)
    assert "1.\u00a0\u00a0\u00a0 底价：每亩每年550元；" in page.replace("<u>", "").replace("</u>", "")
    # read without the <span class="nw"> that keeps "500元" on one line (portal/publishing/tokens.py)
    history = re.sub(r'<span class="nw">(.*?)</span>', r"\1", page.split('id="history"')[1])
    assert "&lt;p&gt;" not in history and "&lt;u&gt;" not in history
    assert "底价：每亩每年500元" in history and "底价：每亩每年550元" in history
    feed = client.get(f"/v/{village}/feed.atom").get_data(as_text=True)
    assert "&lt;p&gt;" not in feed and "底价：每亩每年550元" in feed


def test_a_body_edited_in_the_database_is_cleaned_again_when_shown(backend, village, client):
    create_notice(backend, STAFF, village, notice(body="<p>原文</p>"))
    with backend.db.engine.begin() as conn:  # behind the portal's back
        conn.execute(update(Notice).values(body= "<p>原文</p><script>alert(1)</script><img src=x onerror=alert(2)>"))
    page = client.get(f"/v/{village}/notices/GG-1").get_data(as_text=True)
    assert '<div class="text-body rich"><p>原文</p></div>' in page
    assert "alert(" not in page


def test_body_text_reads_html_bodies_and_leaves_plain_ones():
    assert body_text("<p>甲</p><p>乙</p>") == "甲\n乙"
    assert body_text("甲 <p> 乙") == "甲 <p> 乙"
    assert body_text(None) is None and body_text(3) == 3
