"""portal.pdf: Chinese text survives into the PDF, with a CJK font embedded (not substituted)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from portal.publishing.pdf import render_pdf

TITLE = "莲坂村土地承包合同公示 ¥1,234.50"

NOTICE = f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{TITLE}</title></head>
<body>
  <h1>{TITLE}</h1>
  <p>承包方：示例农业发展有限公司　面积：123.45 亩　租金：500 元/亩/年</p>
  <p>公示期：2026年3月1日至2026年3月7日。如有异议，请向村务监督委员会反映。</p>
</body></html>
"""

CJK_FONT_NAMES = re.compile(r"WenQuanYi|ZenHei|Zen-Hei|NotoSansCJK|Noto-Sans-CJK|SourceHanSans",
                            re.IGNORECASE)


def _poppler(tool: str) -> str:
    """Path of a poppler-utils tool; skip outside CI when it is missing, fail in CI."""
    path = shutil.which(tool)
    if path is None:
        message = f"{tool} not found: run scripts/bootstrap (installs poppler-utils)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def notice_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample notice rendered once, written to a file; prints the render time."""
    started = time.perf_counter()
    data = render_pdf(NOTICE)
    elapsed = time.perf_counter() - started
    print(f"\nrender_pdf: {elapsed:.3f} s for one A4 page, {len(data)} bytes")
    path = tmp_path_factory.mktemp("pdf") / "notice.pdf"
    path.write_bytes(data)
    return path


def test_render_pdf_returns_a_pdf(notice_pdf: Path) -> None:
    assert notice_pdf.read_bytes().startswith(b"%PDF-")


def test_chinese_text_comes_back_exactly(notice_pdf: Path) -> None:
    text = subprocess.run([_poppler("pdftotext"), "-enc", "UTF-8", str(notice_pdf), "-"],
                          check=True, capture_output=True, text=True).stdout
    assert TITLE in text
    assert "村务监督委员会" in text


def _page_size(pdf: Path) -> tuple[int, int]:
    """(width, height) of the first page in points, rounded."""
    info = subprocess.run([_poppler("pdfinfo"), str(pdf)],
                          check=True, capture_output=True, text=True).stdout
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert size, info
    return round(float(size[1])), round(float(size[2]))


def test_page_is_a4(notice_pdf: Path) -> None:
    assert _page_size(notice_pdf) == (595, 842)


def test_cjk_font_is_embedded(notice_pdf: Path) -> None:
    listing = subprocess.run([_poppler("pdffonts"), str(notice_pdf)],
                             check=True, capture_output=True, text=True).stdout
    # Columns: name type encoding emb sub uni object-id gen; the name has no spaces,
    # the type may ("CID TrueType"), so read emb/sub/uni from the right.
    fonts = []
    for line in listing.splitlines()[2:]:
        fields = line.split()
        if len(fields) >= 7:
            fonts.append((fields[0], fields[-5]))
    assert fonts, listing
    assert all(emb == "yes" for _, emb in fonts), f"a font is not embedded:\n{listing}"
    assert any(CJK_FONT_NAMES.search(name) for name, _ in fonts), (
        f"no CJK font in the PDF (is fonts-wqy-zenhei installed?):\n{listing}")


def test_stylesheets_are_read_from_base_url_only(tmp_path: Path) -> None:
    static = tmp_path / "static"
    static.mkdir()
    (static / "notice.css").write_text("@page { size: A5 }", encoding="utf-8")
    (tmp_path / "outside.css").write_text("@page { size: A3 }", encoding="utf-8")

    inside = tmp_path / "inside.pdf"
    inside.write_bytes(render_pdf('<link rel="stylesheet" href="notice.css"><p>公示</p>',
                                  base_url=str(static)))
    assert _page_size(inside) == (420, 595)  # A5: the document's CSS beats the base A4

    outside = tmp_path / "outside.pdf"
    outside.write_bytes(render_pdf('<link rel="stylesheet" href="../outside.css"><p>公示</p>',
                                   base_url=str(static)))
    assert _page_size(outside) == (595, 842)  # refused, so still A4
