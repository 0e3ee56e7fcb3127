"""What the ledger pages show: a year's income and expenses, the funds and their balances."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.auditlog.records import record_entries, record_proof
from portal.kernel.history import Version, versions
from portal.kernel.messages import joined, say
from portal.kernel.status import RecordStatus
from portal.kernel.transaction import Backend
from portal.ledger.labels import CATEGORY, DIRECTION, FIELDS, FUND_FIELDS, LEDGER_STATUS
from portal.ledger.models import Direction, Fund, LedgerEntry
from portal.ledger.services import find_entry, find_fund
from portal.publishing.scans import StoredScan, stored_scan
from portal.publishing.listings import Column, Listing, village_listing
from portal.receipts.models import Receipt
from portal.villages.models import Village
from portal.villages.services import find_village

ZERO = Decimal("0.00")
LEDGER_COLUMNS = [
    Column("number", "记账凭证号"),
    Column("booked_on", "日期", "date"),
    Column("direction", "收支", "choice", choices=DIRECTION),
    Column("category", "科目", "choice", choices=CATEGORY),
    Column("amount", "金额", "money", doc="元"),
    Column("counterparty", "对方", doc="单位全称；个人只显示姓氏和末字"),
    Column("funding_source", "资金来源"),
    Column("fund", "从专项基金支出", doc="支出由哪个专项基金负担（编号）"),
    Column("fund_shares", "提取专项基金", doc="按基金规则从这笔收入中提取的金额"),
    Column("meeting", "决策会议", doc="会议纪要编号"),
    Column("receipt", "收据号"),
    Column("approved_by", "审批人"),
    Column("note", "摘要"),
    Column("voucher_sha256", "凭证扫描件 SHA-256"),
    Column("status", "状态", "choice", choices=LEDGER_STATUS),
]


@dataclass(frozen=True)
class FundRow:
    number: str
    name: str
    rule: str
    purpose: str
    taken: Decimal
    spent: Decimal
    status: str

    @property
    def balance(self) -> Decimal:
        return self.taken - self.spent


@dataclass(frozen=True)
class Ledger:
    """The ledger page: the year's list, its sums, every fund's balance up to the year's end."""

    listing: Listing
    years: list[int]
    income: Decimal
    expense: Decimal
    by_category: list[tuple[str, str, Decimal]]
    funds: list[FundRow]


def rule_text(fund: Fund) -> str:
    """每 0.80 元物业费收入提取 0.10 元: a fund's rule in words."""
    from portal.ledger.labels import FUND_SOURCE
    return say("每 %(per)s 元%(source)s提取 %(take)s 元", per=fund.per,
               source=FUND_SOURCE.get(fund.category, fund.category), take=fund.take)


def _shares_text(shares: list[dict[str, str]]) -> str:
    return joined([say("%(name)s %(amount)s 元", name=s["name"], amount=s["amount"]) for s in shares or []])


def _row(e: LedgerEntry) -> dict[str, Any]:
    state = e.public_state()
    return state | {"counterparty": state["counterparty"]["name"], "fund_shares": _shares_text(e.fund_shares)}


def _entries(session: Any, village_id: int) -> list[LedgerEntry]:
    return list(session.scalars(select(LedgerEntry).where(LedgerEntry.village_id == village_id)
                                .options(selectinload(LedgerEntry.fund), selectinload(LedgerEntry.meeting),
                                         selectinload(LedgerEntry.receipt))
                                .order_by(LedgerEntry.booked_on.desc(), LedgerEntry.number.desc())))


def _fund_rows(funds: list[Fund], entries: list[LedgerEntry], until: date | None) -> list[FundRow]:
    rows = []
    counted = [e for e in entries if e.status is RecordStatus.ACTIVE and (until is None or e.booked_on <= until)]
    for fund in funds:
        taken = sum((Decimal(s["amount"]) for e in counted for s in e.fund_shares or [] if s["fund"] == fund.number), ZERO)
        spent = sum((e.amount for e in counted if e.fund_id == fund.id), ZERO)
        rows.append(FundRow(fund.number, fund.name, rule_text(fund), fund.purpose, taken, spent, fund.status.value))
    return rows


def ledger(backend: Backend, code: str, as_of: date, year: int | None) -> Ledger:
    """资金收支 of `year` (all years when None); funds' balances up to the end of that year."""
    with backend.db.read() as session:
        village = find_village(session, code)
        everything = _entries(session, village.id)
        funds = list(session.scalars(select(Fund).where(Fund.village_id == village.id).order_by(Fund.number)))
        shown = [e for e in everything if year is None or e.booked_on.year == year]
        active = [e for e in shown if e.status is RecordStatus.ACTIVE]
        income = sum((e.amount for e in active if e.direction is Direction.INCOME), ZERO)
        expense = sum((e.amount for e in active if e.direction is Direction.EXPENSE), ZERO)
        sums: dict[tuple[str, str], Decimal] = {}
        for e in active:
            key = (e.direction.value, e.category)
            sums[key] = sums.get(key, ZERO) + e.amount
        by_category = [(d, c, a) for (d, c), a in sorted(sums.items())]
        rows = [_row(e) for e in shown]
        totals = {"count": len(rows), "income": str(income), "expense": str(expense), "net": str(income - expense)}
        listing = village_listing(session, village, "ledger", "集体资金收支", as_of, LEDGER_COLUMNS, rows,
                                  [f"/v/{code}/ledger/{e.number}" for e in shown], totals)
        years = sorted({e.booked_on.year for e in everything}, reverse=True)
        return Ledger(listing, years, income, expense, by_category,
                      _fund_rows(funds, everything, date(year, 12, 31) if year else None))


@dataclass(frozen=True)
class FundDetail:
    village: Village
    fund: FundRow
    listing: Listing
    history: list[Version]
    proof: dict[str, Any] | None


def fund_detail(backend: Backend, code: str, number: str, as_of: date) -> FundDetail:
    """A fund's own ledger: every share it took and every expense paid out of it."""
    with backend.db.read() as session:
        village = find_village(session, code)
        fund = find_fund(session, village.id, number)
        everything = _entries(session, village.id)
        mine = [e for e in everything if e.fund_id == fund.id or any(s["fund"] == fund.number for s in e.fund_shares or [])]
        rows = []
        for e in mine:
            share = next((Decimal(s["amount"]) for s in e.fund_shares or [] if s["fund"] == fund.number), None)
            rows.append(_row(e) | {"direction": "income" if share is not None else "expense",
                                   "amount": str(share if share is not None else e.amount),
                                   "fund_shares": say("%(name)s %(amount)s 元", name=CATEGORY.get(e.category, e.category),
                                                     amount=e.amount)})
        listing = village_listing(session, village, f"fund-{fund.number}", say("%(fund)s明细", fund=fund.name), as_of,
                                  LEDGER_COLUMNS, rows, [f"/v/{code}/ledger/{e.number}" for e in mine])
        entries = record_entries(session, code, "fund", fund.audit_id())
        return FundDetail(village, _fund_rows([fund], everything, None)[0], listing,
                          versions(entries, FUND_FIELDS), record_proof(session, code, entries))


@dataclass(frozen=True)
class EntryDetail:
    village: Village
    entry: dict[str, Any]
    history: list[Version]
    proof: dict[str, Any] | None


def entry_detail(backend: Backend, code: str, number: str) -> EntryDetail:
    with backend.db.read() as session:
        village = find_village(session, code)
        entry = find_entry(session, village.id, number)
        entries = record_entries(session, code, "ledger_entry", entry.audit_id())
        return EntryDetail(village, _row(entry), versions(entries, FIELDS), record_proof(session, code, entries))


def voucher_scan(backend: Backend, code: str, number: str) -> StoredScan:
    """A voucher naming a person shows their name: not public then (like a receipt's scan)."""
    with backend.db.read() as session:
        village = find_village(session, code)
        entry = find_entry(session, village.id, number)
        sha256, public = entry.voucher_sha256, not entry.counterparty_is_person
    return stored_scan(backend, village.id, sha256, public, say("账目“%(number)s”", number=number))


def page_path(code: str, data: Mapping[str, Any]) -> str | None:
    return f"/v/{code}/ledger/{data['number']}" if data.get("number") else None


def fund_page_path(code: str, data: Mapping[str, Any]) -> str | None:
    return f"/v/{code}/ledger/funds/{data['number']}" if data.get("number") else None


def booking_of_receipt(backend: Backend, code: str, receipt_number: str) -> str | None:
    """The number of the active ledger entry that books this receipt as income, if any."""
    with backend.db.read() as session:
        village = find_village(session, code)
        return session.scalar(select(LedgerEntry.number).join(Receipt, Receipt.id == LedgerEntry.receipt_id).where(
            LedgerEntry.village_id == village.id, LedgerEntry.status == RecordStatus.ACTIVE,
            Receipt.village_id == village.id, Receipt.number == receipt_number))
