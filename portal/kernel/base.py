"""Declarative base and the protocol every audited record follows."""
from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Audited:
    """Mixin for records whose every change lands in the village audit log.

    Subclasses name their `audit_entity`, keep a `version`, and say what of them is public
    (`public_state`, goes into the entry's `data`) and what is personal (`personal_data`,
    only committed to by a salted hash in the entry's `private`).
    """

    audit_entity: ClassVar[str]

    def audit_id(self) -> str:
        return str(self.id)  # type: ignore[attr-defined]

    def public_state(self) -> dict[str, Any]:
        raise NotImplementedError

    def personal_data(self) -> dict[str, Any] | None:
        return None
