"""Meetings, ledger entries and dividend plans entered in the staff workspace and approved by the
committee: the minutes' and vouchers' hashes in the log, the roll masked for the committee, 发放 as
a draft verb. Driven through the Flask test client on SQLite and PostgreSQL."""
from __future__ import annotations

import hashlib
import io
import json
from datetime import timedelta

import pytest

from portal.dividends.models import DividendLine, Payout
from tests.test_receipt_editing import approve, png
from tests.test_workspace import count, login, only_draft, people  # noqa: F401  (fixture)

from .conftest import DATABASES

pytestmark = pytest.mark.parametrize("database_url", DATABASES, indirect=True)


def meeting_form(backend, **changes):
    return {"number": "HY-2026-001", "held_on": (backend.today() - timedelta(days=30)).isoformat(),
            "kind": "villagers", "title": "2026 年度收益分配方案", "expected": "398", "present": "372",
            "votes_for": "350", "votes_against": "12", "abstained": "10", "agenda": "表决分红方案",
            "decision": "通过", **changes}


def test_meeting_with_its_minutes_scan_is_published_with_the_hash_in_the_log(client, backend, people):
    login(client, "cun-staff")
    data = {**meeting_form(backend), "action": "submit", "minutes": (io.BytesIO(png()), "签到表.png")}
    assert client.post("/staff/new/meeting", data=data, content_type="multipart/form-data").status_code == 302
    entry = approve(client, backend, only_draft(backend).id)
    sha = entry.data["minutes_sha256"]
    client.post("/logout")
    scan = client.get("/v/testcun/meetings/HY-2026-001/minutes")
    assert scan.status_code == 200 and hashlib.sha256(scan.data).hexdigest() == sha
    page = client.get("/v/testcun/meetings/HY-2026-001").get_data(as_text=True)
    assert sha in page and "赞成 350" in page and "87.9" in page


def test_bad_votes_get_a_message_next_to_the_field(client, backend, people):
    login(client, "cun-staff")
    page = client.post("/staff/new/meeting", data={**meeting_form(backend, votes_for="400"), "action": "submit"})
    assert page.status_code == 400 and "合计不能多于实到人数" in page.get_data(as_text=True)
    page = client.post("/staff/new/meeting", data={**meeting_form(backend, present="500"), "action": "submit"})
    assert "不能多于应到人数" in page.get_data(as_text=True)


def test_a_persons_voucher_is_for_the_villages_staff_only(client, backend, people):
    login(client, "cun-staff")
    data = {"number": "ZJ-1", "direction": "expense", "category": "transfer_rent", "amount": "1,350.00",
            "booked_on": (backend.today() - timedelta(days=2)).isoformat(), "counterparty": "陈建国",
            "counterparty_is_person": "y", "action": "submit", "voucher": (io.BytesIO(png()), "凭证.png")}
    assert client.post("/staff/new/ledger_entry", data=data, content_type="multipart/form-data").status_code == 302
    entry = approve(client, backend, only_draft(backend).id)
    assert entry.data["counterparty"] == {"is_person": True, "name": "陈*国"} and entry.data["voucher_sha256"]
    assert "陈建国" not in json.dumps(entry.data, ensure_ascii=False)
    assert client.get("/v/testcun/ledger/ZJ-1/voucher").status_code == 403  # committee
    login(client, "other-staff")
    assert client.get("/v/testcun/ledger/ZJ-1/voucher").status_code == 403
    login(client, "cun-staff")
    served = client.get("/v/testcun/ledger/ZJ-1/voucher")
    assert served.status_code == 200 and served.headers["Cache-Control"] == "private, no-store"


def test_dividend_plan_from_draft_to_payout(client, backend, people):
    from .money_helpers import meeting

    meeting(backend)
    today = backend.today()
    login(client, "cun-staff")
    plan = {"number": "FH-2026", "year": "2026", "title": "2026 年度分红", "total": "1,000.00",
            "meeting_number": "HY-001", "publicity_from": (today - timedelta(days=10)).isoformat(),
            "publicity_until": (today - timedelta(days=4)).isoformat(),
            "roll": "H001,张三华,3\r\nH002,李四,2\r\nH003,王小明,2", "action": "submit"}
    assert client.post("/staff/new/dividend_plan", data=plan).status_code == 302
    draft = only_draft(backend)
    login(client, "cun-committee")
    review = client.get(f"/committee/drafts/{draft.id}").get_data(as_text=True)
    assert "张*华" in review and "张三华" not in review
    approve(client, backend, draft.id)
    assert count(backend, DividendLine) == 3
    login(client, "cun-staff")
    form = client.get("/staff/dividend_plan/FH-2026/pay")
    assert form.status_code == 200
    sent = client.post("/staff/dividend_plan/FH-2026/pay", data={
        "households": "H001 H003", "paid_on": today.isoformat(), "reason": "现金发放", "action": "submit"})
    assert sent.status_code == 302, sent.get_data(as_text=True)
    approve(client, backend, [d for d in _drafts(backend) if d.verb == "pay"][0].id)
    assert count(backend, DividendLine, DividendLine.payout == Payout.PAID) == 2
    listing = client.get("/v/testcun/dividends/2026.json").get_json()
    assert [r["payout"] for r in listing["rows"]] == ["paid", "pending", "paid"]


def _drafts(backend):
    from sqlalchemy import select

    from portal.drafts.models import Draft, DraftState

    with backend.db.read() as session:
        return list(session.scalars(select(Draft).where(Draft.state == DraftState.SUBMITTED)))
