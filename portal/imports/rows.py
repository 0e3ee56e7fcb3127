"""What an import file becomes: its rows as the services' inputs, and its problems, each said
where a person finds it in the spreadsheet (sheet, row number as Excel shows it, column header)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from portal.contracts.services import ContractInput
from portal.parcels.services import AssetInput
from portal.receipts.services import ReceiptInput

Record = AssetInput | ContractInput | ReceiptInput


@dataclass(frozen=True)
class Problem:
    """One thing wrong: `row` as the spreadsheet numbers it (None: the file as a whole), the
    `column` header ("" for a whole row or file) and the reason, in Chinese; `sheet` names the
    worksheet of a whole-ledger workbook ("" otherwise)."""

    sheet: str
    row: int | None
    column: str
    reason: str


@dataclass(frozen=True)
class Row:
    """One data row: the record it describes (`kind` a columns.KINDS name), where it is, the
    header of each field's column as the file wrote it (for reporting), what the ledger states
    beside the record (a contract's 年租金), and the problems found while reading it."""

    kind: str
    line: int
    record: Record
    headers: Mapping[str, str]
    sheet: str = ""
    annual_rent: str = ""
    problems: tuple[Problem, ...] = ()

    def problem(self, column: str, reason: str) -> Problem:
        return Problem(self.sheet, self.line, column, reason)


@dataclass(frozen=True)
class Parsed:
    """A file read: its rows in the order a batch writes them (parcels, contracts, receipts),
    and the problems of the file, its sheets and headers (each row carries its own)."""

    rows: tuple[Row, ...] = ()
    problems: tuple[Problem, ...] = ()
    counts: Mapping[str, int] = field(default_factory=dict)  # rows per kind

    @property
    def all_problems(self) -> list[Problem]:
        return in_order([*self.problems, *(p for row in self.rows for p in row.problems)])


def in_order(problems: list[Problem]) -> list[Problem]:
    """Sheet by sheet (as they first appear), the file's and a sheet's own problems first, then
    row by row; within a row as found (by column, see parse.py and check.py)."""
    sheets = {sheet: rank for rank, sheet in enumerate(dict.fromkeys(p.sheet for p in problems))}
    return sorted(problems, key=lambda p: (sheets[p.sheet], p.row is not None, p.row or 0))
