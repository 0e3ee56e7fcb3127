"""Declarative base and the protocol every audited record follows."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import ForeignKey, MetaData, String, Table, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from portal.kernel.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    __table__: ClassVar[Table]  # every model maps one Table (Core statements use its columns)


class Audited:
    """Mixin for records whose every change lands in the village audit log.

    Subclasses name their `audit_entity`, keep a `version`, and say what of them is public
    (`public_state`, goes into the entry's `data`) and what is personal (`personal_data`,
    only committed to by a salted hash in the entry's `private`).
    """

    audit_entity: ClassVar[str]
    if TYPE_CHECKING:  # every audited model maps these columns itself
        id: Mapped[int]
        version: Mapped[int]

    def audit_id(self) -> str:
        return str(self.id)

    def public_state(self) -> dict[str, Any]:
        raise NotImplementedError

    def personal_data(self) -> dict[str, Any] | None:
        return None


class VillageRecord(Audited):
    """The columns every record of a village shares: its id, its village, its version (1 when
    created, +1 with every logged change) and when it last changed."""

    # sort_order keeps the tables' columns as they were declared before this mixin existed:
    # id, village_id, number, the record's own columns, version, updated_at.
    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-4)
    version: Mapped[int] = mapped_column(default=1, sort_order=100)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), sort_order=101)

    @declared_attr
    def village_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("village.id"), index=True, sort_order=-3)


class NumberedRecord(VillageRecord):
    """A village record with a number of its own (合同编号, 收据号, 公告编号…), unique in the village."""

    number: Mapped[str] = mapped_column(String(40), sort_order=-1)

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (UniqueConstraint("village_id", "number"),)
