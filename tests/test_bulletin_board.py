"""Sheets for the bulletin board (公开栏) carry what a 公示 sheet carries: the 公示期, the
supervisory committee's phone (监督电话), the village committee's 落款 and date with room for the
公章, a body an older reader can read from the board (≥ 12 pt); a page with only the QR box;
and the footer sends the reader to a section the village page really has."""
from __future__ import annotations

import re
import subprocess

from tests.test_printing import _tool, fetch_pdf, flat, page_count, pdf_text, sqlite_only

# pdftotext's word boxes are 1.26 × the font size for the embedded CJK font (measured: 13 pt →
# 16.38, 12 pt → 15.12, 10 pt → 12.6)
BOX_PER_POINT = 1.26


def _line_sizes(pdf, page: int = 1) -> dict[str, float]:
    """Each line of text on `page` with its font size in points, from its box height."""
    boxes = subprocess.run([_tool("pdftotext"), "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                           check=True, capture_output=True, text=True).stdout
    return {word: (float(y1) - float(y0)) / BOX_PER_POINT for y0, y1, word in re.findall(
        r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]+)</word>', boxes)}


@sqlite_only
def test_a_notice_sheet_has_its_period_phone_sign_off_and_seal_space_in_large_type(client, demo, tmp_path):
    pdf = fetch_pdf(client, "/v/lianban/notices/GG-2023-005.pdf", tmp_path)
    words = flat(pdf_text(pdf))
    assert "公示期：2023年10月9日至2023年10月15日" in words  # from its date, 7 days
    assert "监督电话：0592-7100001（村务监督委员会）" in words
    assert "（公章）" in words and "莲坂村村民委员会2023年10月9日" in words
    sizes = _line_sizes(pdf)
    body = [size for line, size in sizes.items() if line.startswith(("一、底价", "公示期", "监督电话"))]
    assert len(body) == 3 and min(body) >= 12, sizes


@sqlite_only
def test_tender_and_list_sheets_take_their_own_period(client, demo, tmp_path):
    tender = flat(pdf_text(fetch_pdf(client, "/v/lianban/tenders/ZZ-2023-001.pdf", tmp_path)))
    assert "公示期：2023年10月9日至2023年10月13日" in tender and "0592-7100001" in tender
    arrears = flat(pdf_text(fetch_pdf(client, "/v/lianban/arrears.pdf", tmp_path)))
    assert re.search(r"公示期：(\d{4}年\d+月\d+日)至\d{4}年\d+月\d+日.*莲坂村村民委员会\1", arrears)


@sqlite_only
def test_a_page_with_only_the_qr_box_and_a_footer_naming_real_sections(client, demo, tmp_path):
    page = client.get("/v/lianban/notices/GG-2023-005").get_data(as_text=True)
    assert 'href="/v/lianban/notices/GG-2023-005.pdf?sheet=qr"' in page
    pdf = fetch_pdf(client, "/v/lianban/notices/GG-2023-005.pdf?sheet=qr", tmp_path)
    text = flat(pdf_text(pdf))
    assert page_count(pdf) == 1
    assert "扫码查看网页版" in text and "审计日志：共" in text and "公告全文" not in text
    assert "监督电话：0592-7100001" in text
    # the footer's words lead to a section and a link of the village page under those very names
    named = re.search(r"在本村网页最下方“(.+?)”一栏点“(.+?)”", text)
    assert named, text
    village = client.get("/v/lianban/").get_data(as_text=True)
    assert f"<h2>{named[1]}</h2>" in village and f">{named[2]}</a>" in village
