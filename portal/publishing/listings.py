"""Public lists as data: one definition gives the HTML table, CSV, XLSX, JSON and PDF alike.

Rows hold only public values (masked names, decimal strings, ISO dates), so no export can carry
more than the page does.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from sqlalchemy.orm import Session

from portal.kernel.area import area_grouped

if TYPE_CHECKING:
    from portal.villages.models import Village


T = TypeVar("T")
Row = dict[str, Any]


class LazyRows(Sequence[Row], Generic[T]):
    """A list's rows made from its items when first read: the HTML page reads one page of them,
    a download every one. Chosen and ordered before any row is made, so the length and the order
    are the list's; each row is made at most once. `make` makes one row; `make_many` (instead)
    the rows of several items at once, in their order (one query for a page). Compares equal to
    a list of the same rows."""

    BATCH = 1000  # rows made at once when iterating with make_many

    def __init__(self, items: Sequence[T], make: Callable[[T], Row] | None = None,
                 make_many: Callable[[Sequence[T]], list[Row]] | None = None) -> None:
        assert (make is None) != (make_many is None), "give make or make_many"
        self._items = items
        self._make_many = make_many or (lambda chosen: [make(item) for item in chosen])  # type: ignore[misc]
        self._made: list[Row | None] = [None] * len(items)

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> Row: ...
    @overload
    def __getitem__(self, index: slice) -> list[Row]: ...

    def __getitem__(self, index: int | slice) -> Row | list[Row]:
        if isinstance(index, slice):
            return self._rows(range(*index.indices(len(self._items))))
        if index < 0:
            index += len(self._items)
        if not 0 <= index < len(self._items):
            raise IndexError(index)
        return self._rows([index])[0]

    def __iter__(self) -> Iterator[Row]:
        for start in range(0, len(self._items), self.BATCH):
            yield from self._rows(range(start, min(start + self.BATCH, len(self._items))))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and not isinstance(other, str) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]  # as a list: mutable contents, no hash

    def __repr__(self) -> str:
        return f"LazyRows({len(self._items)} rows)"

    def _rows(self, indexes: Sequence[int]) -> list[Row]:
        missing = [i for i in indexes if self._made[i] is None]
        if missing:
            for i, row in zip(missing, self._make_many([self._items[i] for i in missing]), strict=True):
                self._made[i] = row
        return [row for row in (self._made[i] for i in indexes) if row is not None]


@dataclass(frozen=True)
class Column:
    """One field of a list: its JSON/CSV key, its Chinese heading, how to show it, what it means."""

    key: str
    label: str
    kind: str = "text"  # text · money · date · area · number · choice
    doc: str = ""
    choices: dict[str, str] | None = None  # code → Chinese label, for kind "choice"

    def display(self, value: Any) -> str:
        """The value as a person reads it (¥1,234.50, 2026年1月1日, 履行中)."""
        from portal.kernel.money import format_money
        from portal.publishing.formatting import area_number, cn_date

        if value is None or value == "":
            return ""
        if self.kind == "money":
            return format_money(Decimal(value))
        if self.kind == "date":
            return cn_date(value)
        if self.kind == "area":
            return area_number(value)
        if self.kind == "choice" and self.choices:
            return self.choices.get(str(value), str(value))
        return str(value)


@dataclass
class Listing:
    name: str                       # URL stem: "contracts" → /v/<code>/contracts.csv
    title: str                      # 合同公开
    village_code: str
    village_name: str
    as_of: date
    columns: list[Column]
    rows: Sequence[dict[str, Any]]  # a list, or LazyRows made as they are read
    links: Sequence[str | None] = field(default_factory=list)  # each row's record page, if any
    totals: dict[str, Any] | None = None
    log_size: int = 0
    log_root_hex: str = ""

    def show(self, row: dict[str, Any], key: str) -> str:
        """`row[key]` as displayed, by its column's kind."""
        return next(c for c in self.columns if c.key == key).display(row.get(key))

    def as_json(self) -> dict[str, Any]:
        """The JSON export: what the list is, as of when, against which log state, and its rows."""
        return {
            "list": self.name,
            "title": self.title,
            "village": {"code": self.village_code, "name": self.village_name},
            "as_of": self.as_of.isoformat(),
            "log": {"size": self.log_size, "root": self.log_root_hex},
            "fields": [{"key": c.key, "label": c.label, "type": c.kind, "description": c.doc}
                       for c in self.columns],
            "rows": list(self.rows),
            "totals": self.totals,
        }


def village_listing(session: Session, village: Village, name: str, title: str, as_of: date,
                    columns: list[Column], rows: Sequence[dict[str, Any]], links: Sequence[str | None] | None,
                    totals: dict[str, Any] | None = None) -> Listing:
    """A village's list as of `as_of`, stamped with the log state it was read at."""
    from portal.auditlog.records import log_state

    state = log_state(session, village.code)
    return Listing(name, title, village.code, village.name, as_of, columns, rows, links or [], totals,
                   state.size if state else 0, state.root_hex if state else "")
