"""The whole file checked before anything is written: every row through the very services that
will write it, inside a transaction that is then rolled back.

Why a rolled-back transaction rather than rules of our own: a row must pass exactly what the
services check — numbers taken, a contract's parcels found, of the right unit, not leased twice
in the same years (by the village's contracts or by rows above it in the file), a receipt's
contract found and not withdrawn — and what a row refers to may be a row above it that only
exists once written. Running the services is the one way the check and the import cannot
drift apart; `import_batch` runs the same `write_rows` and commits instead.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from portal.contracts.models import Contract
from portal.contracts.services import ContractInput, add_contract, check_contract
from portal.imports.columns import KINDS, kinds_of
from portal.imports.parse import by_column, parse_file
from portal.imports.rows import Parsed, Problem, Row, in_order
from portal.kernel.base import NumberedRecord
from portal.kernel.errors import ValidationError
from portal.kernel.messages import say
from portal.kernel.money import FEN, MoneyError, format_money, parse_money, round_fen
from portal.kernel.status import RecordStatus
from portal.kernel.transaction import Actor, Backend, Change
from portal.parcels.models import Asset, AssetKind
from portal.parcels.services import AssetInput, add_asset, check_asset
from portal.receipts.models import Receipt
from portal.receipts.services import ReceiptInput, add_receipt, check_receipt

MODELS: dict[str, type[NumberedRecord]] = {"parcels": Asset, "contracts": Contract, "receipts": Receipt}


@dataclass(frozen=True)
class Report:
    """A checked file: its rows, and every problem found (none: it can be imported)."""

    kind: str
    parsed: Parsed
    problems: tuple[Problem, ...]

    @property
    def clean(self) -> bool:
        return not self.problems and bool(self.parsed.rows)


def check_file(backend: Backend, actor: Actor, village_code: str, kind: str, data: bytes) -> Report:
    """Reads `data` and checks every row against the village as it is now; writes nothing.
    PermissionDenied when `actor` may not create such records in the village."""
    parsed = parse_file(data, kind)
    if parsed.problems:  # the file, a sheet or its columns: rows read from it would mislead
        return Report(kind, parsed, tuple(parsed.all_problems))
    if not parsed.rows:
        return Report(kind, parsed, (Problem("", None, "", say("文件中没有要导入的行（示例行不算）")),))
    return Report(kind, parsed, tuple(in_order(check_rows(backend, actor, village_code, kind, parsed.rows))))


class _RolledBack(Exception):
    """Ends a check's transaction so that it rolls back, carrying what the check found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("rolled back")
        self.problems = problems


def check_rows(backend: Backend, actor: Actor, village_code: str, kind: str, rows: Sequence[Row]) -> list[Problem]:
    """Every problem of `rows`, found by writing them in a transaction that is rolled back."""
    found: list[Problem] = []
    try:
        with backend.change(village_code, actor, *actions(kind)) as change:
            raise _RolledBack(write_rows(change, rows, None))
    except _RolledBack as rolled_back:
        found = rolled_back.problems
    return found


def actions(kind: str) -> tuple[str, ...]:
    return tuple(k.action for k in kinds_of(kind))


def write_rows(change: Change, rows: Sequence[Row], reason: str | None) -> list[Problem]:
    """Writes, in `change`, every row that has no problem; returns the problems of the others
    (a caller commits only when there are none). Each record's entry carries `reason`."""
    problems: list[Problem] = []
    taken = {kind: _numbers(change, kind) for kind in dict.fromkeys(row.kind for row in rows)}
    parcels = _parcels(change) if "contracts" in taken else {}
    seen: dict[tuple[str, str], Row] = {}
    failed: dict[tuple[str, str], Row] = {}
    written: set[tuple[str, str]] = set()
    for row in rows:
        found = list(row.problems)
        key = (row.kind, row.record.number.strip())
        if key[1]:
            found += _duplicate(row, key[1], seen.get(key), key[1] in taken[row.kind])
            seen.setdefault(key, row)
        found += _broken_references(row, failed)
        if found:
            found += _unwritten(row, found)
        else:
            found = _write(change, row, reason, parcels)
        if not found:
            written.add(key)
        elif key not in written:  # a row referring to this number has nothing to refer to
            failed.setdefault(key, row)
        problems += by_column(found, row.headers)
    return problems


def _numbers(change: Change, kind: str) -> set[str]:
    model = MODELS[kind]
    return set(change.session.scalars(select(model.number).where(model.village_id == change.village_id())))


def _parcels(change: Change) -> dict[str, tuple[AssetKind, Decimal]]:
    """Kind and area of every asset of the village, by number: what a contract row leaves to them."""
    rows = change.session.execute(select(Asset.number, Asset.kind, Asset.area).where(
        Asset.village_id == change.village_id(), Asset.status == RecordStatus.ACTIVE))
    return {number: (kind, area) for number, kind, area in rows}


def _duplicate(row: Row, number: str, first: Row | None, in_village: bool) -> list[Problem]:
    kind = KINDS[row.kind]
    column = kind.report_column("number", row.headers)
    if first is not None:
        return [row.problem(column, say("“%(number)s”与%(first)s重复", number=number, first=_where(first)))]
    if in_village:
        return [row.problem(column, say("本村已有编号为“%(number)s”的%(label)s：已登记的不必再导入，要改请用更正",
                                        number=number, label=kind.label))]
    return []


def _where(row: Row) -> str:
    return say("“%(sheet)s”表第 %(line)s 行", sheet=row.sheet, line=row.line) if row.sheet else say("第 %(line)s 行", line=row.line)


def _broken_references(row: Row, failed: dict[tuple[str, str], Row]) -> list[Problem]:
    """A row referring to a row above it that has a problem: said so, instead of "not found"."""
    record = row.record
    if isinstance(record, ContractInput):
        refers = [("parcels", str(number).strip(), "assets", "地块") for number, _ in record.assets]
    elif isinstance(record, ReceiptInput):
        refers = [("contracts", record.contract_number.strip(), "contract_number", "合同")]
    else:
        refers = []
    kind = KINDS[row.kind]
    return [row.problem(kind.report_column(field, row.headers),
                        say("%(what)s“%(number)s”在%(failed)s，那一行有问题：改正后才能引用",
                            what=what, number=number, failed=_where(failed[(other, number)])))
            for other, number, field, what in refers if (other, number) in failed]


def _write(change: Change, row: Row, reason: str | None, parcels: dict[str, tuple[AssetKind, Decimal]]
           ) -> list[Problem]:
    """Checks and writes one row, as the form's service would; its problems if it is refused.
    An asset written is added to `parcels`, for the contract rows below it."""
    kind, record = KINDS[row.kind], row.record
    try:
        if isinstance(record, AssetInput):
            asset = add_asset(change, check_asset(record), reason=reason)
            parcels[asset.number] = (asset.kind, asset.area)
        elif isinstance(record, ContractInput):
            data, problems = _completed(row, parcels)
            if problems:
                return problems + _unwritten(replace(row, record=data), problems)
            add_contract(change, check_contract(data), reason=reason)
        else:
            add_receipt(change, check_receipt(record), reason=reason)
    except ValidationError as refused:
        return [row.problem(kind.report_column(field, row.headers), message)
                for field, message in refused.errors.items()]
    return []


def _unwritten(row: Row, known: list[Problem]) -> list[Problem]:
    """The field checks of a row that will not be written, for columns not yet reported."""
    kind = KINDS[row.kind]
    record = row.record
    if isinstance(record, ContractInput):  # what the parcels settle once the row is written
        record = replace(record, rent_unit=record.rent_unit or "mu_year",
                         rent_rate=record.rent_rate or ("1" if row.annual_rent else ""))
    try:
        if isinstance(record, AssetInput):
            check_asset(record)
        elif isinstance(record, ContractInput):
            check_contract(record)
        else:
            check_receipt(record)
    except ValidationError as refused:
        reported = {p.column for p in known}
        return [row.problem(column, message) for field, message in refused.errors.items()
                if (column := kind.report_column(field, row.headers)) not in reported]
    return []


def _completed(row: Row, parcels: dict[str, tuple[AssetKind, Decimal]]) -> tuple[ContractInput, list[Problem]]:
    """A contract row with what the ledger leaves to its parcels: the rent unit (by the first
    parcel's kind) and, from 年租金, the rate; 年租金 beside a rate is checked against it."""
    data = row.record
    assert isinstance(data, ContractInput)
    numbers = [str(number).strip() for number, _ in data.assets]
    first = next((parcels[n][0] for n in numbers if n in parcels), None)
    # no parcel found: the service names it; the unit it is then given does not matter
    unit = data.rent_unit or ("m2_month" if first not in (None, AssetKind.LAND) else "mu_year")
    data = replace(data, rent_unit=unit)
    if not row.annual_rent:
        return data, []
    column = KINDS["contracts"].report_column("annual_rent", row.headers)
    try:
        annual = parse_money(row.annual_rent)
        area = sum((Decimal(str(area).replace(",", "")) if area not in (None, "") else parcels[str(number).strip()][1]
                    for number, area in data.assets), Decimal(0))
    except MoneyError as error:
        return data, [row.problem(column, say("年租金：%(error)s", error=error))]
    except (InvalidOperation, KeyError):  # an area or parcel the service will name
        return data, []
    yearly = area * (12 if unit == "m2_month" else 1)
    if not data.rent_rate:
        rate = annual / yearly if yearly else Decimal(0)
        if not yearly or rate != rate.quantize(FEN):
            return data, [row.problem(column, say("年租金除以面积不是整分：请在“租金单价”列写出单价"))]
        return replace(data, rent_rate=str(rate.quantize(FEN))), []
    try:
        expected = round_fen(parse_money(data.rent_rate) * yearly)
    except MoneyError:
        return data, []  # the service names a bad rate
    if expected != annual:
        return data, [row.problem(column, say("年租金 %(annual)s 与 租金单价×面积 = %(expected)s 不符：请核对",
                                              annual=format_money(annual), expected=format_money(expected)))]
    return data, []
