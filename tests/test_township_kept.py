"""The township table's counted figures kept per village (portal/township/kept.py), on SQLite
and PostgreSQL: used while the village's log and the day are unchanged, counted again — only
that village — when either changes, never refusing a reader when they cannot be stored."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import OperationalError

from portal.contracts.arrears import arrears_list
from portal.contracts.models import Contract, StoredInstalment
from portal.contracts.services import withdraw_contract
from portal.kernel.status import RecordStatus
from portal.receipts.models import Receipt
from portal.receipts.services import ReceiptInput, record_receipt
from portal.township import figures, kept, reads
from portal.township.models import KeptFigures
from portal.villages.models import Village
from portal.villages.services import VillageInput, create_village
from portal.kernel.transaction import SYSTEM

from .conftest import DEMO_STAFF


def kept_rows(backend) -> dict[str, KeptFigures]:
    with backend.db.read() as session:
        return {code: row for code, row in session.execute(
            select(Village.code, KeptFigures).join(KeptFigures, KeptFigures.village_id == Village.id))}


def lianban(backend) -> figures.VillageFigures:
    return next(r for r in reads.township_figures(backend, "lianhua", "code").rows if r.code == "lianban")


def fake_arrears(backend, fen: int) -> None:
    """Writes a kept figure directly, so that a page showing it proves the kept row was used."""
    with backend.db.write("_test") as session:
        village_id = session.scalars(select(Village.id).where(Village.code == "lianban")).one()
        session.execute(update(KeptFigures).where(KeptFigures.village_id == village_id).values(arrears=fen))


def test_a_village_is_counted_once_then_its_kept_row_is_read_until_its_log_grows(backend, demo):
    first = lianban(backend)
    row = kept_rows(backend)["lianban"]
    with backend.db.read() as session:
        size = session.execute(text("SELECT size FROM audit_head WHERE log = 'lianban'")).scalar_one()
    assert (row.log_size, row.as_of, row.formula) == (size, backend.today(), kept.FORMULA)
    assert Decimal(row.arrears).scaleb(-2) == first.arrears > 0

    fake_arrears(backend, 123)
    assert lianban(backend).arrears == Decimal("1.23")  # the kept row, not a new count

    with backend.db.read() as session:
        village_id = session.scalars(select(Village.id).where(Village.code == "lianban")).one()
        owing = arrears_list(session, village_id, backend.today())[0]
    record_receipt(backend, DEMO_STAFF, "lianban", ReceiptInput(
        number="SK-KEPT-1", amount="1.00", received_on=backend.today(), payer_name="测试付款人",
        contract_number=owing.contract.number))
    after = lianban(backend)  # the log grew: counted again, from the records
    assert after.arrears == first.arrears - Decimal("1.00")
    assert after.received == first.received + Decimal("1.00")
    assert kept_rows(backend)["lianban"].log_size == size + 1


def test_only_the_villages_whose_log_grew_are_counted_again(backend, demo):
    create_village(backend, SYSTEM, VillageInput(code="xincun", name="新村", township="莲花镇（演示）"))
    reads.township_figures(backend, "lianhua", "code")
    before = kept_rows(backend)
    assert {"lianban", "xincun"} <= set(before)
    create_village(backend, SYSTEM, VillageInput(code="xincun2", name="新二村", township="莲花镇（演示）"))
    with backend.db.read() as session:
        villages = list(session.scalars(select(Village).where(Village.code.in_(["lianban", "xincun", "xincun2"]))))
        _found, fresh = kept.counted(session, villages, backend.today())
    assert [r.village_id for r in fresh] == [v.id for v in villages if v.code == "xincun2"]


def test_a_new_day_or_a_new_formula_counts_again(backend, demo):
    lianban(backend)
    fake_arrears(backend, 123)
    assert lianban(backend).arrears == Decimal("1.23")
    now = backend.clock()
    backend.clock = lambda: now + timedelta(days=1)
    assert lianban(backend).arrears != Decimal("1.23")
    assert kept_rows(backend)["lianban"].as_of == backend.today()

    fake_arrears(backend, 123)
    assert lianban(backend).arrears == Decimal("1.23")
    kept_formula = kept.FORMULA
    try:
        kept.FORMULA = kept_formula + 1
        assert lianban(backend).arrears != Decimal("1.23")
    finally:
        kept.FORMULA = kept_formula


def test_kept_figures_are_the_counted_ones(backend, demo):
    """Read back from their rows, the figures equal a fresh count of the same records."""
    reads.township_figures(backend, None, "code")
    with backend.db.read() as session:
        villages = list(session.scalars(select(Village)))
        found, fresh = kept.counted(session, villages, backend.today())
        assert fresh == []
        assert found == figures.count(session, [v.id for v in villages], backend.today())


def this_years_rent(session, number: str, today) -> tuple[int, int]:
    """A contract's rent due this year up to `today` and its receipts in that time, in fen."""
    contract = session.scalars(select(Contract).where(Contract.number == number)).one()
    start = today.replace(month=1, day=1)
    due = session.scalar(select(func.sum(StoredInstalment.amount)).where(
        StoredInstalment.contract_id == contract.id, StoredInstalment.due_date >= start,
        StoredInstalment.due_date <= today)) or 0
    received = session.scalar(select(func.sum(Receipt.amount)).where(
        Receipt.contract_id == contract.id, Receipt.status == RecordStatus.ACTIVE, Receipt.received_on >= start,
        Receipt.received_on <= today)) or 0
    return int(due * 100), int(received * 100)


def test_a_few_villages_are_counted_as_all_of_them_are(backend, demo, monkeypatch):
    """A few villages' receipts are found by village and summed without matching their contracts
    first; all villages' through their contracts. Both count the same with a receipt of a
    withdrawn contract, one of no contract and one dated after today; a withdrawn contract's
    rent and money count for nothing, a receipt of no contract or of a later day adds nothing."""
    def staff_receipt(number: str, contract: str, amount: str, day: str) -> None:
        record_receipt(backend, DEMO_STAFF, demo, ReceiptInput(
            number=number, amount=amount, received_on=day, payer_name="测试付款人", contract_number=contract))

    with backend.db.read() as session:
        ids = list(session.scalars(select(Village.id)))
        before = figures.count(session, ids, backend.today())
        withdrawn_due, withdrawn_received = this_years_rent(session, "LB-HT-2016-016", backend.today())
    staff_receipt("SK-NONE-1", "", "900.00", "2026-03-01")
    staff_receipt("SK-LATE-1", "LB-HT-2016-003", "5000.00", (backend.today() + timedelta(days=3)).isoformat())
    staff_receipt("SK-WD-1", "LB-HT-2016-016", "800.00", "2026-03-01")
    withdraw_contract(backend, DEMO_STAFF, demo, "LB-HT-2016-016", "录入错误")
    with backend.db.read() as session:
        by_village = figures.count(session, ids, backend.today())
        monkeypatch.setattr(figures, "FEW_VILLAGES", 0)
        by_contract = figures.count(session, ids, backend.today())
    assert by_village == by_contract
    changed = [i for i in ids if by_village[i] != before[i]]
    assert len(changed) == 1
    assert by_village[changed[0]].due == before[changed[0]].due - withdrawn_due  # its rent left the figures
    assert by_village[changed[0]].received == before[changed[0]].received - withdrawn_received  # so did its money


def test_the_page_is_served_when_the_figures_cannot_be_kept(app, backend, demo, caplog, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise OperationalError("INSERT", {}, Exception("database is read-only"))

    officer = app.test_client()
    assert officer.post("/login", data={"username": "demo-township", "password": "demo-2026"}).status_code == 302
    monkeypatch.setattr(backend.db, "write", refuse)
    with caplog.at_level(logging.WARNING, logger="portal.township.kept"):
        page = officer.get("/township/")
    assert page.status_code == 200 and "莲坂村" in page.get_data(as_text=True)
    assert "not kept" in caplog.text
    assert kept_rows(backend) == {}


def test_the_nightly_command_counts_every_village_once_a_day(app, backend, demo):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["township", "count-figures"])
    assert first.exit_code == 0, first.output
    with backend.db.read() as session:
        villages = session.scalars(select(Village.code)).all()
    assert f"已为 {len(villages)} 个村" in first.output
    assert set(kept_rows(backend)) == set(villages)
    again = runner.invoke(args=["township", "count-figures"])
    assert again.exit_code == 0 and "已为 0 个村" in again.output


def test_counting_happens_after_the_log_sizes_are_read(backend, demo, monkeypatch):
    """A write landing between reading the sizes and counting must make the kept row look older
    than its figures (counted again next time), never newer."""
    real_count = figures.count
    grew = []

    def count_after_a_write(session, ids, today):
        if not grew:
            grew.append(True)
            with backend.db.read() as other:
                village_id = other.scalars(select(Village.id).where(Village.code == "lianban")).one()
                owing = arrears_list(other, village_id, today)[0]
            record_receipt(backend, DEMO_STAFF, "lianban", ReceiptInput(
                number="SK-KEPT-2", amount="1.00", received_on=today, payer_name="测试付款人",
                contract_number=owing.contract.number))
        return real_count(session, ids, today)

    monkeypatch.setattr(kept, "count", count_after_a_write)
    lianban(backend)
    with backend.db.read() as session:
        size = session.execute(text("SELECT size FROM audit_head WHERE log = 'lianban'")).scalar_one()
    assert kept_rows(backend)["lianban"].log_size < size
    monkeypatch.setattr(kept, "count", real_count)
    with backend.db.read() as session:
        villages = list(session.scalars(select(Village).where(Village.code == "lianban")))
        _found, fresh = kept.counted(session, villages, backend.today())
    assert len(fresh) == 1  # counted again
