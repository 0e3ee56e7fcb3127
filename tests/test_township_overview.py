"""The township's overview (/township/) and the quarterly public ranking
(/township/<code>/ranking), on SQLite and PostgreSQL: figures that agree with the village's
own pages, sorting, the township's villages only, CSV/XLSX, a fixed number of queries."""
from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import event

from datetime import date

from sqlalchemy import select

from portal.accounts.models import Role
from portal.auditdesk.verification import check_village
from portal.auditlog.models import AuditCheckpoint
from portal.findings.models import Finding, FindingStatus
from portal.complaints.models import OWED, Complaint
from portal.contracts.arrears import arrears_list, contract_balance
from portal.contracts.models import Contract, ContractStatus, StoredInstalment
from portal.contracts.rent import add_months
from portal.kernel.clock import local_date
from portal.kernel.status import RecordStatus
from portal.receipts.models import Receipt
from portal.township import reads
from portal.township.ranking import BadQuarter, parse_quarter, quarter_of
from portal.villages.models import Village
from portal.accounts.services import UserInput, create_user
from portal.kernel.transaction import SYSTEM
from portal.township.services import create_township
from portal.villages.services import VillageInput, create_village



def login(app, username: str, password: str = "demo-2026"):
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": password}).status_code == 302
    return client


@pytest.fixture
def officer(app, demo):
    return login(app, "demo-township")


def other_township(backend, officer_name: str = "other-officer") -> None:
    """Township 河东镇 (hedong) with its village 河东村 and its own officer."""
    create_township(backend, "hedong", "河东镇")
    create_village(backend, SYSTEM, VillageInput(code="hedong", name="河东村", township="河东镇"))
    create_user(backend, SYSTEM, UserInput(officer_name, "河东镇干部", "demo-2026", Role.TOWNSHIP,
                                           township_code="hedong"))


def text(response) -> str:
    return response.get_data(as_text=True)


def test_the_overview_figures_agree_with_the_villages_own_records(app, officer, demo):
    """Each figure recomputed the slow way, record by record, from the same rows."""
    backend = app.extensions["portal"]
    today = backend.today()
    with backend.db.read() as session:
        village = session.scalars(select(Village).where(Village.code == "lianban")).one()
        contracts = session.scalars(select(Contract).where(Contract.village_id == village.id)).all()
        running = [c for c in contracts if c.status is ContractStatus.ACTIVE and c.start_date <= today <= c.end_date]
        area = sum((item.area for c in running for item in c.items), Decimal(0))
        expiring = [c for c in running if c.end_date <= add_months(today, 6)]
        arrears = sum((row.balance.arrears for row in arrears_list(session, village.id, today)), Decimal(0))
        due = sum((i.amount for c in contracts if c.status is not ContractStatus.WITHDRAWN
                   for i in session.scalars(select(StoredInstalment).where(StoredInstalment.contract_id == c.id))
                   if date(today.year, 1, 1) <= i.due_date <= today), Decimal(0))
        received = sum((r.amount for r in session.scalars(select(Receipt).where(Receipt.village_id == village.id))
                        if r.status is RecordStatus.ACTIVE and r.contract_id and r.received_on.year == today.year
                        and r.received_on <= today), Decimal(0))
        complaints = session.scalars(select(Complaint).where(Complaint.village_id == village.id)).all()
        open_findings = sum(f.status is not FindingStatus.CLOSED for f in
                            session.scalars(select(Finding).where(Finding.village_id == village.id)))
        cosigned = max(c.size for c in session.scalars(select(AuditCheckpoint).where(AuditCheckpoint.log == "lianban"))
                       if "/committee/" in c.note)
    row = reads.township_figures(backend, "lianhua", "code").rows[0]
    assert (row.code, row.area, row.expiring) == ("lianban", area.quantize(Decimal("0.01")), len(expiring))
    assert (row.due, row.received, row.arrears) == (due, received, arrears)
    assert row.arrears > 0 and row.received > 0 and row.area > 0
    assert row.unanswered == sum(c.status in OWED for c in complaints)
    assert row.overdue == sum(c.overdue(today) for c in complaints)
    assert open_findings > 0 and row.open_findings == open_findings
    assert row.cosigned is not None and row.cosigned.size == cosigned  # the demo committee co-signed it
    assert row.verification is None  # no integrity check has run yet
    html = text(officer.get("/township/"))
    for shown in (f"¥{row.arrears:,.2f}", f"¥{row.received:,.2f}", "/township/v/lianban", "—"):
        assert shown in html, shown
    check_village(backend, "lianban", "daily")  # what the nightly verify-all does
    checked = reads.township_figures(backend, "lianhua", "code").rows[0].verification
    assert checked is not None and checked.ok
    detail = text(officer.get("/township/v/lianban"))
    assert f"¥{row.arrears:,.2f}" in detail and "/v/lianban/arrears" in detail


def test_sorting_by_a_column_and_a_bad_column_gets_a_clear_400(app, officer, demo):
    other_township(app.extensions["portal"])
    assert officer.get("/township/?sort=-arrears").status_code == 200
    bad = officer.get("/township/?sort=<script>")
    assert bad.status_code == 400
    html = text(bad)
    assert "无法按" in html and "arrears" in html and "<script>" not in html
    assert officer.get("/township/villages.csv?sort=nope").status_code == 400


def test_an_officer_sees_only_the_villages_of_their_township(app, demo):
    backend = app.extensions["portal"]
    other_township(backend)
    demo_officer = login(app, "demo-township")
    html = text(demo_officer.get("/township/"))
    assert "莲坂村" in html and "河东村" not in html
    assert demo_officer.get("/township/v/hedong").status_code == 404
    assert "河东村" not in text(demo_officer.get("/township/villages.csv"))
    hedong = login(app, "other-officer")
    html = text(hedong.get("/township/"))
    assert "河东村" in html and "莲坂村" not in html
    assert hedong.get("/township/v/lianban").status_code == 404
    assert hedong.get("/township/v/hedong").status_code == 200


def test_an_officer_of_no_township_sees_every_village(app, demo):
    backend = app.extensions["portal"]
    other_township(backend)
    create_user(backend, SYSTEM, UserInput("county-officer", "县农经站", "demo-2026", Role.TOWNSHIP))
    html = text(login(app, "county-officer").get("/township/"))
    assert "莲坂村" in html and "河东村" in html and "全部乡镇" in html


@pytest.mark.parametrize("username", ["demo-staff", "demo-committee"])
def test_staff_and_committee_cannot_see_the_overview_or_its_downloads(app, demo, username):
    client = login(app, username)
    for path in ("/township/", "/township/villages.csv", "/township/villages.xlsx", "/township/v/lianban"):
        assert client.get(path).status_code == 403, path
    anonymous = app.test_client()
    assert anonymous.get("/township/villages.xlsx").status_code == 302


def test_the_csv_has_plain_numbers_and_a_totals_row(app, officer, demo):
    other_township(app.extensions["portal"])
    response = officer.get("/township/villages.csv?sort=-arrears")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    header, body, totals = rows[1], rows[2:-1], rows[-1]
    assert header[:3] == ["村编码", "村", "在租面积（亩）"]
    assert [r[0] for r in body] == ["lianban"]
    assert totals[1] == "合计"
    for column in (2, 3, 4, 5):
        Decimal(body[0][column])  # a plain number, no ¥ or thousands separators
        assert totals[column] == body[0][column]
    assert int(body[0][header.index("未整改问题")]) > 0  # the demo's findings, being rectified


def test_the_xlsx_has_typed_numbers_and_a_totals_row(app, officer, demo):
    response = officer.get("/township/villages.xlsx")
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:2] == ("村编码", "村")
    village, totals = rows[2], rows[-1]
    assert village[0] == "lianban" and totals[1] == "合计"
    for column in range(2, 9):
        assert isinstance(village[column], (int, float)), (rows[1][column], village[column])
        assert totals[column] == village[column]
    assert sheet.cell(row=3, column=5).number_format == "#,##0.00"


def count_statements(app, client, path: str) -> int:
    engine = app.extensions["portal"].db.engine
    seen: list[str] = []

    def note(conn, cursor, statement, *args) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return len(seen)


def test_the_overview_costs_the_same_queries_for_one_village_or_twenty(app, officer, demo):
    """The same statements counting the figures for 1 or 20 villages, and fewer once they are kept."""
    backend = app.extensions["portal"]
    counting_one = count_statements(app, officer, "/township/")
    kept_one = count_statements(app, officer, "/township/")
    for n in range(19):
        create_village(backend, SYSTEM, VillageInput(code=f"cun{n:02d}", name=f"第{n}村", township="莲花镇（演示）"))
    counting_twenty = count_statements(app, officer, "/township/")
    kept_twenty = count_statements(app, officer, "/township/")
    assert "第18村" in text(officer.get("/township/"))
    assert (counting_twenty, kept_twenty) == (counting_one, kept_one)
    assert kept_one < counting_one <= 18


# ---- the public ranking ----------------------------------------------------------------------

def test_the_ranking_is_public_explains_its_method_and_offers_a_csv(app, demo):
    reader = app.test_client()
    page = reader.get("/township/lianhua/ranking")
    assert page.status_code == 200
    html = text(page)
    for words in ("每季一晾晒", "莲坂村", "第 1 名", "收缴率", "怎么排的", "按时答复率"):
        assert words in html, words
    assert "<script" not in html
    download = reader.get("/township/lianhua/ranking.csv?q=2026Q3")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[1][:4] == ["名次", "村编码", "村", "综合得分"] and rows[2][:2] == ["1", "lianban"]
    assert "2026年第3季度" in rows[0][0]


@pytest.mark.parametrize("quarter, message", [
    ("2026Q5", "季度的写法"), ("banana", "季度的写法"), ("1999Q4", "只能查看"), ("2099Q1", "只能查看"),
    ("2026Q4%00", None),  # refused before the view, with the portal's message about the NUL byte
])
def test_a_bad_quarter_gets_a_clear_400(app, demo, quarter, message):
    reader = app.test_client()
    page = reader.get(f"/township/lianhua/ranking?q={quarter}")
    assert page.status_code == 400
    assert message is None or message in text(page)
    assert reader.get(f"/township/lianhua/ranking.csv?q={quarter}").status_code == 400


def test_an_unknown_township_is_404(app, demo):
    assert app.test_client().get("/township/nowhere/ranking").status_code == 404
    assert app.test_client().get("/township/nowhere/ranking.csv").status_code == 404


def test_the_ranking_lists_only_the_townships_villages_best_first(app, demo):
    backend = app.extensions["portal"]
    other_township(backend)
    create_village(backend, SYSTEM, VillageInput(code="xincun", name="新村", township="莲花镇（演示）"))
    html = text(app.test_client().get("/township/lianhua/ranking?q=2026Q1"))
    assert "河东村" not in html
    assert html.index("莲坂村") < html.index("新村")  # a village with nothing to rate comes last


def test_the_ranking_in_english(app, demo):
    html = text(app.test_client().get("/township/lianhua/ranking?lang=en"))
    assert "How the ranking is made" in html and "Collection rate" in html


@pytest.mark.parametrize("back", [0, 1, 2, 4])
def test_the_ranking_figures_agree_with_each_contracts_own_balance(app, demo, back):
    """收缴率 recomputed contract by contract from the ledger's per-instalment balance (which
    pays the oldest instalment first), and 按时答复率 complaint by complaint."""
    backend = app.extensions["portal"]
    today = backend.today()
    quarter = quarter_of(today)
    for _ in range(back):
        quarter = quarter.previous()
    as_of = min(quarter.end, today)
    due = collected = arrears = Decimal(0)
    with backend.db.read() as session:
        village = session.scalars(select(Village).where(Village.code == "lianban")).one()
        for contract in session.scalars(select(Contract).where(Contract.village_id == village.id)):
            if contract.status is ContractStatus.WITHDRAWN:
                continue
            standing = contract_balance(session, contract, as_of)
            arrears += standing.arrears
            for item in standing.instalments:
                if quarter.start <= item.instalment.due_date <= as_of:
                    due += item.instalment.amount
                    collected += item.paid
        complaints = [c for c in session.scalars(select(Complaint).where(Complaint.village_id == village.id))
                      if quarter.start <= c.due_on <= as_of]
        # the demo's findings are open or being rectified: each counts in a quarter it was open in
        findings = [f for f in session.scalars(select(Finding).where(Finding.village_id == village.id))
                    if f.found_on <= as_of]
        assert all(f.status is not FindingStatus.CLOSED for f in findings)
    on_time = sum(c.replied_at is not None and local_date(c.replied_at) <= c.due_on for c in complaints)
    page = reads.township_ranking(backend, "lianhua", str(quarter))
    row = page.rows[0]
    assert (row.due, row.collected, row.arrears) == (due, collected, arrears)
    assert row.collection_rate == ((collected * 100 / due).quantize(Decimal("0.1")) if due else None)
    assert (row.complaints_due, row.on_time) == (len(complaints), on_time)
    assert (row.findings_closed, row.findings_total) == (0, len(findings))
    assert row.findings_rate == (Decimal("0.0") if findings else None)
    rates = [r for r in (row.collection_rate, row.on_time_rate, row.findings_rate) if r is not None]
    assert row.score == ((sum(rates) / len(rates)).quantize(Decimal("0.1")) if rates else None)


def test_quarters_are_parsed_strictly():
    today = date(2026, 11, 23)
    assert str(parse_quarter(None, today)) == "2026Q3"  # the latest quarter that is over
    assert str(parse_quarter("2026q4", today)) == "2026Q4"  # the one under way may be asked for
    assert (parse_quarter("2024Q1", today).start, parse_quarter("2024Q1", today).end) == (date(2024, 1, 1), date(2024, 3, 31))
    assert parse_quarter("2025Q4", today).end == date(2025, 12, 31)
    for bad in ("2027Q1", "2026Q0", "26Q1", "2026-Q1", "Q1", "1999Q4", "２０２６Q1"):
        with pytest.raises(BadQuarter):
            parse_quarter(bad, today)
