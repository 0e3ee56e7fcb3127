"""Tenders through the workspace: the notice and its steps as drafts the committee approves, the
live bidding page (logged at once), the sealed bid's receipt, the contract draft from the award;
and the refusals: wrong role, another village, missing or foreign CSRF token, NUL bytes."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from portal import create_app
from portal.drafts.models import Draft
from portal.tenders.models import Tender
from portal.tenders.services import create_tender

from .conftest import STAFF
from .test_tenders import Clock, bidders_with_deposit, tender_input
from .test_workspace import PASSWORD, count, log_entries, login, people  # noqa: F401  (fixture)

TENDER = {"number": "ZZ-001", "title": "东洋片区土地公开招租公告", "mode": "auction", "use": "种植蔬菜",
          "term_start": "2027-01-01", "term_end": "2036-12-31", "reserve_price": "500", "increment": "10",
          "deposit": "5000", "eligibility": "依法登记的农业企业或本村村民", "bid_deadline": "2026-12-10",
          "publicity_days": "5", "parcel_1": "P1", "parcel_2": "P2", "area_2": "5"}
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def clock(backend) -> Clock:
    backend.clock = Clock()
    return backend.clock


def published(client, path: str, data: dict[str, str]) -> None:
    """Staff submit the draft at `path`; the committee approves it."""
    login(client, "cun-staff")
    response = client.post(path, data={**data, "action": "submit"})
    assert response.status_code == 302, response.get_data(as_text=True)
    draft_id = int(response.headers["Location"].rsplit("/", 1)[-1])
    login(client, "cun-committee")
    assert client.post(f"/committee/drafts/{draft_id}/approve").status_code == 302


def tender_in_bidding(client, backend, village: str, clock: Clock) -> None:
    published(client, "/staff/new/tender", TENDER)
    for name, kind in (("甲农业有限公司", "company"), ("张三华", "person")):
        published(client, "/staff/tender/ZZ-001/register", {"kind": kind, "name": name, "reason": "报名材料齐全"})
    for no in ("1", "2"):
        published(client, "/staff/tender/ZZ-001/deposit", {"bidder": no, "state": "received", "reason": "已到账"})
    clock.to(date(2026, 12, 10))
    login(client, "cun-staff")


def test_a_tender_from_notice_to_contract_draft_through_the_workspace(client, backend, people, clock):
    tender_in_bidding(client, backend, people, clock)
    desk = client.get("/staff/tenders/ZZ-001/desk").get_data(as_text=True)
    assert "记录这一轮出价" in desk and "张三华" in desk  # staff see the full name
    refused = client.post("/staff/tenders/ZZ-001/bid", data={"bidder": "1", "amount": "490"})
    assert refused.status_code == 400 and "低于底价" in refused.get_data(as_text=True)
    entries = len(log_entries(backend, people))
    for who, amount in (("1", "500"), ("2", "510"), ("1", "525")):
        assert client.post("/staff/tenders/ZZ-001/bid", data={"bidder": who, "amount": amount}).status_code == 302
    assert len(log_entries(backend, people)) == entries + 3  # each round its own entry, at once
    too_small = client.post("/staff/tenders/ZZ-001/bid", data={"bidder": "2", "amount": "530"})
    assert "至少 ¥535.00" in too_small.get_data(as_text=True)
    assert client.post("/staff/tenders/ZZ-001/close").status_code == 302
    published(client, "/staff/tender/ZZ-001/award", {"objection_days": "5", "reason": "竞价过程符合公告"})
    published(client, "/staff/tender/ZZ-001/object", {"text": "加价过快", "answer": "符合竞价规则", "reason": "收到异议"})

    public = client.get(f"/v/{people}/tenders/ZZ-001").get_data(as_text=True)
    assert "张*华" in public and "张三华" not in public and "¥525.00" in public and "加价过快" in public
    assert "张三华" not in client.get(f"/v/{people}/tenders.json").get_data(as_text=True)

    login(client, "cun-staff")
    made = client.post("/staff/tenders/ZZ-001/contract")
    assert made.status_code == 302 and "/staff/drafts/" in made.headers["Location"]
    form = client.get(made.headers["Location"]).get_data(as_text=True)
    assert 'value="甲农业有限公司"' in form and 'value="525.00"' in form and 'value="2036-12-31"' in form


def test_sealed_bid_receipt_shows_amount_and_nonce_once_and_logs_neither(client, backend, people, clock):
    published(client, "/staff/new/tender", {**TENDER, "mode": "sealed"})
    published(client, "/staff/tender/ZZ-001/register", {"kind": "company", "name": "甲农业有限公司", "reason": "报名"})
    published(client, "/staff/tender/ZZ-001/deposit", {"bidder": "1", "state": "received", "reason": "已到账"})
    login(client, "cun-staff")
    receipt = client.post("/staff/tenders/ZZ-001/seal", data={"bidder": "1", "amount": "555", "commitment": ""})
    assert receipt.status_code == 200 and receipt.headers["Cache-Control"] == "no-store"
    page = receipt.get_data(as_text=True)
    nonce = re.search(r"<code>([0-9a-f]{32})</code>", page).group(1)
    assert "555.00" in page
    logged = str([e.line for e in log_entries(backend, people)])
    assert nonce not in logged and "555.00" not in logged


def test_other_roles_and_villages_cannot_use_the_bidding_page(client, backend, people, clock):
    tender_in_bidding(client, backend, people, clock)
    entries = len(log_entries(backend, people))
    login(client, "cun-committee")
    assert client.get("/staff/tenders/ZZ-001/desk").status_code == 403
    assert client.post("/staff/tenders/ZZ-001/bid", data={"bidder": "1", "amount": "500"}).status_code == 403
    login(client, "other-staff")
    assert client.get("/staff/tenders/ZZ-001/desk").status_code == 404  # not a tender of their village
    assert client.post("/staff/tenders/ZZ-001/bid", data={"bidder": "1", "amount": "500"}).status_code == 404
    client.post("/logout")
    assert client.post("/staff/tenders/ZZ-001/bid", data={"bidder": "1", "amount": "500"}).status_code == 302
    assert len(log_entries(backend, people)) == entries


def test_nul_bytes_and_oversize_input_are_refused_next_to_the_field(client, backend, people, clock):
    tender_in_bidding(client, backend, people, clock)
    nul = client.post("/staff/tenders/ZZ-001/bid", data={"bidder": "1", "amount": "500\x00"})
    assert nul.status_code == 400
    long = client.post("/staff/new/tender", data={**TENDER, "eligibility": "长" * 2001, "action": "submit"})
    assert long.status_code == 400 and "不能超过 2000 个字" in long.get_data(as_text=True)
    with backend.db.read() as session:
        assert session.scalars(select(Tender.bids)).one() == []  # ids: PostgreSQL's rehearsals use some up


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_bidding_forms_need_a_csrf_token(database_url, tmp_path, backend, people, clock):
    create_tender(backend, STAFF, people, tender_input())
    bidders_with_deposit(backend, people, "ZZ-001", [("company", "甲农业有限公司")])
    clock.to(date(2026, 12, 10))
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "s", "INSTANCE_PATH": str(tmp_path / "i2")})
    app.extensions["portal"].clock = clock
    client = app.test_client()
    token = TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"username": "cun-staff", "password": PASSWORD, "csrf_token": token})
    entries = len(log_entries(backend, people))
    for sent in ({}, {"csrf_token": "x" + token[1:]}):
        refused = client.post("/staff/tenders/ZZ-001/bid", data={"bidder": "1", "amount": "500", **sent})
        assert refused.status_code == 400
        assert client.post("/staff/tenders/ZZ-001/close", data=sent).status_code == 400
        refused = client.post("/staff/new/tender", data={**TENDER, "number": "ZZ-002", "action": "submit", **sent})
        assert refused.status_code == 400
    assert len(log_entries(backend, people)) == entries and count(backend, Draft) == 0
    token = TOKEN.search(client.get("/staff/tenders/ZZ-001/desk").get_data(as_text=True)).group(1)
    accepted = client.post("/staff/tenders/ZZ-001/bid", data={"bidder": "1", "amount": "500", "csrf_token": token})
    assert accepted.status_code == 302 and len(log_entries(backend, people)) == entries + 1
