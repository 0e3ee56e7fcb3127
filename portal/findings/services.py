"""Findings (问题清单): recorded by the committee, each numbered ZG-<year>-<nnn>; every step
(open → rectifying → closed), every correction and a withdrawal is a logged change with its reason."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.findings.labels import FINDING_STATUS
from portal.findings.models import Finding, FindingStatus
from portal.kernel.base import NumberedRecord
from portal.kernel.errors import ValidationError
from portal.kernel.lifecycle import amend, record_created, withdraw
from portal.kernel.lookup import HasSession, find_numbered
from portal.kernel.messages import say
from portal.kernel.privacy import carries_personal_number
from portal.kernel.registry import Registry
from portal.kernel.transaction import Actor, Backend, Change
from portal.kernel.validate import Checker

PREFIX = "ZG-"
TEXT_MAX = 3000
MAX_RECORDS = 20
# Each step a finding may take, from the status it must be in to the status it leads to.
STEPS = {"rectify": (FindingStatus.OPEN, FindingStatus.RECTIFYING),
         "signoff": (FindingStatus.RECTIFYING, FindingStatus.CLOSED)}
_SPLIT = re.compile(r"[\s,，、;；]+")


@dataclass
class FindingInput:
    """A finding as the committee types it: `records` the numbers of the records it is about
    (合同号、收据号…, separated by spaces, commas or lines; `contract:HT-001` when a number is
    used by two kinds of record), `due_on` ISO text or a date."""

    title: str
    description: str
    records: str
    responsible: str
    due_on: str | date
    responsible_person: str = ""


def _public_text() -> str:
    return say("问题清单会全文公开，请不要写手机号或身份证号")


def find_finding(change_or_session: HasSession | Session, village_id: int, number: str) -> Finding:
    return find_numbered(change_or_session, Finding, village_id, number, "问题")


def _checked(backend: Backend, data: FindingInput, check: Checker, found_on: date) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": check.text("title", data.title, "问题", max_len=200),
        "description": check.text("description", data.description, "问题说明", max_len=TEXT_MAX),
        "responsible": check.text("responsible", data.responsible, "整改责任单位", max_len=100),
        "responsible_person": check.text("responsible_person", data.responsible_person, "整改责任人", max_len=100,
                                         required=False),
        "due_on": check.day("due_on", data.due_on, "整改期限"),
    }
    if values["due_on"] is not None and values["due_on"] < found_on:
        check.fail("due_on", say("整改期限不能早于发现日期（%(day)s）", day=found_on.isoformat()))
    for field in ("title", "description", "responsible", "responsible_person"):
        if carries_personal_number(values[field] or ""):
            check.fail(field, _public_text())
    raw = "" if data.records is None else str(data.records)
    if len(raw) > 2000:
        check.fail("records", say("涉及的记录太多（最多 %(n)s 条）", n=MAX_RECORDS))
    return values


def _numbered_types(registry: Registry) -> list[Any]:
    """The record types a finding may name: those numbered within the village."""
    return [t for t in registry if issubclass(t.model, NumberedRecord) and t.entity != "finding"]


def resolve_records(session: Session, registry: Registry, village_id: int, text: str) -> list[str]:
    """The records typed (numbers, or `entity:number`) as `entity:number`, in the order typed;
    ValidationError naming each number that is no record of the village, or is ambiguous."""
    tokens = list(dict.fromkeys(t for t in _SPLIT.split(text.strip()) if t))
    if len(tokens) > MAX_RECORDS:
        raise ValidationError({"records": say("涉及的记录太多（最多 %(n)s 条）", n=MAX_RECORDS)})
    if not tokens:
        return []
    types = _numbered_types(registry)
    wanted = {t.split(":", 1)[1] if ":" in t else t for t in tokens}
    found: dict[str, list[str]] = {}
    for record_type in types:
        model: Any = record_type.model
        for number in session.scalars(select(model.number).where(model.village_id == village_id,
                                                                 model.number.in_(wanted))):
            found.setdefault(number, []).append(record_type.entity)
    refs, problems = [], []
    for token in tokens:
        entity, _, number = token.rpartition(":")
        kinds = found.get(number, [])
        if entity:
            kinds = [k for k in kinds if k == entity]
        if not kinds:
            problems.append(say("找不到编号为“%(number)s”的记录", number=token[:40]))
        elif len(kinds) > 1:
            problems.append(say("编号“%(number)s”有多种记录，请写成 %(example)s", number=number[:40],
                                example=f"{kinds[0]}:{number[:40]}"))
        else:
            refs.append(f"{kinds[0]}:{number}")
    if problems:
        raise ValidationError({"records": "；".join(problems)})
    return refs


def _next_number(change: Change, village_id: int, year: int) -> str:
    """ZG-2026-001, ZG-2026-002…: numbered by the year found, under the log's write lock."""
    prefix = f"{PREFIX}{year}-"
    count = change.session.scalar(select(func.count()).select_from(Finding).where(
        Finding.village_id == village_id, Finding.number.startswith(prefix))) or 0
    return f"{prefix}{count + 1:03d}"


def create_finding(backend: Backend, actor: Actor, village_code: str, data: FindingInput) -> Finding:
    """Records a finding (status 待整改) and logs it; ValidationError on bad input."""
    today = backend.today()
    check = Checker()
    values = _checked(backend, data, check, today)
    check.done()
    with backend.change(village_code, actor, "finding.create") as change:
        village_id = change.village_id()
        refs = resolve_records(change.session, backend.registry, village_id, str(data.records or ""))
        finding = Finding(village_id=village_id, number=_next_number(change, village_id, today.year),
                          records="\n".join(refs), found_on=today, status=FindingStatus.OPEN, **values)
        record_created(change, finding, "finding.create")
    return finding


def correct_finding(backend: Backend, actor: Actor, village_code: str, number: str, data: FindingInput,
                    reason: str) -> Finding:
    """更正 a finding (its text, records, who or by when) with a reason; ValidationError (nothing
    written) on bad input, an unchanged finding or a withdrawn one."""
    check = Checker()
    with backend.db.read() as session:
        from portal.villages.services import find_village

        found_on = find_finding(session, find_village(session, village_code).id, number).found_on
    values = _checked(backend, data, check, found_on)
    reason = _public_reason(check, reason)
    check.done()
    with backend.change(village_code, actor, "finding.correct") as change:
        finding = find_finding(change, change.village_id(), number)
        if finding.status is FindingStatus.WITHDRAWN:
            raise ValidationError({"reason": say("该问题已撤回，不能再更正")})
        refs = resolve_records(change.session, backend.registry, finding.village_id, str(data.records or ""))
        amend(change, finding, "finding.correct", reason, records="\n".join(refs), **values)
    return finding


def withdraw_finding(backend: Backend, actor: Actor, village_code: str, number: str, reason: str) -> Finding:
    """撤回 a finding recorded by mistake: it stays listed as 已撤回, the reason logged; ValidationError
    when the reason is missing or carries a phone or ID number, or it is withdrawn already."""
    check = Checker()
    _public_reason(check, reason)
    check.done()
    return withdraw(backend, actor, village_code, number, reason, entity="finding", find=find_finding,
                    withdrawn=FindingStatus.WITHDRAWN)


def _public_reason(check: Checker, reason: str) -> str:
    """A correction's or withdrawal's reason: required, and published in full, so no personal number."""
    reason = check.reason(reason)
    if carries_personal_number(reason or ""):
        check.fail("reason", _public_text())
    return reason


def advance_finding(backend: Backend, actor: Actor, village_code: str, number: str, step: str,
                    reason: str) -> Finding:
    """开始整改 (rectify) or 销号 (signoff), with what was done as the reason."""
    check = Checker()
    reason = check.text("reason", reason, "情况说明", max_len=1000)
    if step not in STEPS:
        check.fail("step", say("未知的操作"))
    if carries_personal_number(reason):
        check.fail("reason", _public_text())
    check.done()
    before, after = STEPS[step]
    with backend.change(village_code, actor, f"finding.{step}") as change:
        finding = find_finding(change, change.village_id(), number)
        if finding.status is not before:
            raise ValidationError({"reason": say("该问题现在不能这样处理（当前状态：%(status)s）",
                                                 status=FINDING_STATUS[finding.status.value])})
        amend(change, finding, f"finding.{step}", reason, status=after)
    return finding


def finding_input_from(f: Finding) -> FindingInput:
    return FindingInput(title=f.title, description=f.description, records=" ".join(
        ref.split(":", 1)[1] for ref in f.record_refs), responsible=f.responsible,
        due_on=f.due_on.isoformat(), responsible_person=f.responsible_person)
