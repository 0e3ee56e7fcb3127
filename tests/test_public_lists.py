"""The public lists and their downloads: contracts, arrears, receipts."""
from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

LISTS = ["contracts", "arrears", "receipts"]


@pytest.mark.parametrize("name", LISTS)
def test_every_list_renders_and_downloads_in_every_format(client, demo, name):
    assert client.get(f"/v/lianban/{name}").status_code == 200
    data = client.get(f"/v/lianban/{name}.json").get_json()
    assert data["list"] == name and data["village"]["code"] == "lianban"
    assert data["log"]["size"] > 0 and data["rows"]
    assert {f["key"] for f in data["fields"]} == set(data["rows"][0])
    table = list(csv.reader(io.StringIO(client.get(f"/v/lianban/{name}.csv").data.decode("utf-8-sig"))))
    assert table[0] == [f["label"] for f in data["fields"]] and len(table) == len(data["rows"]) + 1
    sheet = load_workbook(io.BytesIO(client.get(f"/v/lianban/{name}.xlsx").data)).active
    assert sheet.max_row == len(data["rows"]) + 4  # title, log state, headings, then the 合计 row
    assert str(sheet.cell(sheet.max_row, 1).value).startswith("合计")


KINDS = {"LB-FW-2024-002": ("revenue_share", "保底加分成", "Minimum rent plus revenue share"),
         "LB-FW-2025-003": ("rent_free", "无偿使用", "Rent-free use"), "LB-LZ-2024-001": ("fixed", "固定租金", "Fixed rent")}


def _row_of(client, lessee: str, number: str) -> str:
    """The <li> of contract `number` on the list filtered by its lessee (the list is paged)."""
    page = client.get(f"/v/lianban/contracts?lessee={lessee}").get_data(as_text=True)
    start = page.index(f'href="/v/lianban/contracts/{number}"')
    return page[start:page.index("</li>", start)]


def test_contract_list_names_each_lease_kind_on_the_page_and_in_the_downloads(client, demo):
    rows = {r["number"]: r for r in client.get("/v/lianban/contracts.json").get_json()["rows"]}
    for number, (kind, words, _) in KINDS.items():
        assert rows[number]["kind"] == kind
        assert f'<span class="nw">{words}</span>' in _row_of(client, rows[number]["lessee"], number), number
    table = list(csv.reader(io.StringIO(client.get("/v/lianban/contracts.csv").data.decode("utf-8-sig"))))
    assert "租赁方式" in table[0]
    client.get("/prefs/lang/en?next=/v/lianban/contracts")
    for number, (_, words, english) in KINDS.items():
        row = _row_of(client, rows[number]["lessee"], number)
        assert f'<span class="nw">{english}</span>' in row and f'<span class="nw">{words}</span>' not in row


def test_arrears_are_derived_and_largest_first(client, demo):
    rows = client.get("/v/lianban/arrears.json").get_json()["rows"]
    amounts = [Decimal(r["arrears"]) for r in rows]
    assert amounts == sorted(amounts, reverse=True) and all(a > 0 for a in amounts)
    household = next(r for r in rows if r["contract"] == "LB-HT-2016-003")
    assert household["arrears"] == "22419.00" and household["oldest_due_date"] == "2021-01-01"
    assert Decimal(household["due"]) - Decimal(household["paid"]) == Decimal(household["arrears"])


def test_contract_filters_and_sorting(client, demo):
    companies = client.get("/v/lianban/contracts.json?lessee=公司").get_json()["rows"]
    assert companies and all("公司" in r["lessee"] for r in companies)
    ended = client.get("/v/lianban/contracts.json?status=ended").get_json()["rows"]
    assert ended and all(r["status"] == "ended" for r in ended)
    on_parcel = client.get("/v/lianban/contracts.json?parcel=LB-003").get_json()["rows"]
    assert [r["number"] for r in on_parcel] == ["LB-LZ-2024-001", "LB-HT-2016-002"]
    by_rate = client.get("/v/lianban/contracts.json?sort=rate").get_json()["rows"]
    assert [Decimal(r["rent_rate"]) for r in by_rate] == sorted((Decimal(r["rent_rate"]) for r in by_rate), reverse=True)


def test_receipts_by_year_and_contract(client, demo):
    year = client.get("/v/lianban/receipts.json?year=2025").get_json()["rows"]
    assert year and all(r["received_on"].startswith("2025") for r in year)
    one = client.get("/v/lianban/receipts.json?contract=LB-LZ-2024-001").get_json()["rows"]
    assert {r["contract"] for r in one} == {"LB-LZ-2024-001"}
    withdrawn = [r for r in client.get("/v/lianban/receipts.json").get_json()["rows"] if r["status"] == "withdrawn"]
    assert [r["number"] for r in withdrawn] == ["SK-DUP-0001"]


@pytest.mark.parametrize("url, status", [
    ("/v/lianban/contracts?page=abc", 400), ("/v/lianban/contracts?page=0", 400),
    ("/v/lianban/contracts?page=999", 404), ("/v/lianban/contracts?status=bogus", 400),
    ("/v/lianban/contracts?sort=%3Cscript%3E", 400), ("/v/lianban/receipts?year=1900", 400),
    ("/v/lianban/contracts?lessee=" + "长" * 60, 400), ("/v/lianban/arrears.docx", 404),
    ("/v/nowhere/contracts", 404),
])
def test_bad_pages_and_filters_get_a_friendly_answer_never_500(client, demo, url, status):
    response = client.get(url)
    assert response.status_code == status
    body = response.get_data(as_text=True)
    assert "<script" not in body.lower() or "%3Cscript" in url and "&lt;script" in body


def test_downloads_carry_no_personal_data(client, backend, demo):
    from sqlalchemy import select

    from portal.contracts.models import Contract, LesseeKind

    with backend.db.read() as session:
        people = session.scalars(select(Contract).where(Contract.lessee_kind == LesseeKind.PERSON)).all()
    secrets = {c.lessee_name for c in people} | {c.lessee_id_number for c in people} | {c.lessee_phone for c in people}
    for name in LISTS:
        for fmt in ("json", "csv"):
            body = client.get(f"/v/lianban/{name}.{fmt}").data.decode("utf-8-sig")
            assert not any(secret in body for secret in secrets), (name, fmt)
        sheet = load_workbook(io.BytesIO(client.get(f"/v/lianban/{name}.xlsx").data)).active
        cells = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)
        assert not any(secret in cells for secret in secrets), name


def test_company_receipt_scans_are_public_and_served_by_hash(client, demo):
    import hashlib

    rows = client.get("/v/lianban/receipts.json").get_json()["rows"]
    scanned = [r for r in rows if r["scan_sha256"]]
    assert len(scanned) == 5 and "查看扫描件" in client.get("/v/lianban/receipts?year=2024").get_data(as_text=True)
    response = client.get(f"/v/lianban/receipts/{scanned[0]['number']}/scan")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert hashlib.sha256(response.data).hexdigest() == scanned[0]["scan_sha256"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_receipt_without_a_scan_is_a_friendly_404(client, demo):
    rows = client.get("/v/lianban/receipts.json").get_json()["rows"]
    plain = next(r for r in rows if not r["scan_sha256"])
    assert client.get(f"/v/lianban/receipts/{plain['number']}/scan").status_code == 404


def test_contract_list_shows_each_change_at_once_with_the_page_cache_off(app, client, backend, village,
                                                                         contract_input):
    """The list remembers a village's contracts per log head: every change moves the head."""
    from portal.contracts.services import create_contract

    from .conftest import STAFF

    app.config["PAGE_CACHE"] = False
    assert "HT-001" not in client.get(f"/v/{village}/contracts").get_data(as_text=True)
    create_contract(backend, STAFF, village, contract_input())
    assert "HT-001" in client.get(f"/v/{village}/contracts").get_data(as_text=True)
    create_contract(backend, STAFF, village, contract_input(number="HT-002", assets=[("P2", None)]))
    page = client.get(f"/v/{village}/contracts").get_data(as_text=True)
    assert "HT-001" in page and "HT-002" in page
    assert client.get(f"/v/{village}/contracts.json").get_json()["totals"]["count"] == 2
    assert "履行中" in page
    with client.session_transaction() as session:  # the rows are remembered per language too
        session["lang"] = "en"
    page = client.get(f"/v/{village}/contracts").get_data(as_text=True)
    assert "HT-002" in page and "履行中" not in page


@pytest.mark.parametrize("name", ["contracts", "receipts"])
def test_a_list_page_makes_only_its_rows_and_the_download_every_row(client, backend, demo, monkeypatch, name):
    """The HTML page shows 20 rows; the rows are made as they are read, so only those are made,
    and they are the download's rows in the same order."""
    from portal.publishing import listings

    made = []
    real = listings.LazyRows._rows

    def spy(self, indexes):
        made.extend(i for i in indexes if self._made[i] is None)
        return real(self, indexes)

    monkeypatch.setattr(listings.LazyRows, "_rows", spy)
    page = client.get(f"/v/lianban/{name}?page=2").get_data(as_text=True)
    shown, made = sorted(made), []
    rows = client.get(f"/v/lianban/{name}.json").get_json()["rows"]
    assert len(rows) > 20 and shown == list(range(20, min(40, len(rows))))
    # the download makes the rest (the contract list, kept per log head, reuses the page's rows)
    assert set(made) >= set(range(len(rows))) - set(shown)
    assert all(row["number"] in page for row in rows[20:40])
    assert not any(row["number"] in page for row in rows[:20] + rows[40:])


def test_lazy_rows_read_as_a_list():
    from portal.publishing.listings import LazyRows

    rows = LazyRows([3, 1, 2], lambda n: {"n": n})
    assert len(rows) == 3 and rows[0] == {"n": 3} and rows[-1] == {"n": 2}
    assert rows[1:] == [{"n": 1}, {"n": 2}] and list(rows) == [{"n": 3}, {"n": 1}, {"n": 2}]
    assert rows == [{"n": 3}, {"n": 1}, {"n": 2}] and rows[0] is rows[0]
    with pytest.raises(IndexError):
        rows[3]
