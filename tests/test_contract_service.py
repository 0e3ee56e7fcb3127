"""Contracts through the audited service layer, on SQLite and PostgreSQL."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.auditlog import store as audit_log
from portal.auditlog.models import AuditEntry, PrivateRecord
from portal.contracts.models import Contract, ContractStatus
from portal.contracts.services import (
    correct_contract,
    create_contract,
    terminate_contract,
    withdraw_contract,
)
from portal.kernel.errors import ValidationError

from .conftest import STAFF


def counts(backend):
    with backend.db.read() as session:
        return (session.scalar(select(func.count()).select_from(Contract)),
                session.scalar(select(func.count()).select_from(AuditEntry)))


def entries(backend, log="testcun"):
    with backend.db.read() as session:
        return [json.loads(line) for line in audit_log.iter_lines(session, log)]


def test_create_writes_the_row_and_its_entry_together(backend, village, contract_input):
    before = counts(backend)
    contract = create_contract(backend, STAFF, village, contract_input())
    assert counts(backend) == (before[0] + 1, before[1] + 1)
    entry = entries(backend)[-1]
    assert entry["action"] == "contract.create"
    assert entry["entity"] == "contract" and entry["entity_id"] == str(contract.id)
    assert entry["version"] == 1 and entry["actor"] == "staff:test-staff"
    assert entry["data"]["number"] == "HT-001"
    assert entry["data"]["schedule"][0] == {"seq": 1, "period_start": "2024-01-01", "period_end": "2024-12-31",
                                            "due_date": "2024-01-01", "amount": "5000.00"}


def test_a_person_lessee_is_only_committed_to_never_published(backend, village, contract_input):
    create_contract(backend, STAFF, village, contract_input(
        lessee_kind="person", lessee_name="王秀英", lessee_id_number="35059919650312001X",
        lessee_phone="13912345678"))
    with backend.db.read() as session:
        line = session.scalars(select(AuditEntry.line).order_by(AuditEntry.id.desc())).first()
        private = session.scalars(select(PrivateRecord)).all()
    assert "王秀英" not in line and "13912345678" not in line and "35059919650312001X" not in line
    entry = json.loads(line)
    assert entry["data"]["lessee"]["name"] == "王*英"
    assert entry["data"]["lessee"]["id_number"] == "3505**********001X"
    assert len(entry["private"]) == 64
    assert len(private) == 1 and "王秀英" in private[0].personal


@pytest.mark.parametrize("changes, field", [
    (dict(rent_rate="-5"), "rent_rate"),
    (dict(rent_rate="abc"), "rent_rate"),
    (dict(rent_rate="1.234"), "rent_rate"),
    (dict(end_date="2023-01-01"), "end_date"),
    (dict(start_date="2024-02-30"), "start_date"),
    (dict(assets=[("P9", None)]), "assets"),
    (dict(assets=[("P1", "0")]), "assets"),
    (dict(assets=[("P1", "11")]), "assets"),
    (dict(assets=[]), "assets"),
    (dict(title="长" * 201), "title"),
    (dict(number=""), "number"),
    (dict(rent_unit="m2_month"), "rent_unit"),
    (dict(lessee_kind="person", lessee_name="王五", lessee_id_number="123"), "lessee_id_number"),
    (dict(lessee_phone="12345"), "lessee_phone"),
    (dict(payment_interval_months="5"), "payment_interval_months"),
    (dict(escalation_percent="5", escalation_every_years="0"), "escalation_every_years"),
])
def test_bad_input_is_refused_with_a_message_and_writes_nothing(backend, village, contract_input, changes, field):
    before = counts(backend)
    with pytest.raises(ValidationError) as refused:
        create_contract(backend, STAFF, village, contract_input(**changes))
    assert field in refused.value.errors
    assert refused.value.errors[field]
    assert counts(backend) == before


def test_duplicate_contract_number_is_refused(backend, village, contract_input):
    create_contract(backend, STAFF, village, contract_input())
    before = counts(backend)
    with pytest.raises(ValidationError) as refused:
        create_contract(backend, STAFF, village, contract_input(assets=[("P2", None)]))
    assert "已存在" in refused.value.errors["number"]
    assert counts(backend) == before


def test_overlapping_lease_of_the_same_parcel_is_refused(backend, village, contract_input):
    create_contract(backend, STAFF, village, contract_input())
    with pytest.raises(ValidationError) as refused:
        create_contract(backend, STAFF, village, contract_input(number="HT-002", start_date="2028-06-01",
                                                                end_date="2030-12-31"))
    assert "HT-001" in refused.value.errors["assets"]


def test_correction_needs_a_reason_and_makes_a_new_version(backend, village, contract_input):
    create_contract(backend, STAFF, village, contract_input())
    with pytest.raises(ValidationError) as refused:
        correct_contract(backend, STAFF, village, "HT-001", contract_input(rent_rate="550"), "  ")
    assert "reason" in refused.value.errors
    corrected = correct_contract(backend, STAFF, village, "HT-001", contract_input(rent_rate="550"),
                                 "单价录入错误，按合同原件更正")
    assert corrected.version == 2 and corrected.rent_rate == Decimal("550.00")
    last = entries(backend)[-1]
    assert last["action"] == "contract.correct" and last["version"] == 2
    assert last["reason"] == "单价录入错误，按合同原件更正"
    assert last["data"]["rent"]["rate"] == "550.00"


def test_a_correction_that_changes_nothing_is_refused(backend, village, contract_input):
    create_contract(backend, STAFF, village, contract_input())
    with pytest.raises(ValidationError):
        correct_contract(backend, STAFF, village, "HT-001", contract_input(), "无改动")


def test_withdrawn_contract_stays_listed_as_withdrawn(backend, village, contract_input):
    create_contract(backend, STAFF, village, contract_input())
    withdraw_contract(backend, STAFF, village, "HT-001", "重复录入")
    with backend.db.read() as session:
        contract = session.scalar(select(Contract))
    assert contract.status is ContractStatus.WITHDRAWN and contract.version == 2
    assert entries(backend)[-1]["data"]["status"] == "withdrawn"


def test_terminating_early_cuts_the_schedule(backend, village, contract_input):
    create_contract(backend, STAFF, village, contract_input())
    contract = terminate_contract(backend, STAFF, village, "HT-001", "2025-12-31", "承租方经营困难，双方协商解除")
    assert contract.status is ContractStatus.TERMINATED
    assert [i["due_date"] for i in entries(backend)[-1]["data"]["schedule"]] == ["2024-01-01", "2025-01-01"]


def test_a_crash_between_row_write_and_audit_append_leaves_neither(backend, village, contract_input, monkeypatch):
    before = counts(backend)

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(audit_log, "append", crash)
    with pytest.raises(RuntimeError):
        create_contract(backend, STAFF, village, contract_input())
    monkeypatch.undo()
    assert counts(backend) == before
    create_contract(backend, STAFF, village, contract_input())  # and the log goes on cleanly
    assert counts(backend) == (before[0] + 1, before[1] + 1)


def test_a_crash_after_the_append_before_commit_leaves_neither(backend, village, contract_input, monkeypatch):
    before = counts(backend)
    real_append = audit_log.append

    def append_then_crash(*args, **kwargs):
        real_append(*args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit_log, "append", append_then_crash)
    with pytest.raises(RuntimeError):
        create_contract(backend, STAFF, village, contract_input())
    assert counts(backend) == before
    with backend.db.read() as session:
        assert audit_log.head(session, village).size == before[1]
