"""A contract's stored instalments: written in the audited transaction of every contract write,
read by the arrears, the lists and the village page exactly as deriving them would answer, and
re-derived by `audit verify`, which names a contract whose rows were changed behind its back."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from portal.contracts.arrears import arrears_list
from portal.contracts.derived import instalment_rows, verify_derived
from portal.contracts.ledger import balance
from portal.contracts.models import Contract, ContractStatus, StoredInstalment
from portal.contracts.reads import contract_detail, contracts_listing
from portal.contracts.services import (
    correct_contract,
    create_contract,
    terminate_contract,
    withdraw_contract,
)
from portal.kernel.status import RecordStatus
from portal.receipts.models import Receipt
from portal.receipts.services import ReceiptInput, correct_receipt, record_receipt, withdraw_receipt
from portal.villages.models import Village
from portal.villages.reads import village_overview

from .conftest import DEMO_STAFF, STAFF


def stored(backend, number: str) -> list[dict]:
    """The stored rows of contract `number`, as instalment_rows gives them."""
    with backend.db.read() as session:
        contract = session.scalar(select(Contract).where(Contract.number == number))
        return [{"contract_id": r.contract_id, "seq": r.seq, "village_id": r.village_id,
                 "period_start": r.period_start, "period_end": r.period_end, "due_date": r.due_date,
                 "amount": r.amount, "cumulative": r.cumulative}
                for r in session.scalars(select(StoredInstalment).where(StoredInstalment.contract_id == contract.id)
                                         .order_by(StoredInstalment.seq))]


def derived(backend, number: str) -> list[dict]:
    """What the contract's current terms derive."""
    with backend.db.read() as session:
        contract = session.scalar(select(Contract).where(Contract.number == number))
        return instalment_rows(contract.id, contract.village_id, contract.schedule())


def problems(backend, code: str) -> list[str]:
    with backend.db.read() as session:
        return verify_derived(session, session.scalar(select(Village.id).where(Village.code == code)))


def receipt(number: str, contract: str, amount: str = "5000.00", day: str = "2024-01-10") -> ReceiptInput:
    return ReceiptInput(number=number, amount=amount, received_on=day, payer_name="测试农业有限公司",
                        contract_number=contract)


def test_every_contract_write_rewrites_its_stored_instalments(backend, village, contract_input):
    create_contract(backend, STAFF, village, contract_input())
    rows = stored(backend, "HT-001")
    assert [(r["seq"], r["due_date"], r["amount"], r["cumulative"]) for r in rows] == [
        (k + 1, date(2024 + k, 1, 1), Decimal("5000.00"), Decimal(5000 * (k + 1)).quantize(Decimal("0.01")))
        for k in range(5)]

    corrected = contract_input(rent_rate="600", assets=[("P1", "8.00"), ("P2", None)])
    correct_contract(backend, STAFF, village, "HT-001", corrected, "面积与单价按合同原件更正")
    assert stored(backend, "HT-001") == derived(backend, "HT-001")
    assert stored(backend, "HT-001")[0]["amount"] == Decimal("8100.00")  # 13.5 亩 × 600

    terminate_contract(backend, STAFF, village, "HT-001", "2026-06-30", "承租方退租")
    rows = stored(backend, "HT-001")
    assert [r["seq"] for r in rows] == [1, 2, 3] and rows[-1]["period_end"] == date(2026, 6, 30)
    assert rows == derived(backend, "HT-001")

    withdraw_contract(backend, STAFF, village, "HT-001", "录入错误")
    assert stored(backend, "HT-001") == derived(backend, "HT-001")
    assert problems(backend, village) == []


def test_receipts_change_no_stored_row_yet_move_the_arrears(backend, village, contract_input):
    create_contract(backend, STAFF, village, contract_input())
    create_contract(backend, STAFF, village, contract_input(number="HT-002", assets=[("P2", None)]))
    before = stored(backend, "HT-001"), stored(backend, "HT-002")

    def owing(day: date) -> dict[str, Decimal]:
        with backend.db.read() as session:
            village_id = session.scalar(select(Contract.village_id).limit(1))
            return {row.contract.number: row.balance.arrears for row in arrears_list(session, village_id, day)}

    record_receipt(backend, STAFF, village, receipt("R1", "HT-001"))
    assert owing(date(2024, 6, 1)) == {"HT-002": Decimal("2750.00")}
    correct_receipt(backend, STAFF, village, "R1", receipt("R1", "HT-002"), "记错了合同")  # moved
    assert owing(date(2024, 6, 1)) == {"HT-001": Decimal("5000.00")}
    withdraw_receipt(backend, STAFF, village, "R1", "重复录入")
    assert owing(date(2024, 6, 1)) == {"HT-001": Decimal("5000.00"), "HT-002": Decimal("2750.00")}
    assert (stored(backend, "HT-001"), stored(backend, "HT-002")) == before
    assert problems(backend, village) == []


def _ledger(session, village_id: int, day: date) -> dict[str, tuple]:
    """Every contract's standing on `day` as deriving it from the terms answers (the old way)."""
    payments: dict[int, list] = {}
    for contract_id, received_on, amount in session.execute(select(
            Receipt.contract_id, Receipt.received_on, Receipt.amount).where(Receipt.status == RecordStatus.ACTIVE)):
        payments.setdefault(contract_id, []).append((received_on, amount))
    standings = {}
    for contract in session.scalars(select(Contract).where(Contract.village_id == village_id)):
        if contract.status is ContractStatus.WITHDRAWN:
            continue
        b = balance(contract.schedule(), payments.get(contract.id, []), day)
        unpaid = [s.instalment.due_date for s in b.instalments if s.outstanding and s.instalment.due_date <= day]
        standings[contract.number] = (b.due, b.paid, b.arrears, b.days_overdue, unpaid[0] if unpaid else None)
    return standings


def test_the_stored_rows_answer_what_deriving_answers_on_every_day(backend, demo):
    # Edge cases on top of the demo: a receipt dated in the future (it counts only from its day),
    # a receipt moved to another contract, a terminated and a withdrawn contract.
    record_receipt(backend, DEMO_STAFF, demo, receipt("SK-FUT-1", "LB-HT-2016-003", "5000.00", "2027-02-01"))
    record_receipt(backend, DEMO_STAFF, demo, receipt("SK-MOV-1", "LB-HT-2016-009", "700.00", "2022-03-01"))
    correct_receipt(backend, DEMO_STAFF, demo, "SK-MOV-1", receipt("SK-MOV-1", "LB-HT-2016-017", "700.00",
                                                                   "2022-03-01"), "记错了合同")
    terminate_contract(backend, DEMO_STAFF, demo, "LB-LZ-2024-004", "2026-06-30", "承租方退租")
    withdraw_contract(backend, DEMO_STAFF, demo, "LB-HT-2016-005", "录入错误")
    days = [date(2015, 12, 31) + timedelta(days=97 * k) for k in range(60)]
    days += [date(2021, 1, 1), date(2024, 1, 1), date(2027, 2, 1), date(2027, 1, 31)]  # due and receipt days
    with backend.db.read() as session:
        village_id = session.scalar(select(Contract.village_id).limit(1))
        for day in days:
            expected = _ledger(session, village_id, day)
            owing = {number: s for number, s in expected.items() if s[2] > 0}
            found = {row.contract.number: (row.balance.due, row.balance.paid, row.balance.arrears,
                                           row.balance.days_overdue, row.balance.oldest_due_date)
                     for row in arrears_list(session, village_id, day)}
            assert found == owing, day
            assert verify_derived(session, village_id) == []
    for day in (date(2021, 1, 1), date(2026, 11, 23), date(2027, 2, 1)):
        expected = _ledger_arrears(backend, village_id, day)
        rows = contracts_listing(backend, demo, day).rows
        assert {r["number"]: Decimal(r["arrears"]) for r in rows} == expected, day
        overview = village_overview(backend, demo, day)
        assert overview.arrears_total == sum(expected.values())
        assert overview.arrears_count == sum(1 for a in expected.values() if a)
    detail = contract_detail(backend, demo, "LB-HT-2016-003", date(2026, 11, 23))
    with backend.db.read() as session:
        contract = session.scalar(select(Contract).where(Contract.number == "LB-HT-2016-003"))
        active = [(r.received_on, r.amount) for r in detail.receipts if r.status is RecordStatus.ACTIVE]
        assert detail.balance == balance(contract.schedule(), active, date(2026, 11, 23))


def _ledger_arrears(backend, village_id: int, day: date) -> dict[str, Decimal]:
    """Arrears of every contract (withdrawn ones owe nothing) as deriving answers."""
    with backend.db.read() as session:
        standings = _ledger(session, village_id, day)
        numbers = session.scalars(select(Contract.number).where(Contract.village_id == village_id)).all()
    return {n: standings[n][2] if n in standings else Decimal("0.00") for n in numbers}


@pytest.mark.parametrize("tampering, words", [
    ("UPDATE instalment SET amount = amount + 1 WHERE contract_id = :id AND seq = 2", "第 2 期与按合同条款重算的不一致"),
    ("UPDATE instalment SET due_date = period_end WHERE contract_id = :id AND seq = 1", "第 1 期与按合同条款重算的不一致"),
    ("DELETE FROM instalment WHERE contract_id = :id AND seq = 3", "缺少第 3 期"),
    ("INSERT INTO instalment SELECT contract_id, 99, village_id, period_start, period_end, due_date, amount, "
     "cumulative FROM instalment WHERE contract_id = :id AND seq = 1", "多出第 99 期"),
])
def test_audit_verify_names_a_contract_whose_instalments_were_changed_directly(runner, backend, demo,
                                                                               tampering, words):
    assert runner.invoke(args=["audit", "verify", "--village", demo]).exit_code == 0
    with backend.db.engine.begin() as conn:
        contract_id = conn.execute(text("SELECT id FROM contract WHERE number = 'LB-HT-2016-003'")).scalar_one()
        conn.execute(text(tampering), {"id": contract_id})

    result = runner.invoke(args=["audit", "verify", "--village", demo])
    assert result.exit_code == 1
    assert f"合同 LB-HT-2016-003：存储的缴款计划{words}" in result.output
    assert "Traceback" not in result.output
