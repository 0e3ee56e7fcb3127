"""对账: each kind of mismatch between receipts, contract schedules, ledger income and the dividend
pool is made through the services and seen flagged; staff and the committee see the page, the
public ledger page says how many there are."""
from __future__ import annotations

from datetime import date

import pytest

from portal.accounts.models import Role
from portal.accounts.services import UserInput, create_user
from portal.contracts.services import create_contract
from portal.kernel.transaction import SYSTEM
from portal.ledger.services import EntryInput, book_entry
from portal.receipts.services import ReceiptInput, correct_receipt, record_receipt, withdraw_receipt
from portal.reconciliation.reads import reconcile

from .conftest import DATABASES, STAFF
from .money_helpers import meeting, plan
from .people import cheap_hashes  # noqa: F401  (fixture)

pytestmark = pytest.mark.parametrize("database_url", DATABASES, indirect=True)
YEAR = 2026


def receipt(backend, number, amount="5000.00", day=f"{YEAR}-01-05"):
    return record_receipt(backend, STAFF, "testcun", ReceiptInput(
        number=number, amount=amount, received_on=day, payer_name="测试农业有限公司", contract_number="HT-001"))


def booked(backend, number, receipt_number="", **changes):
    values: dict = dict(number=number, booked_on="", direction="income", category="rent", amount="",
                        counterparty="", receipt_number=receipt_number)
    values.update(changes)
    return book_entry(backend, STAFF, "testcun", EntryInput(**values))


@pytest.fixture
def lease(backend, village, contract_input):
    """HT-001: 10 亩 at 500 元/亩/年 from 2024, due each 1 January: 15,000 due by the end of 2026."""
    create_contract(backend, STAFF, "testcun", contract_input(start_date="2024-01-01", end_date="2028-12-31"))
    receipt(backend, "SK-001")
    booked(backend, "ZJ-001", "SK-001")
    return "HT-001"


def kinds(backend, year=YEAR):
    return [(p.kind, p.number) for p in reconcile(backend, "testcun", year).problems]


def test_receipts_booked_as_they_are_show_no_mismatch(backend, lease):
    result = reconcile(backend, "testcun", YEAR)
    assert result.problems == [] and result.received == result.booked_rent == 5000
    assert result.due == 5000 and result.distributable == 5000


def test_a_receipt_not_in_the_ledger_is_flagged(backend, lease):
    receipt(backend, "SK-002", "1000.00", f"{YEAR}-02-01")
    assert kinds(backend) == [("unbooked_receipt", "SK-002")]


def test_rent_income_without_a_receipt_is_flagged(backend, lease):
    booked(backend, "ZJ-002", amount="800.00", counterparty="某公司", booked_on=f"{YEAR}-03-01")
    assert kinds(backend) == [("income_without_receipt", "ZJ-002")]


def test_a_receipt_corrected_after_booking_differs_from_its_entry(backend, lease):
    correct_receipt(backend, STAFF, "testcun", "SK-001", ReceiptInput(
        number="SK-001", amount="4500.00", received_on=f"{YEAR}-01-05", payer_name="测试农业有限公司",
        contract_number="HT-001"), "金额录错")
    problems = reconcile(backend, "testcun", YEAR).problems
    assert [(p.kind, p.number, p.other, p.expected, p.found) for p in problems] == [
        ("amount_differs", "ZJ-001", "SK-001", 4500, 5000)]


def test_a_withdrawn_receipt_still_booked_is_flagged(backend, lease):
    withdraw_receipt(backend, STAFF, "testcun", "SK-001", "重复录入")
    assert kinds(backend) == [("receipt_withdrawn", "ZJ-001")]


def test_receipts_beyond_the_schedule_are_flagged(backend, lease):
    receipt(backend, "SK-002", "11000.00", f"{YEAR}-06-01")
    booked(backend, "ZJ-002", "SK-002")
    problems = reconcile(backend, "testcun", YEAR).problems
    assert [(p.kind, p.number, p.expected, p.found) for p in problems] == [("over_schedule", "HT-001", 15000, 16000)]


def test_a_dividend_pool_above_distributable_income_is_flagged(backend, lease):
    booked(backend, "ZJ-002", direction="expense", category="transfer_rent", amount="1500.00",
           counterparty="农户甲", booked_on=f"{YEAR}-02-01")
    meeting(backend)
    plan(backend, total="3500.00")
    assert reconcile(backend, "testcun", YEAR).distributable == 3500 and kinds(backend) == []
    plan(backend, total="3500.01", number="FH-2026-B", year="2026")
    assert kinds(backend) == []  # the first plan of the year is the one compared
    assert reconcile(backend, "testcun", YEAR).dividend == 3500


def test_pool_exceeding_is_named_with_both_amounts(backend, lease):
    meeting(backend)
    plan(backend, total="6000.00")
    problems = reconcile(backend, "testcun", YEAR).problems
    assert [(p.kind, p.number, p.expected, p.found) for p in problems] == [("pool_exceeds", "FH-2026", 5000, 6000)]


def test_years_before_the_ledger_was_kept_do_not_flag_their_receipts(backend, lease):
    receipt(backend, "SK-000", "5000.00", "2025-01-03")
    assert kinds(backend, 2025) == []


def test_staff_and_committee_see_the_page_and_the_public_a_line(app, backend, lease, client, auth, cheap_hashes):  # noqa: F811
    receipt(backend, "SK-002", "1000.00", f"{YEAR}-02-01")
    for name, role in (("cun-staff", Role.STAFF), ("cun-committee", Role.COMMITTEE), ("zhen", Role.TOWNSHIP)):
        create_user(backend, SYSTEM, UserInput(name, name, "correct horse battery", role,
                                               None if role is Role.TOWNSHIP else "testcun"))
    assert client.get("/staff/reconciliation").status_code == 302  # to the login page
    public = client.get(f"/v/testcun/ledger?year={YEAR}").get_data(as_text=True)
    assert "1 处不一致" in public and "SK-002" not in public.split("收支明细")[0]
    for name, path in (("cun-staff", "/staff/reconciliation"), ("cun-committee", "/committee/reconciliation")):
        auth.login(name, "correct horse battery")
        page = client.get(f"{path}?year={YEAR}")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert "SK-002" in text and "没有记入资金账" in text and "/v/testcun/receipts/SK-002" in text
        assert client.get("/committee/reconciliation" if name == "cun-staff" else "/staff/reconciliation").status_code == 403
        assert client.get(f"{path}?year=1900").status_code == 400
        auth.logout()
    auth.login("zhen", "correct horse battery")
    assert client.get("/staff/reconciliation").status_code == 403
    assert date.today().year >= YEAR
