"""Land in, land out: entrustments (流转委托) masked in public with their transfer rent booked as an
expense of the ledger; the lease kinds (保底加分成 due amount, 无偿使用 refused without a meeting
decision); a tender naming its meeting; a dividend payout booking its ledger expense."""
from __future__ import annotations

import hashlib
import io
import json
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.auditlog.files import MAX_FILE_BYTES
from portal.auditlog.models import AuditEntry
from portal.contracts.rent import revenue_share_due
from portal.contracts.services import ContractInput, create_contract, declare_revenue
from portal.dividends.services import pay
from portal.entrustments.services import (
    EntrustmentInput,
    PaymentInput,
    create_entrustment,
    pay_transfer_rent,
)
from portal.kernel.errors import ValidationError
from portal.ledger.models import LedgerEntry
from portal.tenders.services import TenderInput, create_tender

from .conftest import DATABASES, STAFF
from .money_helpers import meeting, plan
from .test_receipt_editing import PDF, approve, field_error, png
from .test_workspace import PASSWORD, login, only_draft, people  # noqa: F401  (fixture)

pytestmark = pytest.mark.parametrize("database_url", DATABASES, indirect=True)

HOUSEHOLD = "陈桂兰"
ID_NUMBER = "350599196501011234"


def _id_number() -> str:
    stem = ID_NUMBER[:17]
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return stem + "10X98765432"[sum(int(d) * w for d, w in zip(stem, weights)) % 11]


def entrust(backend, number="WT-001", assets=(("P1", "6")), **changes):
    values = dict(number=number, household_name=HOUSEHOLD, household_id_number=_id_number(),
                  household_phone="13912345678", start_date="2024-01-01", end_date="2038-12-31", rent_rate="450",
                  assets=list(assets) if isinstance(assets[0], tuple) else [assets], note="大托管")
    values.update(changes)
    return create_entrustment(backend, STAFF, "testcun", EntrustmentInput(**values))


def test_entrustment_is_masked_in_public_and_in_full_only_in_private_data(backend, village, client):
    entrust(backend)
    with backend.db.read() as session:
        entry = json.loads(session.scalar(select(AuditEntry.line).where(AuditEntry.entity == "entrustment")))
    assert entry["data"]["household"] == {"name": "陈*兰"} and entry["private"]
    assert entry["data"]["area"] == "6.00" and entry["data"]["annual_rent"] == "2700.00"
    logged = json.dumps(entry, ensure_ascii=False)
    assert HOUSEHOLD not in logged and "13912345678" not in logged and _id_number() not in logged
    for url in ("/v/testcun/entrustments", "/v/testcun/entrustments/WT-001", "/v/testcun/entrustments.csv",
                "/v/testcun/entrustments.json", "/v/testcun/entrustments.xlsx"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert HOUSEHOLD.encode() not in page.data and b"13912345678" not in page.data
    assert "陈*兰" in client.get("/v/testcun/entrustments/WT-001").get_data(as_text=True)


def test_a_parcel_is_never_entrusted_beyond_its_area(backend, village):
    entrust(backend)
    with pytest.raises(ValidationError) as refused:
        entrust(backend, number="WT-002", assets=("P1", "4.5"))
    assert "已委托 6" in refused.value.errors["assets"]
    entrust(backend, number="WT-003", assets=("P1", "4"))  # 6 + 4 = the whole 10 亩
    with pytest.raises(ValidationError) as refused:
        entrust(backend, number="WT-004", assets=("S1", None))
    assert "不是以亩计的土地" in refused.value.errors["assets"]


def test_transfer_rent_is_booked_as_an_expense_once_a_year(backend, village, client):
    entrust(backend)
    paid = pay_transfer_rent(backend, STAFF, "testcun", "WT-001",
                             PaymentInput(year=2025, paid_on=date(2025, 1, 20), approved_by="村委会主任"))
    assert [p["year"] for p in paid.payments] == [2025]
    with backend.db.read() as session:
        entry = session.scalar(select(LedgerEntry).where(LedgerEntry.category == "transfer_rent"))
        assert entry.direction.value == "expense" and entry.amount == Decimal("2700.00")
        assert entry.counterparty == HOUSEHOLD and entry.public_state()["counterparty"]["name"] == "陈*兰"
        number = entry.number
    assert paid.payments[0]["entry"] == number
    page = client.get(f"/v/testcun/ledger/{number}").get_data(as_text=True)
    assert "陈*兰" in page and HOUSEHOLD not in page
    assert number in client.get("/v/testcun/entrustments/WT-001").get_data(as_text=True)
    with pytest.raises(ValidationError) as refused:
        pay_transfer_rent(backend, STAFF, "testcun", "WT-001", PaymentInput(year=2025, paid_on=date(2025, 2, 1)))
    assert "已经支付过" in refused.value.errors["year"]
    with pytest.raises(ValidationError):
        pay_transfer_rent(backend, STAFF, "testcun", "WT-001", PaymentInput(year=2040, paid_on=date(2025, 2, 1)))
    with backend.db.read() as session:  # the refused payments wrote nothing
        assert len(session.scalars(select(LedgerEntry)).all()) == 1


def test_revenue_share_due_is_the_larger_of_minimum_and_share(backend, village, client):
    assert revenue_share_due(Decimal("5000.00"), Decimal("8"), None) == Decimal("5000.00")
    assert revenue_share_due(Decimal("5000.00"), Decimal("8"), Decimal("50000")) == Decimal("5000.00")
    assert revenue_share_due(Decimal("5000.00"), Decimal("8"), Decimal("100000.05")) == Decimal("8000.00")
    contract = create_contract(backend, STAFF, "testcun", ContractInput(
        number="HT-FC-001", title="茶园联营", kind="revenue_share", lessee_kind="company", lessee_name="莲花山茶业有限公司",
        start_date="2024-01-01", end_date="2026-12-31", rent_rate="500", rent_unit="mu_year", share_percent="8",
        assets=[("P1", None)]))
    assert [i.amount for i in contract.schedule()] == [Decimal("5000.00")] * 3
    declare_revenue(backend, STAFF, "testcun", "HT-FC-001", 2024, "100000", "申报 2024 年营业收入")
    declared = declare_revenue(backend, STAFF, "testcun", "HT-FC-001", 2025, "40000", "申报 2025 年营业收入")
    assert [i.amount for i in declared.schedule()] == [Decimal("8000.00"), Decimal("5000.00"), Decimal("5000.00")]
    page = client.get("/v/testcun/contracts/HT-FC-001").get_data(as_text=True)
    assert "保底加分成" in page and "¥8,000.00" in page
    with pytest.raises(ValidationError):  # yearly only
        create_contract(backend, STAFF, "testcun", ContractInput(
            number="HT-FC-002", title="x", kind="revenue_share", lessee_kind="company", lessee_name="某公司",
            start_date="2024-01-01", end_date="2026-12-31", rent_rate="500", rent_unit="mu_year", share_percent="8",
            payment_interval_months="6", assets=[("P2", None)]))


def test_rent_free_use_is_refused_without_a_meeting_decision(backend, village, client):
    data = dict(number="HT-WC-001", title="闲置店面无偿使用", kind="rent_free", lessee_kind="company",
                lessee_name="莲坂农机专业合作社", start_date="2025-01-01", end_date="2027-12-31", rent_rate="0",
                rent_unit="m2_month", assets=[("S1", None)])
    with pytest.raises(ValidationError) as refused:
        create_contract(backend, STAFF, "testcun", ContractInput(**data))
    assert "会议" in refused.value.errors["meeting_number"]
    with pytest.raises(ValidationError) as refused:
        create_contract(backend, STAFF, "testcun", ContractInput(**data, meeting_number="HY-404"))
    assert "HY-404" in refused.value.errors["meeting_number"]
    with pytest.raises(ValidationError) as refused:
        create_contract(backend, STAFF, "testcun", ContractInput(**{**data, "rent_rate": "5"}, meeting_number="HY-001"))
    assert "rent_rate" in refused.value.errors
    meeting(backend)
    contract = create_contract(backend, STAFF, "testcun", ContractInput(**data, meeting_number="HY-001"))
    assert contract.schedule() == [] and contract.public_state()["meeting"] == "HY-001"
    page = client.get("/v/testcun/contracts/HT-WC-001").get_data(as_text=True)
    assert "无偿使用" in page and "/v/testcun/meetings/HY-001" in page
    assert "/v/testcun/contracts/HT-WC-001" in client.get("/v/testcun/meetings/HY-001").get_data(as_text=True)


def test_tender_and_its_meeting_link_both_ways(backend, village, client):
    meeting(backend)
    today = backend.today()
    values = dict(number="ZZ-001", title="东洋片区招租", mode="auction", use="种植", term_start="2027-01-01",
                  term_end="2036-12-31", reserve_price="450", increment="10", deposit="5000", eligibility="农业企业",
                  bid_deadline=(today + timedelta(days=30)).isoformat(), lots=[("P1", None)])
    with pytest.raises(ValidationError) as refused:
        create_tender(backend, STAFF, "testcun", TenderInput(**values, meeting_number="HY-404"))
    assert "HY-404" in refused.value.errors["meeting_number"]
    create_tender(backend, STAFF, "testcun", TenderInput(**values, meeting_number="HY-001"))
    assert "/v/testcun/meetings/HY-001" in client.get("/v/testcun/tenders/ZZ-001").get_data(as_text=True)
    assert "/v/testcun/tenders/ZZ-001" in client.get("/v/testcun/meetings/HY-001").get_data(as_text=True)


def test_a_dividend_payout_books_one_ledger_expense_per_batch(backend, village):
    meeting(backend)
    plan(backend, number="FH-2025", year="2025", ended=True)
    pay(backend, STAFF, "testcun", "FH-2025", {"households": "H001", "paid_on": backend.today().isoformat()}, "发放")
    pay(backend, STAFF, "testcun", "FH-2025", {"households": "全部", "paid_on": backend.today().isoformat()}, "发放")
    with backend.db.read() as session:
        entries = session.scalars(select(LedgerEntry).order_by(LedgerEntry.number)).all()
        assert [(e.category, e.direction.value, e.amount) for e in entries] == [
            ("dividend", "expense", Decimal("428.57")), ("dividend", "expense", Decimal("571.43"))]
        assert all(e.meeting.number == "HY-001" for e in entries)
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)).all()
    assert actions[-2:] == ["dividend_line.pay", "ledger_entry.create"]
    with pytest.raises(ValidationError):  # nothing left to pay: no ledger entry either
        pay(backend, STAFF, "testcun", "FH-2025", {"households": "全部", "paid_on": backend.today().isoformat()}, "发放")
    with backend.db.read() as session:
        assert len(session.scalars(select(LedgerEntry)).all()) == 2


@pytest.mark.slow
def test_xss_corpus_in_an_entrustment_is_shown_as_text(backend, village, client):
    """Payloads of the corpus as the household's name and the note: shown as text, or refused."""
    from portal.kernel.privacy import carries_personal_number

    from .test_notices_plans import _packed, _payloads, _tags, assert_inert

    entrust(backend, number="WT-0", assets=("P2", "0.1"), household_name="无害农户", note="无害备注")
    harmless = _tags(client.get("/v/testcun/entrustments/WT-0").get_data(as_text=True))
    payloads = [p for p in _payloads() if not carries_personal_number(p)]
    for i, short in enumerate(_packed(payloads, 100, " ")[:40], start=1):
        try:
            entrust(backend, number=f"WT-{i}", assets=("P2", "0.1"), household_name=short, note=short)
        except ValidationError as refused:  # a control character (NUL…): refused, never stored
            assert all("控制字符" in m for m in refused.errors.values()), refused.errors
            continue
        html = client.get(f"/v/testcun/entrustments/WT-{i}").get_data(as_text=True)
        assert_inert(html, [short], harmless)
    listing = client.get("/v/testcun/entrustments").get_data(as_text=True).lower()
    assert "<img" not in listing and "<svg" not in listing


def test_nul_byte_and_oversize_are_refused_with_a_message(backend, village):
    with pytest.raises(ValidationError) as refused:
        entrust(backend, household_name="陈\x00兰")
    assert "household_name" in refused.value.errors
    with pytest.raises(ValidationError) as refused:
        entrust(backend, note="长" * 501)
    assert "note" in refused.value.errors
    with pytest.raises(ValidationError) as refused:
        entrust(backend, rent_rate="1e400")
    assert "rent_rate" in refused.value.errors


# ---------------------------------------------------------------- 支付流转租金 in the staff workspace

PAY_URL = "/staff/entrustment/WT-001/pay"


def _pay_form(backend, voucher=None, **changes):
    data = {"year": "2025", "paid_on": backend.today().isoformat(), "approved_by": "村委会主任",
            "meeting_number": "", "reason": "2025 年度流转租金", "action": "submit", **changes}
    if voucher is not None:
        data["voucher"] = (io.BytesIO(voucher[1]), voucher[0])
    return data


def _nothing_booked(backend) -> bool:
    from portal.drafts.models import Draft

    with backend.db.read() as session:
        return not session.scalars(select(LedgerEntry)).all() and not session.scalars(select(Draft)).all()


def test_the_pay_form_books_the_voucher_scan_by_its_sha256(client, backend, people):
    entrust(backend)
    login(client, "cun-staff")
    form = client.get(PAY_URL).get_data(as_text=True)
    assert 'type="file"' in form and 'name="voucher"' in form and 'accept="application/pdf,image/jpeg,image/png"' in form
    sent = client.post(PAY_URL, data=_pay_form(backend, ("签收单.pdf", PDF)), content_type="multipart/form-data")
    assert sent.status_code == 302, sent.get_data(as_text=True)
    draft = only_draft(backend)
    assert draft.fields["voucher"] == hashlib.sha256(PDF).hexdigest()
    page = client.get(f"/staff/drafts/{draft.id}").get_data(as_text=True)
    assert f'href="/staff/drafts/{draft.id}/files/voucher"' in page
    # the entrustment's own word for its verb, not the dividend plan's 发放 of the same verb
    assert "<h1>支付流转租金 流转委托 WT-001</h1>" in page and "发放" not in page
    assert "支付流转租金 · WT-001" in client.get("/staff/").get_data(as_text=True)
    approve(client, backend, draft.id)
    history = client.get("/v/testcun/entrustments/WT-001").get_data(as_text=True)
    assert "支付流转租金" in history and "发放" not in history
    with backend.db.read() as session:
        entry = session.scalar(select(LedgerEntry).where(LedgerEntry.category == "transfer_rent"))
        number, sha = entry.number, entry.voucher_sha256
        logged = [json.loads(e.line) for e in session.scalars(select(AuditEntry).where(
            AuditEntry.log == "testcun", AuditEntry.action == "ledger_entry.create"))]
    assert sha == hashlib.sha256(PDF).hexdigest() and entry.amount == Decimal("2700.00")
    assert [e["data"]["voucher_sha256"] for e in logged] == [sha]  # the hash is in the log entry
    login(client, "cun-staff")  # a household's voucher: for the village's staff only
    served = client.get(f"/v/testcun/ledger/{number}/voucher")
    assert served.status_code == 200 and hashlib.sha256(served.data).hexdigest() == sha
    client.post("/logout")
    assert client.get(f"/v/testcun/ledger/{number}/voucher").status_code in (302, 403)


def test_an_image_voucher_is_stored_as_the_ledger_stores_its_own(client, backend, people):
    entrust(backend)
    login(client, "cun-staff")
    sent = client.post(PAY_URL, data=_pay_form(backend, ("签收单.png", png())), content_type="multipart/form-data")
    assert sent.status_code == 302
    approve(client, backend, only_draft(backend).id)
    login(client, "cun-staff")
    with backend.db.read() as session:
        entry = session.scalar(select(LedgerEntry).where(LedgerEntry.category == "transfer_rent"))
    served = client.get(f"/v/testcun/ledger/{entry.number}/voucher")
    assert served.mimetype == "image/png" and hashlib.sha256(served.data).hexdigest() == entry.voucher_sha256


@pytest.mark.parametrize("name, content, message", [
    ("签收单.pdf", "这不是 PDF，只是改了名字的文本文件".encode(), "只能上传 PDF、JPG 或 PNG 文件"),
    ("签收单.pdf", b"%PDF-" + b"0" * MAX_FILE_BYTES, "文件不能超过 10 MB"),
])
def test_a_voucher_of_the_wrong_type_or_too_big_is_refused_next_to_its_field(client, backend, people, name,
                                                                            content, message):
    entrust(backend)
    login(client, "cun-staff")
    for action in ("save", "submit"):
        response = client.post(PAY_URL, data=_pay_form(backend, (name, content), action=action),
                               content_type="multipart/form-data")
        assert response.status_code == 400 and message in field_error(response.get_data(as_text=True), "voucher")
    assert _nothing_booked(backend)


def test_a_nul_byte_in_the_pay_form_is_refused_with_a_message_naming_its_field(client, backend, people):
    entrust(backend)
    login(client, "cun-staff")
    for field, value in (("approved_by", "村委会\x00主任"), ("year", "20\x0025")):
        response = client.post(PAY_URL, data=_pay_form(backend, ("签收单.pdf", PDF), **{field: value}),
                               content_type="multipart/form-data")
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and f"“{field}”中含有空字符" in page, page
    assert _nothing_booked(backend)


def test_the_pay_form_is_for_the_villages_staff_only(client, backend, people):
    entrust(backend)
    data = _pay_form(backend, ("签收单.pdf", PDF))
    assert client.get(PAY_URL).status_code == 302  # to the login page
    login(client, "cun-committee")
    assert client.get(PAY_URL).status_code == 403
    assert client.post(PAY_URL, data=data, content_type="multipart/form-data").status_code == 403
    login(client, "other-staff")  # another village's staff: no such entrustment there
    assert client.post(PAY_URL, data=_pay_form(backend, ("签收单.pdf", PDF)),
                       content_type="multipart/form-data").status_code == 404
    assert _nothing_booked(backend)


def test_the_pay_form_needs_a_csrf_token(database_url, tmp_path, backend, people):
    from portal import create_app

    entrust(backend)
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "s", "INSTANCE_PATH": str(tmp_path / "i2")})
    client = app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").get_data(as_text=True))[1]
    client.post("/login", data={"username": "cun-staff", "password": PASSWORD, "csrf_token": token})
    refused = client.post(PAY_URL, data=_pay_form(backend, ("签收单.pdf", PDF)), content_type="multipart/form-data")
    assert refused.status_code == 400
    assert _nothing_booked(backend)
    form = client.get(PAY_URL).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)[1]
    sent = client.post(PAY_URL, data={**_pay_form(backend, ("签收单.pdf", PDF)), "csrf_token": token},
                       content_type="multipart/form-data")
    assert sent.status_code == 302
