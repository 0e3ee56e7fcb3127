"""Townships (乡镇) by code: the code names a township in URLs (its public ranking) and scopes
a township account; villages belong to a township by its name (`Village.township`)."""
from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from portal.kernel.base import Base


class Township(Base):
    """乡镇 — e.g. code `lianhua`, name 莲花镇: the villages whose `township` is this name."""

    __tablename__ = "township"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
