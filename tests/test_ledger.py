"""The ledger: funds take their share by rule when income is booked, receipts are booked once,
expenses out of a fund are bounded by its balance, persons are masked, bad input changes nothing."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.kernel.errors import PermissionDenied, ValidationError
from portal.kernel.transaction import Actor
from portal.ledger.models import LedgerEntry
from portal.ledger.services import EntryInput, FundInput, book_entry, correct_entry, create_fund, withdraw_entry
from portal.receipts.services import ReceiptInput, record_receipt

from portal.kernel.privacy import carries_personal_number

from .conftest import DATABASES, STAFF
from .money_helpers import meeting
from .test_notices_plans import _packed, _payloads, _tags, assert_inert

pytestmark = pytest.mark.parametrize("database_url", DATABASES, indirect=True)


def funds(backend):
    create_fund(backend, STAFF, "testcun", FundInput("JJ-001", "小公维金", "property_fee", "0.1", "0.8", "小区公共维修"))
    create_fund(backend, STAFF, "testcun", FundInput("JJ-002", "发展基金", "joint", "10", "100"))


def entry(backend, number="ZJ-001", **changes):
    values: dict = dict(number=number, booked_on=(backend.today() - timedelta(days=3)).isoformat(), direction="income",
                        category="property_fee", amount="8000.00", counterparty="某某物业管理有限公司")
    values.update(changes)
    return book_entry(backend, STAFF, "testcun", EntryInput(**values))


def test_fund_rules_take_their_share_when_income_is_booked(backend, village):
    funds(backend)
    booked = entry(backend)
    assert booked.fund_shares == [{"fund": "JJ-001", "name": "小公维金", "amount": "1000.00"}]
    joint = entry(backend, "ZJ-002", category="joint", amount="12345.67", counterparty="联营公司")
    assert joint.fund_shares == [{"fund": "JJ-002", "name": "发展基金", "amount": "1234.57"}]  # half up to the fen
    assert entry(backend, "ZJ-003", category="subsidy", amount="500").fund_shares == []


def test_expense_out_of_a_fund_is_bounded_by_its_balance(backend, village, client):
    funds(backend)
    entry(backend)
    entry(backend, "ZJ-002", direction="expense", category="maintenance", amount="600", fund_number="JJ-001",
          counterparty="水电维修部")
    with pytest.raises(ValidationError) as refused:
        entry(backend, "ZJ-003", direction="expense", category="maintenance", amount="400.01", fund_number="JJ-001",
              counterparty="水电维修部")
    assert "余额不足" in refused.value.errors["amount"]
    page = client.get("/v/testcun/ledger/funds/JJ-001").get_data(as_text=True)
    assert "¥400.00" in page and "¥1,000.00" in page and "¥600.00" in page
    with pytest.raises(ValidationError) as refused:  # paid before the share it would spend was taken
        entry(backend, "ZJ-005", direction="expense", category="maintenance", amount="1", fund_number="JJ-001",
              counterparty="水电维修部", booked_on=(backend.today() - timedelta(days=30)).isoformat())
    assert "当天余额" in refused.value.errors["amount"]
    with pytest.raises(ValidationError) as refused:
        entry(backend, "ZJ-004", fund_number="JJ-001")
    assert "自动提取" in refused.value.errors["fund_number"]


def test_withdrawn_income_no_longer_counts_for_a_fund(backend, village, client):
    funds(backend)
    entry(backend)
    withdraw_entry(backend, STAFF, "testcun", "ZJ-001", "重复记账")
    with pytest.raises(ValidationError):
        entry(backend, "ZJ-002", direction="expense", category="maintenance", amount="1", fund_number="JJ-001",
              counterparty="维修部")


def test_correction_reapplies_the_rule_to_the_corrected_amount(backend, village):
    funds(backend)
    entry(backend)
    fixed = correct_entry(backend, STAFF, "testcun", "ZJ-001", EntryInput(
        number="ZJ-001", booked_on=(backend.today() - timedelta(days=3)).isoformat(), direction="income",
        category="property_fee", amount="1600", counterparty="某某物业管理有限公司"), "金额录错")
    assert fixed.fund_shares[0]["amount"] == "200.00" and fixed.version == 2


def test_a_receipt_is_booked_once_with_its_own_amount_and_payer(backend, village):
    record_receipt(backend, STAFF, "testcun", ReceiptInput(
        number="SK-1", amount="5000", received_on=backend.today() - timedelta(days=2), payer_name="测试农业有限公司"))
    booked = entry(backend, category="rent", amount="", booked_on="", counterparty="", receipt_number="SK-1")
    assert (booked.amount, booked.counterparty) == (Decimal("5000.00"), "测试农业有限公司")
    with pytest.raises(ValidationError) as refused:
        entry(backend, "ZJ-002", category="rent", amount="", booked_on="", counterparty="", receipt_number="SK-1")
    assert "不能重复记账" in refused.value.errors["receipt_number"]
    with pytest.raises(ValidationError) as refused:
        entry(backend, "ZJ-003", category="rent", amount="4000", receipt_number="SK-1")
    assert "与收据 SK-1 不符" in refused.value.errors["amount"]


def test_person_is_masked_on_pages_and_downloads(backend, village, client):
    entry(backend, direction="expense", category="transfer_rent", amount="1500", counterparty="陈建国",
          counterparty_is_person="on", note="2026 年土地流转租金")
    for path in ("/v/testcun/ledger", "/v/testcun/ledger.csv", "/v/testcun/ledger.json", "/v/testcun/ledger.xlsx",
                 "/v/testcun/ledger/ZJ-001"):
        body = client.get(path).get_data()
        assert "陈建国".encode() not in body, path
    assert "陈*国" in client.get("/v/testcun/ledger").get_data(as_text=True)


def test_ledger_page_sums_a_year(backend, village, client):
    meeting(backend)
    entry(backend, meeting_number="HY-001")
    entry(backend, "ZJ-002", direction="expense", category="admin", amount="300.50", counterparty="文具店",
          approved_by="村委会主任")
    year = (backend.today() - timedelta(days=3)).year
    page = client.get(f"/v/testcun/ledger?year={year}").get_data(as_text=True)
    assert "¥8,000.00" in page and "¥300.50" in page and "¥7,699.50" in page
    assert client.get("/v/testcun/ledger?year=1999").status_code == 400
    assert "HY-001" in client.get("/v/testcun/ledger/ZJ-001").get_data(as_text=True)


@pytest.mark.parametrize("field, value, message", [
    ("amount", "-1", "不能为负数"), ("amount", "1.001", "精确到分"), ("amount", "abc", "不是有效的金额"),
    ("amount", "NaN", "不是有效的金额"), ("amount", "1e5", "不是有效的金额"),
    ("category", "dividend", "不是收入科目"), ("booked_on", "2026-13-01", "不是有效日期"),
    ("counterparty", "x" * 101, "不能超过 100"), ("note", "联系 13812345678", "手机号"),
    ("counterparty", "某\x00公司", "控制字符"), ("direction", "sideways", "不在可选范围"),
])
def test_bad_input_gets_a_message_and_changes_nothing(backend, village, field, value, message):
    with pytest.raises(ValidationError) as refused:
        entry(backend, **{field: value})
    assert message in refused.value.errors[field]
    with backend.db.read() as session:
        assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 0


def test_bad_fund_rule_is_refused(backend, village):
    with pytest.raises(ValidationError) as refused:
        create_fund(backend, STAFF, "testcun", FundInput("JJ-9", "坏规则", "property_fee", "2", "1"))
    assert "不能多于" in refused.value.errors["take"]
    with pytest.raises(ValidationError) as refused:
        create_fund(backend, STAFF, "testcun", FundInput("JJ-9", "坏规则", "lottery", "1", "10"))
    assert "不在可选范围" in refused.value.errors["category"]


def test_wrong_roles_and_other_villages_cannot_book(backend, village):
    for actor in (Actor("o", "staff", village="other"), Actor("c", "committee", village="testcun"),
                  Actor("v", "villager"), Actor("t", "township")):
        with pytest.raises(PermissionDenied):
            book_entry(backend, actor, "testcun", EntryInput(
                number="ZJ-1", booked_on="2026-01-01", direction="income", category="rent", amount="1",
                counterparty="x"))


@pytest.mark.slow
def test_xss_corpus_in_free_text_is_shown_as_text(backend, village, client):
    """Every payload of the corpus goes into an entry's counterparty, source, approver and note."""
    entry(backend, "ZJ-0", note="无害的摘要", counterparty="无害的公司", funding_source="无害", approved_by="无害")
    harmless = _tags(client.get("/v/testcun/ledger/ZJ-0").get_data(as_text=True))
    payloads = [p for p in _payloads() if not carries_personal_number(p)]
    shorts, longs = _packed(payloads, 100, " "), _packed(payloads, 1000, "\n")
    for i, short in enumerate(shorts, start=1):
        note = longs[i - 1] if i <= len(longs) else "无害的摘要"
        try:
            entry(backend, f"ZJ-{i}", note=note, counterparty=short, funding_source=short, approved_by=short)
        except ValidationError as refused:  # a control character: refused, never stored
            assert all("控制字符" in m for m in refused.errors.values()), refused.errors
            continue
        html = client.get(f"/v/testcun/ledger/ZJ-{i}").get_data(as_text=True)
        assert_inert(html, [short, note.replace("\r", "")], harmless)
    listing = client.get("/v/testcun/ledger").get_data(as_text=True).lower()
    assert "<img" not in listing and "<svg" not in listing and listing.count("<script") == listing.count('<script src="/static/')


def test_audit_verify_finds_every_row_equal_to_its_log_entry(backend, village, runner):
    funds(backend)
    entry(backend)
    entry(backend, "ZJ-002", direction="expense", category="maintenance", amount="100", fund_number="JJ-001",
          counterparty="维修部")
    withdraw_entry(backend, STAFF, "testcun", "ZJ-002", "录错")
    verify = runner.invoke(args=["audit", "verify", "--village", "testcun"])
    assert verify.exit_code == 0, verify.output
