"""Receipts (with scans stored by hash) and the asset register, through the audited services."""
from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from portal.auditlog import store as audit_log
from portal.auditlog.files import path_for
from portal.auditlog.models import AuditEntry
from portal.contracts.arrears import arrears_list
from portal.contracts.services import create_contract
from portal.kernel.errors import ValidationError
from portal.kernel.status import RecordStatus
from portal.parcels.models import Asset
from portal.parcels.services import (
    AssetInput,
    correct_asset,
    create_asset,
    withdraw_asset,
)
from portal.receipts.models import Receipt
from portal.receipts.services import (
    ReceiptInput,
    correct_receipt,
    record_receipt,
    withdraw_receipt,
)

from .conftest import STAFF

def _png() -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (8, 4), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


PNG = _png()


def receipt(**changes):
    values = dict(number="SK-1", amount="5000.00", received_on="2024-01-05", payer_name="测试农业有限公司",
                  contract_number="HT-001")
    values.update(changes)
    return ReceiptInput(**values)


def entry_count(backend):
    with backend.db.read() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry))


def test_a_receipt_pays_the_contract_and_clears_its_arrears(backend, village, contract_input):
    create_contract(backend, STAFF, village, contract_input(end_date="2025-12-31"))
    with backend.db.read() as session:
        village_id = session.scalar(select(Asset.village_id))
        assert arrears_list(session, village_id, date(2025, 6, 1))[0].balance.arrears == Decimal("10000.00")
    record_receipt(backend, STAFF, village, receipt())
    record_receipt(backend, STAFF, village, receipt(number="SK-2", received_on="2025-01-03"))
    with backend.db.read() as session:
        assert arrears_list(session, village_id, date(2025, 6, 1)) == []


def test_a_scan_is_stored_under_its_sha256_and_the_hash_is_logged(backend, village, contract_input):
    create_contract(backend, STAFF, village, contract_input())
    stored = record_receipt(backend, STAFF, village, receipt(scan=PNG, scan_name="收据.png"))
    digest = stored.scan_sha256  # of the re-encoded image, the file actually kept
    assert hashlib.sha256(path_for(backend.files_dir, digest).read_bytes()).hexdigest() == digest
    with backend.db.read() as session:
        last = json.loads(list(audit_log.iter_lines(session, village))[-1])
    assert last["data"]["scan_sha256"] == digest


def test_a_scan_that_is_not_pdf_or_image_is_refused(backend, village, contract_input):
    create_contract(backend, STAFF, village, contract_input())
    before = entry_count(backend)
    with pytest.raises(ValidationError) as refused:
        record_receipt(backend, STAFF, village, receipt(scan=b"MZ\x90\x00 a program, not a scan"))
    assert "PDF" in refused.value.errors["scan"]
    assert entry_count(backend) == before


@pytest.mark.parametrize("changes, field", [
    (dict(amount="-1"), "amount"), (dict(amount="0"), "amount"), (dict(amount="十块"), "amount"),
    (dict(received_on="昨天"), "received_on"), (dict(contract_number="NOPE"), "contract_number"),
    (dict(payer_name=""), "payer_name"), (dict(note="x" * 501), "note"),
])
def test_bad_receipts_are_refused_and_write_nothing(backend, village, contract_input, changes, field):
    create_contract(backend, STAFF, village, contract_input())
    before = entry_count(backend)
    with pytest.raises(ValidationError) as refused:
        record_receipt(backend, STAFF, village, receipt(**changes))
    assert field in refused.value.errors
    assert entry_count(backend) == before


def test_receipt_corrections_and_withdrawals_keep_every_version(backend, village, contract_input):
    create_contract(backend, STAFF, village, contract_input())
    record_receipt(backend, STAFF, village, receipt())
    correct_receipt(backend, STAFF, village, "SK-1", receipt(amount="4000.00"), "金额录入错误")
    withdraw_receipt(backend, STAFF, village, "SK-1", "款项已退回")
    with backend.db.read() as session:
        row = session.scalar(select(Receipt))
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.entity == "receipt")
                                  .order_by(AuditEntry.seq)).all()
    assert row.status is RecordStatus.WITHDRAWN and row.version == 3 and row.amount == Decimal("4000.00")
    assert actions == ["receipt.create", "receipt.correct", "receipt.withdraw"]


@pytest.mark.parametrize("changes, field", [
    (dict(area="0"), "area"), (dict(area="-3"), "area"), (dict(area="abc"), "area"),
    (dict(area="1.23456"), "area"), (dict(kind="shop", area="80.125"), "area"), (dict(kind="castle"), "kind"),
    (dict(number=""), "number"),
    (dict(polygon=[[0, 0], [1, 1]]), "polygon"), (dict(polygon=[[0, 0], [1, 1], [0.5, 2]]), "polygon"),
])
def test_bad_assets_are_refused(backend, village, changes, field):
    values = dict(number="P9", name="新地块", kind="land", area="3")
    values.update(changes)
    with pytest.raises(ValidationError) as refused:
        create_asset(backend, STAFF, village, AssetInput(**values))
    assert field in refused.value.errors


def test_asset_correction_and_withdrawal(backend, village):
    correct_asset(backend, STAFF, village, "P2", AssetInput(number="P2", name="西洋2号地", kind="land", area="5.60",
                                                             polygon=[[0, 0], [40, 0], [40, 90]]), "重新测量")
    asset = withdraw_asset(backend, STAFF, village, "P2", "地块已被征收")
    assert asset.version == 3 and asset.status is RecordStatus.WITHDRAWN and asset.area == Decimal("5.60")


def test_a_forked_entry_is_refused_by_the_database(backend, village):
    """UNIQUE(log, prev) is the backstop if two writers ever got past the lock."""
    with backend.db.read() as session:
        first = session.scalar(select(AuditEntry).where(AuditEntry.seq == 1))
    with pytest.raises(IntegrityError):
        with backend.db.write(village) as session:
            session.execute(insert(AuditEntry), [dict(
                log=village, seq=99, ts=first.ts, actor="x", action="x", entity="x", entity_id="x",
                version=None, reason=None, prev=first.prev, hash="f" * 64, line="{}")])


def test_a_scan_of_a_persons_payment_is_shown_only_to_the_villages_staff(app, backend, village, contract_input):
    from portal.accounts.models import Role
    from portal.accounts.services import UserInput, create_user
    from portal.kernel.transaction import SYSTEM

    create_contract(backend, STAFF, village, contract_input())
    record_receipt(backend, STAFF, village, receipt(payer_name="王秀英", payer_is_person=True, scan=PNG))
    create_user(backend, SYSTEM, UserInput(username="cun-staff", display_name="报账员", password="correct horse",
                                           role=Role.STAFF, village_code=village))
    anonymous, staff = app.test_client(), app.test_client()
    refused = anonymous.get(f"/v/{village}/receipts/SK-1/scan")
    assert refused.status_code == 403 and "个人信息" in refused.get_data(as_text=True)
    staff.post("/login", data={"username": "cun-staff", "password": "correct horse"})
    assert staff.get(f"/v/{village}/receipts/SK-1/scan").data.startswith(b"\x89PNG")
