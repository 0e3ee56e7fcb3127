"""Every list page reads the database in a fixed number of statements, however many records the
village holds: counted through the real Flask client with the page cache off, on the demo
village and again after adding 20 contracts with receipts, notices and comments."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from portal.complaints.services import ComplaintInput, file_complaint
from portal.contracts.services import ContractInput, create_contract
from portal.kernel.transaction import Actor
from portal.notices.services import NoticeInput, create_notice
from portal.parcels.services import AssetInput, create_asset
from portal.plans.models import Plan
from portal.plans.services import CommentInput, PlanInput, add_comment, create_plan
from portal.receipts.services import ReceiptInput, record_receipt

from .conftest import DEMO_STAFF

VILLAGER = Actor("villager", "villager")
LIST_PAGES = ["contracts", "arrears", "receipts", "parcels", "map", "notices", "plans", "plans/{plan}/comments",
              "", "search?q=合同", "stats", "feed.atom", "complaints"]
# Queries a page may run: its own reads, the village, the log head for the ETag and the log
# state the page shows (the village home has the most: eleven, one of them for its outcome
# figures). None may depend on how many records there are. Transaction control (SQLite's BEGIN)
# is not counted.
MOST_QUERIES = 11


@pytest.fixture
def app(app):
    app.config["PAGE_CACHE"] = False  # every request renders: what an unknown parameter costs
    return app


@contextmanager
def counting(engine):
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def statements_per_page(app, client, plan: str) -> dict[str, int]:
    """Queries each list page runs, counted on a second request (the first warms caches)."""
    backend = app.extensions["portal"]
    counts = {}
    for page in LIST_PAGES:
        url = f"/v/lianban/{page.format(plan=plan)}"
        assert client.get(url).status_code == 200, url
        app.extensions["log_heads"].clear()   # the ETag's head read every time, not every 0.5 s
        app.extensions["visits"].flush(backend)  # no batch of visit counts written meanwhile
        with counting(backend.db.engine) as statements:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[page] = len(statements)
    return counts


def grow_the_village(backend, n: int = 20) -> None:
    """n more parcels, each leased by a contract paid by two receipts; n notices and comments."""
    for i in range(n):
        create_asset(backend, DEMO_STAFF, "lianban", AssetInput(
            number=f"QC-{i:03d}", name=f"新增{i}号地", kind="land", area="12.50"))
        create_contract(backend, DEMO_STAFF, "lianban", ContractInput(
            number=f"QC-HT-{i:03d}", title=f"新增{i}号地租赁合同", lessee_kind="company",
            lessee_name=f"新增农业{i}有限公司", start_date="2020-01-01", end_date="2029-12-31",
            rent_rate="480", rent_unit="mu_year", assets=[(f"QC-{i:03d}", None)]))
        for k, day in enumerate(("2020-01-05", "2021-01-06")):
            record_receipt(backend, DEMO_STAFF, "lianban", ReceiptInput(
                number=f"QC-SK-{i:03d}-{k}", amount="6000.00", received_on=day,
                payer_name=f"新增农业{i}有限公司", contract_number=f"QC-HT-{i:03d}"))
        create_notice(backend, DEMO_STAFF, "lianban", NoticeInput(
            number=f"QC-GG-{i:03d}", title=f"新增公告{i}", category="affairs", body="内容",
            published_on="2024-05-01"))
    today = backend.today()
    create_plan(backend, DEMO_STAFF, "lianban", PlanInput(
        number="QC-FA-001", title="新增方案", body="内容", comment_from=today - timedelta(days=30),
        comment_until=today + timedelta(days=30)))
    for i in range(n):
        add_comment(backend, VILLAGER, "lianban", "QC-FA-001", CommentInput(
            commenter_name="陈秀英", body=f"意见{i}", submitted_on=today))
        file_complaint(backend, VILLAGER, "lianban", ComplaintInput(
            kind="complaint", body=f"投诉{i}", name="陈秀英", about="plan:QC-FA-001"))


def test_every_list_page_runs_the_same_few_statements_however_many_records(app, client, backend, demo):
    with backend.db.read() as session:
        plan = session.scalar(select(Plan.number).order_by(Plan.number))
    before = statements_per_page(app, client, plan)
    assert all(n <= MOST_QUERIES for n in before.values()), sorted(before.items())

    grow_the_village(backend)
    assert statements_per_page(app, client, plan) == before
    assert statements_per_page(app, client, "QC-FA-001")["plans/{plan}/comments"] == before["plans/{plan}/comments"]


def test_the_receipts_list_reads_each_receipts_contract_in_the_same_query(app, client, backend, demo):
    with counting(backend.db.engine) as statements:
        rows = client.get("/v/lianban/receipts.json").get_json()["rows"]
    assert sum(1 for r in rows if r["contract"]) > 50
    assert not [s for s in statements if s.lstrip().startswith("SELECT contract.")]  # no lazy load per row
