"""Versions of audited records: create at version 1; every later change is a new version."""
from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar, cast

from portal.kernel.base import Audited, NumberedRecord, VillageRecord
from portal.kernel.errors import ValidationError
from portal.kernel.lookup import number_taken
from portal.kernel.messages import say
from portal.kernel.transaction import Actor, Backend, Change
from portal.kernel.validate import Checker

R = TypeVar("R", bound=VillageRecord)


class _HasStatus(Protocol):
    """A record that can be withdrawn: its `status` column has an enum of its own type."""

    @property
    def status(self) -> enum.Enum: ...


def record_created(change: Change, record: VillageRecord, action: str, reason: str | None = None) -> None:
    """Stores `record` at version 1 and logs it; `reason` (an import's, say) goes into the entry."""
    record.version = 1
    record.updated_at = change.now()
    change.session.add(record)
    change.record(action, record, reason)


def record_changed(change: Change, record: VillageRecord, action: str, reason: str, before: dict[str, Any]) -> None:
    """Stores a new version with its reason; a "change" that changes nothing is refused."""
    if record.public_state() == before["data"] and record.personal_data() == before["personal"]:
        raise ValidationError({"reason": say("没有任何改动，无需更正")})
    record.version += 1
    record.updated_at = change.now()
    change.record(action, record, reason)


def amend(change: Change, record: VillageRecord, action: str, reason: str, **values: object) -> None:
    """Sets `values` on `record` and stores the result as a new version with its reason."""
    before = snapshot(record)
    for key, value in values.items():
        setattr(record, key, value)
    record_changed(change, record, action, reason, before)


def snapshot(record: Audited) -> dict[str, Any]:
    """What a record is before a change, to tell a real correction from an empty one."""
    return {"data": record.public_state(), "personal": record.personal_data()}


def check_correctable(change: Change, record: NumberedRecord, number: str, check: Checker, *,
                      withdrawn: enum.Enum, refused: str, taken: str) -> None:
    """Before correcting `record`: ValidationError (`refused`, at the reason) when it is withdrawn;
    `taken` failed in `check` at "number" when its corrected `number` is another record's."""
    if cast(_HasStatus, record).status is withdrawn:
        raise ValidationError({"reason": refused})
    if number_taken(change, type(record), record.village_id, number, current=record.number):
        check.fail("number", taken)


def withdraw(backend: Backend, actor: Actor, village_code: str, number: str, reason: str, *,
             entity: str, find: Callable[[Change, int, str], R], withdrawn: enum.Enum) -> R:
    """撤回: marks a record entered by mistake as withdrawn; it stays listed, with its reason logged."""
    check = Checker()
    reason = check.reason(reason)
    check.done()
    action = f"{entity}.withdraw"
    with backend.change(village_code, actor, action) as change:
        record = find(change, change.village().id, number)
        if cast(_HasStatus, record).status is withdrawn:
            raise ValidationError({"reason": say("该%(kind)s已经撤回", kind=backend.registry.name(entity))})
        amend(change, record, action, reason, status=withdrawn)
    return record


N = TypeVar("N", bound=NumberedRecord)


def create_numbered(backend: Backend, actor: Actor, village_code: str, model: type[N],
                    values: Mapping[str, Any], number_label: str) -> N:
    """新建: a record numbered in its village, logged as `<entity>.create` at version 1.
    ValidationError (nothing written) when another record of the village has its number."""
    with backend.change(village_code, actor, f"{model.audit_entity}.create") as change:
        return create_numbered_in(change, model, values, number_label)


def create_numbered_in(change: Change, model: type[N], values: Mapping[str, Any], number_label: str, *,
                       reason: str | None = None) -> N:
    """`create_numbered` inside an open change (which must allow `<entity>.create`), so one
    transaction can create many records (an import); ValidationError when the number is taken."""
    action = f"{model.audit_entity}.create"
    village_id = change.village_id()
    if number_taken(change, model, village_id, values["number"]):
        raise ValidationError({"number": say("%(label)s“%(number)s”已存在", label=number_label, number=values["number"])})
    make: Callable[..., N] = model  # a mapped class: its columns as keywords
    record = make(village_id=village_id, **values)
    record_created(change, record, action, reason)
    return record


def correct_numbered(backend: Backend, actor: Actor, village_code: str, number: str, model: type[N],
                     values: Mapping[str, Any], reason: str, *, find: Callable[[Change, int, str], N],
                     number_label: str, allowed: Callable[[Change, N], None] | None = None) -> N:
    """更正: sets `values` on record `number` and logs the new version with its reason.
    `allowed` may refuse the change (ValidationError) for the record as it stands."""
    action = f"{model.audit_entity}.correct"
    with backend.change(village_code, actor, action) as change:
        record = find(change, change.village_id(), number)
        if allowed is not None:
            allowed(change, record)
        if number_taken(change, model, record.village_id, values["number"], current=record.number):
            raise ValidationError({"number": say("%(label)s“%(number)s”已存在", label=number_label, number=values["number"])})
        amend(change, record, action, reason, **values)
    return record
