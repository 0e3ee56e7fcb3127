"""What a checked file will import, shown before the import is confirmed: a few telling
columns of its first rows, per kind (staff of the village see names in full, as on their forms)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from portal.contracts.services import ContractInput
from portal.imports.columns import KINDS
from portal.imports.rows import Record, Row
from portal.kernel.messages import say
from portal.kernel.money import MoneyError, format_money, parse_money
from portal.kernel.validate import parse_day
from portal.parcels.services import AssetInput
from portal.receipts.services import ReceiptInput

SHOWN = 20


def day_text(value: object) -> str:
    try:
        return parse_day(str(value)).isoformat()
    except ValueError:
        return str(value)


def money_text(value: object) -> str:
    try:
        return format_money(parse_money(str(value)))
    except MoneyError:
        return str(value)


def _asset(r: Record) -> list[str]:
    assert isinstance(r, AssetInput)
    return [r.number, r.name, str(r.area)]


def _contract(r: Record) -> list[str]:
    assert isinstance(r, ContractInput)
    return [r.number, r.lessee_name, "、".join(str(number) for number, _ in r.assets), say("%(start)s 至 %(end)s", start=day_text(r.start_date), end=day_text(r.end_date))]


def _receipt(r: Record) -> list[str]:
    assert isinstance(r, ReceiptInput)
    return [r.number, money_text(r.amount), day_text(r.received_on), r.payer_name]


COLUMNS: dict[str, tuple[tuple[str, ...], Callable[[Record], list[str]]]] = {
    "parcels": (("地块编号", "名称", "面积"), _asset),
    "contracts": (("合同编号", "承租方", "地块编号", "期限"), _contract),
    "receipts": (("收据号", "金额", "收款日期", "交款人"), _receipt),
}


# Every heading above, for the English catalog (portal/translations/vocabularies.txt).
HEADERS = tuple(dict.fromkeys(h for headers, _ in COLUMNS.values() for h in headers))


@dataclass(frozen=True)
class Preview:
    """One kind's part of a file: how many rows, and the first SHOWN of them."""

    label: str
    count: int
    headers: tuple[str, ...]
    rows: list[tuple[int, list[str]]]


def previews(rows: Sequence[Row]) -> list[Preview]:
    found = []
    for name, kind in KINDS.items():
        mine = [row for row in rows if row.kind == name]
        if mine:
            headers, cells = COLUMNS[name]
            found.append(Preview(kind.label, len(mine), headers, [(row.line, cells(row.record)) for row in mine[:SHOWN]]))
    return found
