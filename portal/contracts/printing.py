"""A contract as a printed notice for the bulletin board (公开栏)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import Response
from sqlalchemy import select

from portal.contracts import labels as contract_labels
from portal.contracts import reads as contract_reads
from portal.contracts.rent import annual_rent
from portal.contracts.services import find_contract
from portal.kernel.money import format_money
from portal.kernel.status import RecordStatus
from portal.kernel.transaction import Backend
from portal.publishing.formatting import cn_date
from portal.publishing.printing import PrintStamp, record_response, stamped_record_response, versions_of
from portal.publishing.sheets import Checkpoint, money_with_words, record_pdf
from portal.publishing.text_table import Column, TextTable, text_table
from portal.receipts.models import Receipt
from portal.villages.services import find_village


def _plain_number(value: Decimal) -> str:
    """Decimal('5.00') → '5', Decimal('2.50') → '2.5', Decimal('10.00') → '10'."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _contract_year(start: date, end: date, as_of: date) -> int:
    """0-based contract year of `as_of`, clamped to the term."""
    day = min(max(as_of, start), end)
    years = day.year - start.year - ((day.month, day.day) < (start.month, start.day))
    return max(years, 0)


RECEIPT_COLUMNS = (Column("收款日期", 18), Column("收据号", 30), Column("金额", 18, right=True), Column("状态", 24))
WITHDRAWN_RECEIPT, ACTIVE_RECEIPT = "已撤回（不计入已缴）", "有效"


def receipt_lines(receipts: list[Receipt]) -> TextTable:
    """A contract's receipts as ruled text (portal/publishing/text_table.py): a county's contract
    has ~30, and as table cells they were a third of its render."""
    return text_table(RECEIPT_COLUMNS, [
        (cn_date(r.received_on), r.number, format_money(r.amount),
         WITHDRAWN_RECEIPT if r.status is RecordStatus.WITHDRAWN else ACTIVE_RECEIPT) for r in receipts])


def contract_pdf(detail: contract_reads.ContractDetail, page_url: str, checkpoint: Checkpoint) -> bytes:
    """A contract as an A4 notice: parties (masked), parcels,
    term, rent, the schedule with paid/overdue, receipts, versions; needs an app context."""
    contract, balance = detail.contract, detail.balance
    year = _contract_year(contract.start_date, contract.end_date, balance.as_of)
    yearly = [(1, annual_rent(contract.rent_terms, 0))]
    if year and annual_rent(contract.rent_terms, year) != yearly[0][1]:
        yearly.append((year + 1, annual_rent(contract.rent_terms, year)))
    schedule_total = sum((s.instalment.amount for s in balance.instalments), Decimal("0.00"))
    return record_pdf(
        "print/contract.html", detail, f"合同公示 {contract.number}", page_url, checkpoint,
        c=contract, b=balance,
        status=contract_labels.CONTRACT_STATUS[contract_reads.contract_state(contract, balance.as_of)],
        escalation=_plain_number(contract.escalation_percent),
        yearly=yearly, schedule_total=schedule_total, states=contract_labels.INSTALMENT_STATES,
        rent_unit=contract_labels.RENT_UNIT.get(contract.rent_unit.value, ""), money_words=money_with_words,
        receipts=receipt_lines(detail.receipts))


def contract_response(detail: contract_reads.ContractDetail) -> Response:
    """/v/<code>/contracts/<number>.pdf, rendered once per record version (and receipts, day)."""
    return record_response("contract", "contracts.contract", detail, detail.contract, versions_of(detail.receipts),
                            detail.balance.as_of, lambda url, cp: contract_pdf(detail, url, cp))


def contract_stamp(backend: Backend, code: str, number: str) -> PrintStamp:
    """What the contract's printed copy is keyed by, in three small reads; NotFound as
    `contract_detail`."""
    with backend.db.read() as session:
        village = find_village(session, code)
        contract = find_contract(session, village.id, number, with_items=False)
        receipts = session.execute(select(Receipt.id, Receipt.version).where(Receipt.contract_id == contract.id))
        return PrintStamp(village, contract.id, contract.number, contract.version,
                          sorted((id_, version) for id_, version in receipts))


def cached_contract_response(backend: Backend, code: str, number: str, as_of: date) -> Response:
    """`contract_response`, with a copy already printed found from the contract's stamp alone."""
    return stamped_record_response(
        "contract", "contracts.contract", contract_stamp(backend, code, number), as_of,
        lambda: contract_response(contract_reads.contract_detail(backend, code, number, as_of)))
