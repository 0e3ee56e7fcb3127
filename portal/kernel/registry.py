"""The record-type registry: every kind of audited record, declared once.

History, search, the feed, statistics, the integrity check (`audit verify`), exports and
authorization are built from it, so a record type that is registered cannot be forgotten by
any of them, and one that is not registered cannot be written (the audited transaction refuses
actions of unknown types). `portal/registry.py` holds the entries; docs/adding-a-record-type.md
walks through adding one.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from portal.kernel.base import Audited
from portal.kernel.history import FieldChange
from portal.kernel.messages import InContext, say

# The catalog's context (msgctxt) of a record type's name naming one record (合同 HT-001).
RECORD_TYPE_CONTEXT = "记录类型"

# Roles an actor may have; the value is also how the log names the actor's role.
STAFF, COMMITTEE, TOWNSHIP, SYSTEM, VILLAGER = "staff", "committee", "township", "system", "villager"
ROLES = frozenset({STAFF, COMMITTEE, TOWNSHIP, SYSTEM, VILLAGER})
# Roles whose account belongs to one village, and who may act only on that village's records.
VILLAGE_ROLES = frozenset({STAFF, COMMITTEE})


def _no_page(code: str, data: Mapping[str, Any]) -> str | None:
    return None


@dataclass(frozen=True)
class RecordType:
    """One kind of audited record.

    `entity` is the log's `entity` value; `labels` name the fields of the public state (dotted
    paths, as history diffs flatten them) in Chinese; `writers` maps each action verb
    (create, correct, withdraw, …) to the roles that may perform it; `page` gives the public
    page of a record from its village code and public state (None: the record has none).
    """

    entity: str
    model: type[Audited]
    name: str                                  # Chinese name: 合同, 收据, …
    labels: Mapping[str, str]
    writers: Mapping[str, frozenset[str]]
    prefix: str = ""                           # the usual number prefix (HT-, GG-, …) for forms
    personal: bool = False                     # carries personal data, committed to in `private`
    public: bool = True                        # in search, statistics and the feed
    page: Callable[[str, Mapping[str, Any]], str | None] = _no_page
    # How the feed and search name a record; default "<name> <number>".
    title: Callable[[RecordType, Mapping[str, Any], str], str] | None = None
    views: str | None = None                   # module with the public pages' blueprint `bp`
    editor: str | None = None                  # module with the staff workspace's `EDITOR`
    # How the integrity check finds a village's rows: the column holding the village id ("id"
    # for the village itself), and the column holding the log's `entity_id`.
    village_column: str = "village_id"
    id_column: str = "id"
    # The log holding the rows whose village column is NULL (township accounts): `audit verify`
    # looks each of them up in it, as it looks a village's rows up in the village's log.
    unowned_log: str | None = None
    # Figures derived from a record and stored beside it (a contract's instalments): `derive`
    # rewrites them in the audited transaction of every write of the record, after its row and
    # before its log entry; `derived_check` re-derives a village's and returns, in Chinese, what
    # differs (for `audit verify`).
    derive: Callable[[Session, Any], None] | None = None
    derived_check: Callable[[Session, int], list[str]] | None = None
    # How the committee's audit log shows a change of a type staff edit without an editor (a
    # village's landmarks); a type with an editor uses the editor's.
    readable: Callable[[FieldChange], FieldChange] | None = None
    # The words of coded values (status "waiting" → 待分派), field by field, for the committee's
    # audit log, of a type without an editor; a type with an editor uses the editor's.
    values: Mapping[str, Mapping[str, str]] | None = None

    def rows(self, village_id: int) -> Select[Any]:
        """Every row of this type in the village, for `audit verify`."""
        return select(self.model).where(getattr(self.model, self.village_column) == village_id)

    def named(self, number: str) -> str:
        """The record by its type and number (合同 HT-001), in the reader's language when shown."""
        return say("%(type)s %(number)s", type=InContext(RECORD_TYPE_CONTEXT, self.name), number=number)

    def describe(self, code: str, data: Mapping[str, Any] | None, entity_id: str) -> tuple[str, str | None]:
        """A readable name of a record from its public state, and its page when it has one."""
        data = data or {}
        if self.title is not None:
            label = self.title(self, data, entity_id)
        else:
            number = data.get("number") or data.get("code") or data.get("username") or entity_id
            label = self.named(number)
        return label, self.page(code, data)


@dataclass(frozen=True)
class Registry:
    """The record types of one portal, by entity."""

    types: tuple[RecordType, ...]
    _by_entity: dict[str, RecordType] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_entity: dict[str, RecordType] = {}
        for record_type in self.types:
            if record_type.entity in by_entity:
                raise ValueError(f"record type {record_type.entity!r} registered twice")
            if record_type.model.audit_entity != record_type.entity:
                raise ValueError(f"{record_type.model.__name__}.audit_entity is not {record_type.entity!r}")
            for verb, roles in record_type.writers.items():
                if not roles <= ROLES:
                    raise ValueError(f"{record_type.entity}.{verb}: unknown roles {sorted(roles - ROLES)}")
            by_entity[record_type.entity] = record_type
        object.__setattr__(self, "_by_entity", by_entity)

    def __iter__(self) -> Iterator[RecordType]:
        return iter(self.types)

    def get(self, entity: str) -> RecordType | None:
        return self._by_entity.get(entity)

    def labels(self, entity: str) -> Mapping[str, str]:
        record_type = self.get(entity)
        return record_type.labels if record_type else {}

    def name(self, entity: str) -> str:
        record_type = self.get(entity)
        return record_type.name if record_type else entity

    def describe(self, code: str, entry: Mapping[str, Any]) -> tuple[str, str | None]:
        """How the feed, search and "what is new" name the record of a log entry, and link it."""
        record_type = self.get(entry["entity"])
        if record_type is None:
            return f"{entry['entity']} {entry['entity_id']}", None
        return record_type.describe(code, entry["data"], entry["entity_id"])

    def derived_problems(self, session: Session, village_id: int) -> list[str]:
        """What every record type's stored derived figures get wrong in the village (empty: none)."""
        return [problem for t in self.types if t.derived_check is not None
                for problem in t.derived_check(session, village_id)]

    def public_entities(self) -> tuple[str, ...]:
        return tuple(t.entity for t in self.types if t.public)

    def private_entities(self) -> tuple[str, ...]:
        return tuple(t.entity for t in self.types if not t.public)
