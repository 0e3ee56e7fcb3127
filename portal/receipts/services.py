"""Receipts (收款凭证): record, correct and withdraw money received, with an optional scan."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError

from portal.auditlog.files import store_file
from portal.contracts.models import Contract, ContractStatus
from portal.contracts.services import find_contract
from portal.kernel.errors import NotFound, ValidationError
from portal.kernel.lifecycle import amend, check_correctable, withdraw
from portal.kernel.lookup import find_numbered
from portal.kernel.messages import say
from portal.kernel.status import RecordStatus
from portal.kernel.transaction import Actor, Backend, Change
from portal.kernel.validate import Checker
from portal.receipts.models import Receipt


@dataclass
class ReceiptInput:
    """A receipt as staff type it: `amount` and `received_on` text as a form sends them (or Decimal
    and date), `payer_is_person` a bool or a checkbox's value ("on"), `scan` the uploaded file's
    bytes. The service checks every field and converts them (ValidationError with a message each)."""

    number: str
    amount: str | Decimal
    received_on: str | date
    payer_name: str
    payer_is_person: bool | str = False
    contract_number: str = ""
    note: str = ""
    scan: bytes | None = None
    scan_name: str = ""


def _checked(data: ReceiptInput) -> tuple[dict[str, Any], str, Checker]:
    check = Checker()
    v = {
        "number": check.text("number", data.number, "收据号", max_len=40),
        "amount": check.money("amount", data.amount, "金额"),
        "received_on": check.day("received_on", data.received_on, "收款日期"),
        "payer_name": check.text("payer_name", data.payer_name, "交款人", max_len=100),
        "payer_is_person": str(data.payer_is_person).lower() in ("1", "true", "on", "yes", "person"),
        "note": check.text("note", data.note, "备注", max_len=500, required=False),
    }
    contract_number = check.text("contract_number", data.contract_number, "合同编号", max_len=40, required=False)
    return v, contract_number, check


def _link_contract(change: Change, village_id: int, number: str, check: Checker) -> Contract | None:
    if not number:
        return None
    try:
        contract = find_contract(change, village_id, number, with_items=False)
    except NotFound as err:
        check.fail("contract_number", str(err))
        return None
    if contract.status is ContractStatus.WITHDRAWN:
        check.fail("contract_number", say("合同 %(number)s 已撤回，不能再登记收款", number=number))
    return contract


# How each database names UNIQUE(village_id, number) of receipt when it refuses a row.
_DUPLICATE_NUMBER = ("uq_receipt_village_id_number",                                # PostgreSQL
                     "UNIQUE constraint failed: receipt.village_id, receipt.number")  # SQLite


@contextmanager
def _number_unused(number: str) -> Iterator[None]:
    """Turns the database refusing a second receipt `number` into the form's message.

    A new receipt relies on UNIQUE(village_id, number) instead of a SELECT first: the refusal
    comes from the row's INSERT, before the audit append, and the transaction rolls back.
    """
    try:
        yield
    except IntegrityError as error:
        if not any(name in str(error.orig) for name in _DUPLICATE_NUMBER):
            raise
        raise ValidationError({"number": say("收据号“%(number)s”已登记", number=number)}) from None


def find_receipt(change: Change, village_id: int, number: str) -> Receipt:
    return find_numbered(change, Receipt, village_id, number, "收据")


@dataclass(frozen=True)
class CheckedReceipt:
    """A receipt's fields, checked (`check_receipt`): what `add_receipt` writes once it has found
    the contract paid, if any."""

    values: dict[str, Any]
    contract_number: str
    scan: bytes | None = None
    scan_name: str = ""


def check_receipt(data: ReceiptInput) -> CheckedReceipt:
    """The fields, without touching the database; raises ValidationError with every message."""
    v, contract_number, check = _checked(data)
    check.done()
    return CheckedReceipt(v, contract_number, data.scan, data.scan_name)


def record_receipt(backend: Backend, actor: Actor, village_code: str, data: ReceiptInput) -> Receipt:
    checked = check_receipt(data)
    with backend.change(village_code, actor, "receipt.create") as change:
        return add_receipt(change, checked)


def add_receipt(change: Change, checked: CheckedReceipt, *, reason: str | None = None) -> Receipt:
    """`record_receipt` inside an open change allowing "receipt.create"; `reason` goes into the
    entry. ValidationError when the contract is missing or withdrawn, or the number is taken.

    A taken number is found by the database refusing the row, which on PostgreSQL ends the whole
    transaction: a caller adding many receipts in one (an import) checks numbers first."""
    check = Checker()
    v = checked.values
    village_id = change.village_id()
    contract = _link_contract(change, village_id, checked.contract_number, check)
    check.done()
    receipt = Receipt(village_id=village_id, contract=contract, **v)
    if checked.scan:
        receipt.scan_sha256 = store_file(change.session, change.backend.files_dir, checked.scan,
                                         checked.scan_name, change.now()).sha256
    receipt.version, receipt.updated_at = 1, change.now()
    with _number_unused(v["number"]):
        change.insert(receipt)  # as record_created, but one Core INSERT: see Change.insert
    change.record("receipt.create", receipt, reason)
    return receipt


def correct_receipt(backend: Backend, actor: Actor, village_code: str, number: str,
                    data: ReceiptInput, reason: str) -> Receipt:
    v, contract_number, check = _checked(data)
    reason = check.reason(reason)
    check.done()
    with backend.change(village_code, actor, "receipt.correct") as change:
        receipt = find_receipt(change, change.village().id, number)
        check_correctable(change, receipt, v["number"], check, withdrawn=RecordStatus.WITHDRAWN,
                          refused=say("已撤回的收据不能再更正"),
                          taken=say("收据号“%(number)s”已登记", number=v["number"]))
        contract = _link_contract(change, receipt.village_id, contract_number, check)
        check.done()
        scan = receipt.scan_sha256
        if data.scan:
            scan = store_file(change.session, backend.files_dir, data.scan, data.scan_name, change.now()).sha256
        amend(change, receipt, "receipt.correct", reason, **v, contract=contract, scan_sha256=scan)
    return receipt


def withdraw_receipt(backend: Backend, actor: Actor, village_code: str, number: str, reason: str) -> Receipt:
    """Marks a receipt withdrawn (entered twice, say); it stays listed as withdrawn."""
    return withdraw(backend, actor, village_code, number, reason, find=find_receipt,
                    entity="receipt", withdrawn=RecordStatus.WITHDRAWN)
