"""Input meant to hurt: a NUL byte anywhere in a request (400, not a crash on PostgreSQL) and
text that a spreadsheet would run as a formula (written inert into CSV and XLSX downloads)."""
from __future__ import annotations

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook

from portal.notices.services import NoticeInput, create_notice
from portal.plans.services import CommentInput, PlanInput, add_comment, create_plan
from portal.publishing.exports import inert

from .conftest import STAFF
from .test_notices_plans import VILLAGER

NUL_MESSAGE = "含有空字符"
FORMULA = '=HYPERLINK("http://x","y")'


def assert_nul_refused(response, where: str) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page[:300]
    assert "请求有误" in page and f"{where}中{NUL_MESSAGE}" in page
    assert "Traceback" not in page


@pytest.mark.parametrize("path", ["/v/testcun%00/", "/v/testcun/contracts/HT%00-1", "/v/testcun/notices.c%00sv",
                                  "/%00"])
def test_a_nul_in_the_path_answers_400(client, village, path):
    assert_nul_refused(client.get(path), "网址")


@pytest.mark.parametrize("query", ["lessee=a%00b", "status=active&sort=%00", "q%00=1"])
def test_a_nul_in_the_query_answers_400(client, query):
    assert_nul_refused(client.get(f"/v/testcun/contracts?{query}"), "网址的查询参数")
    assert_nul_refused(client.get(f"/v/testcun/search?{query}"), "网址的查询参数")


def test_a_nul_in_a_form_field_answers_400(client):
    assert_nul_refused(client.post("/login", data={"username": "demo\x00staff", "password": "x"}), "表单中的“username”")
    assert_nul_refused(client.post("/login", data={"username": "demo", "pass\x00word": "x"}), "表单中的“password”")


def test_a_nul_in_an_uploaded_files_name_answers_400(client):
    response = client.post("/login", data={"username": "demo", "scan": (io.BytesIO(b"%PDF-1.4 \x00\x01"), "a\x00.pdf")})
    assert_nul_refused(response, "上传文件的文件名")


def test_a_nul_inside_an_uploaded_file_is_fine(client):
    response = client.post("/login", data={"username": "nobody", "password": "x",
                                           "scan": (io.BytesIO(b"%PDF-1.4 \x00\x01"), "a.pdf")})
    assert response.status_code == 400 and NUL_MESSAGE not in response.get_data(as_text=True)  # wrong password


# -- formulas in downloads ----------------------------------------------------------------------

@pytest.mark.parametrize("text, written", [
    (FORMULA, "'" + FORMULA), ("+1+2", "'+1+2"), ("-2+3", "'-2+3"), ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("-12.50", "-12.50"), ("+86", "+86"), ("5", "5"),
    ("租金 = 500", "租金 = 500"), ("", ""),
])
def test_csv_cells_that_a_spreadsheet_would_run_get_a_quote(text, written):
    assert inert(text) == written


def _xlsx_cells(data: bytes) -> list:
    book = load_workbook(io.BytesIO(data))
    return [cell for row in book.active.iter_rows() for cell in row]


def _csv_cells(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for cell in row]


def test_a_comment_that_is_a_formula_is_inert_in_comments_xlsx_and_csv(backend, village, client):
    create_plan(backend, STAFF, village, PlanInput(number="FA-1", title="方案", body="正文",
                                                   comment_from="2024-03-01", comment_until="2024-03-31"))
    add_comment(backend, VILLAGER, village, "FA-1", CommentInput(commenter_name="张三", body=FORMULA,
                                                                submitted_on="2024-03-05"))
    xlsx = client.get(f"/v/{village}/plans/FA-1/comments.xlsx").data
    cells = [cell for cell in _xlsx_cells(xlsx) if cell.value == FORMULA]
    assert cells and all(cell.data_type == "s" for cell in cells)
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        sheets = [archive.read(name) for name in archive.namelist() if name.startswith("xl/worksheets/")]
    assert sheets and not any(b"<f>" in sheet or b"<f " in sheet for sheet in sheets)
    assert "'" + FORMULA in _csv_cells(client.get(f"/v/{village}/plans/FA-1/comments.csv").data)


def test_a_notice_title_that_is_a_formula_is_inert_and_numbers_stay_numbers(backend, village, client):
    create_notice(backend, STAFF, village, NoticeInput(number="GG-1", title="=1+1", category="other",
                                                       body="正文", published_on="2024-04-10"))
    cells = _xlsx_cells(client.get(f"/v/{village}/notices.xlsx").data)
    title = next(cell for cell in cells if cell.value == "=1+1")
    assert title.data_type == "s"
    assert any(cell.value == 1 and cell.data_type == "n" for cell in cells)  # the version stays a number
    assert "'=1+1" in _csv_cells(client.get(f"/v/{village}/notices.csv").data)


def test_the_breakable_filter_keeps_every_payload_text_and_adds_only_its_token_spans():
    """The committee log's and a draft's change tables pass values through `breakable`: the XSS
    corpus comes out as the same text, with no element but <span class="token">, also after the
    sanitizer's HTML (a notice body) and from JSON."""
    from markupsafe import Markup

    from portal.publishing.formatting import body_html, breakable

    from .test_notices_plans import _Markup, _payloads

    payloads = _payloads()
    for payload in payloads:
        page = _Markup(str(breakable(payload)))
        assert "".join(page.text) == payload, payload
        assert all(tag == "span" and attrs == {"class": "token"} for tag, attrs in page.tags), (payload, page.tags)
        cleaned, marked = _Markup(str(body_html(payload))), _Markup(str(breakable(body_html(payload))))
        assert [t for t in marked.tags if t != ("span", {"class": "token"})] == cleaned.tags, payload
        assert "".join(marked.text) == "".join(cleaned.text), payload
    as_json = Markup('{"a": "\\u003cscript\\u003e"}')  # what `tojson` gives: kept, its long run marked
    assert breakable(as_json) == Markup('{"a": <span class="token">"\\u003cscript\\u003e"}</span>')
