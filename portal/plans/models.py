"""Plans put up for public comment (方案公示/征求意见), the comments on them, and consent votes."""
from __future__ import annotations

import enum
from datetime import date
from typing import Any

from sqlalchemy import Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from portal.kernel.base import Base, NumberedRecord, VillageRecord
from portal.kernel.privacy import mask_name


class PlanStatus(str, enum.Enum):
    """What was decided about a plan. Whether it still takes comments derives from its dates."""

    OPEN = "open"            # 公示中: published for comment (before, during or after the period)
    ADOPTED = "adopted"      # 已通过
    WITHDRAWN = "withdrawn"  # 已撤回


class CommentStatus(str, enum.Enum):
    VISIBLE = "visible"
    WITHDRAWN = "withdrawn"  # 已撤回: stays listed, marked, with the reason in the log


DRAFT_MARK = "（征求意见稿）"


class Plan(NumberedRecord, Base):
    """方案公示 — a plan (e.g. 土地集中流转方案) villagers may comment on during its comment period."""

    __tablename__ = "plan"
    audit_entity = "plan"

    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    comment_from: Mapped[date]                        # 征求意见期（含首尾两日）
    comment_until: Mapped[date]
    adopted_on: Mapped[date | None]
    status: Mapped[PlanStatus] = mapped_column(
        Enum(PlanStatus, native_enum=False, length=16), default=PlanStatus.OPEN
    )

    @property
    def shown_title(self) -> str:
        """The title as downloads and printed sheets show it: an adopted plan is no longer a draft,
        so its "（征求意见稿）" mark goes (the logged title keeps it; the web page shows that)."""
        if self.status is PlanStatus.ADOPTED:
            return self.title.replace(DRAFT_MARK, "").strip() or self.title
        return self.title

    def state(self, as_of: date) -> str:
        """upcoming · open · closed (from the dates), or adopted · withdrawn (as decided)."""
        if self.status is not PlanStatus.OPEN:
            return str(self.status.value)  # str(): mypy reads .value of a narrowed enum as Any
        if as_of < self.comment_from:
            return "upcoming"
        return "open" if as_of <= self.comment_until else "closed"

    def public_state(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "title": self.title,
            "body": self.body,
            "comment_from": self.comment_from.isoformat(),
            "comment_until": self.comment_until.isoformat(),
            "adopted_on": self.adopted_on.isoformat() if self.adopted_on else None,
            "status": self.status.value,
        }


class OnPlan(VillageRecord):
    """A record that belongs to one plan and is numbered within it (第几条意见, 第几次表决)."""

    number: Mapped[int] = mapped_column(sort_order=-1)  # after plan_id, as the tables were made

    @declared_attr
    def plan_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("plan.id"), index=True, sort_order=-2)

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (UniqueConstraint("plan_id", "number"),)


class PlanComment(OnPlan, Base):
    """意见 — one villager's comment on a plan, numbered within it, and the answer given to it."""

    __tablename__ = "plan_comment"
    audit_entity = "plan_comment"

    commenter_name: Mapped[str] = mapped_column(String(100))     # personal: masked in public
    commenter_phone: Mapped[str] = mapped_column(String(20), default="")  # personal: never public
    group_name: Mapped[str] = mapped_column(String(50), default="")       # 所在小组/户, public
    body: Mapped[str] = mapped_column(Text)
    submitted_on: Mapped[date]
    reply: Mapped[str] = mapped_column(Text, default="")
    replied_on: Mapped[date | None]
    replied_by: Mapped[str | None] = mapped_column(String(16))  # role of who answered
    status: Mapped[CommentStatus] = mapped_column(
        Enum(CommentStatus, native_enum=False, length=16), default=CommentStatus.VISIBLE
    )
    # 代录: why staff typed it in for the villager (who has no phone, say); shown with it.
    on_behalf: Mapped[str | None] = mapped_column(String(200), sort_order=102)  # last, as its migration adds it

    plan: Mapped[Plan] = relationship(lazy="joined")

    @property
    def commenter_public_name(self) -> str:
        return mask_name(self.commenter_name)

    @property
    def answered(self) -> bool:
        return bool(self.reply)

    def public_state(self) -> dict[str, Any]:
        state: dict[str, Any] = {
            "plan": self.plan.number,
            "number": self.number,
            "commenter": self.commenter_public_name,
            "group": self.group_name,
            "body": self.body,
            "submitted_on": self.submitted_on.isoformat(),
            "reply": self.reply or None,
            "replied_on": self.replied_on.isoformat() if self.replied_on else None,
            "replied_by": self.replied_by,
            "status": self.status.value,
        }
        if self.on_behalf:  # only when set: comments logged before it keep their logged state
            state["on_behalf"] = self.on_behalf
        return state

    def personal_data(self) -> dict[str, Any] | None:
        personal: dict[str, Any] = {"name": self.commenter_name}
        if self.commenter_phone:
            personal["phone"] = self.commenter_phone
        return personal


class ConsentVote(OnPlan, Base):
    """表决 — the tallies of a vote on a plan (e.g. 村民代表会议); never individual ballots."""

    __tablename__ = "consent_vote"
    audit_entity = "consent_vote"

    meeting: Mapped[str] = mapped_column(String(100))    # 村民代表会议、村民会议…
    question: Mapped[str] = mapped_column(String(300))   # 表决事项
    held_on: Mapped[date]
    eligible: Mapped[int]                                # 应参加表决人数
    yes_count: Mapped[int]
    no_count: Mapped[int]
    abstain_count: Mapped[int]
    result: Mapped[str] = mapped_column(String(200))     # 表决结果, e.g. 通过
    # The signed opinion forms (签字的表决意见表), stored by SHA-256. They carry villagers' names
    # and signatures, so only the hash is public; the file is for the village's staff and committee.
    forms_sha256: Mapped[str | None] = mapped_column(String(64), sort_order=102)  # last, as its migration adds it

    plan: Mapped[Plan] = relationship(lazy="joined")

    @property
    def not_voted(self) -> int:
        """Eligible members who cast no vote (absent or did not vote)."""
        return self.eligible - self.yes_count - self.no_count - self.abstain_count

    def share(self, count: int) -> str:
        """`count` as a percentage of the eligible, one decimal, computed without floats."""
        tenths = self.share_tenths(count)
        return f"{tenths // 10}.{tenths % 10}"

    def share_tenths(self, count: int) -> int:
        """`count` in tenths of a percent of the eligible (0 to 1000), rounded half up."""
        if self.eligible <= 0:
            return 0
        return (count * 1000 + self.eligible // 2) // self.eligible

    def public_state(self) -> dict[str, Any]:
        state: dict[str, Any] = {
            "plan": self.plan.number,
            "number": self.number,
            "meeting": self.meeting,
            "question": self.question,
            "held_on": self.held_on.isoformat(),
            "eligible": self.eligible,
            "yes": self.yes_count,
            "no": self.no_count,
            "abstain": self.abstain_count,
            "result": self.result,
        }
        if self.forms_sha256:  # only when set: votes logged before it keep their logged state
            state["forms_sha256"] = self.forms_sha256
        return state
