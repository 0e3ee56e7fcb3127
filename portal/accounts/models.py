"""Portal accounts: village staff, supervisory committee members, township officers."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.kernel.base import Audited, Base
from portal.kernel.types import UTCDateTime
from portal.villages.models import Village


# The log of township accounts. Village codes start with a letter (villages.services.CODE_PATTERN),
# so a name starting with "_" can never be a village's.
TOWNSHIP_LOG = "_township"


class Role(str, enum.Enum):
    """What an account may do; the value is also how the audit log names the actor's role."""

    STAFF = "staff"          # 村干部、报账员
    COMMITTEE = "committee"  # 村务监督委员会
    TOWNSHIP = "township"    # 镇纪委、镇农经站


class User(Audited, Base):
    """An account. Staff and committee accounts belong to one village; township ones to none."""

    __tablename__ = "user_account"
    audit_entity = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=16))
    village_id: Mapped[int | None] = mapped_column(ForeignKey("village.id"))
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The township a township account oversees (None: every village, as accounts made before
    # townships had codes); last, where the migration that added it put it. No foreign key: the
    # account table predates the migrations (its baseline is made from this model), and
    # townships are never deleted; create_user checks the code.
    township_code: Mapped[str | None] = mapped_column(String(32))

    village: Mapped[Village | None] = relationship()

    # flask-login protocol
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    def public_state(self) -> dict[str, Any]:
        state: dict[str, Any] = {"username": self.username, "role": self.role.value, "active": self.active}
        if self.township_code:  # only when set, so the entries of earlier accounts still match
            state["township"] = self.township_code
        return state

    def personal_data(self) -> dict[str, Any]:
        return {"display_name": self.display_name}


class LoginSession(Base):
    """A logged-in browser. The cookie holds a random token; the row, keyed by the token's
    SHA-256, is what makes it valid, so deleting rows ends sessions on the server (logout,
    password change, reset, disable). `user_version` is the account's version at login: any
    later change of the account (each bumps its version) ends the session too, even one that
    raced the change."""

    __tablename__ = "login_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    user_version: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LoginFailure(Base):
    """One login attempt that has not (yet) succeeded, counted per account and per client
    address by the throttle; kept in the database so every worker process counts the same."""

    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_username_at", "username", "at"),
                      Index("ix_login_failure_address_at", "address", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
