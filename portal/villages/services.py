"""Villages: creating one starts its audit log (seq 0 is `village.create`); its staff later
correct the 监督电话 (`village.correct`) and keep the parcel map's landmarks (`village.landmark`),
each change a new version of the village in its log."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from portal.kernel.errors import NotFound, ValidationError
from portal.kernel.messages import say
from portal.kernel.transaction import Actor, Backend, Change
from portal.kernel.validate import REASON_MAX, Checker
from portal.villages.labels import LANDMARK_KINDS
from portal.villages.landmarks import MAX_LANDMARKS, NAME_MAX, Landmark, landmarks_of, parse_points
from portal.villages.models import Village

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,31}$")
PHONE_PATTERN = re.compile(r"^[0-9][0-9 -]{2,38}[0-9]$")


@dataclass
class VillageInput:
    """A village as it is registered: `code` (e.g. lianban) names its log and its URLs. The service
    trims and checks every text (ValidationError with a message each)."""

    code: str
    name: str
    township: str
    county: str = ""
    is_demo: bool = False  # 演示数据: the demo village, marked as such on every page
    supervisor_phone: str = ""  # 监督电话: the supervisory committee's number, on every printed notice


def create_village(backend: Backend, actor: Actor, data: VillageInput) -> Village:
    """Registers a village and writes the first entry of its log; raises ValidationError."""
    check = Checker()
    code = check.text("code", data.code, "村编码", max_len=32)
    if code and not CODE_PATTERN.match(code):
        check.fail("code", say("村编码只能用小写字母、数字和连字符，以字母开头，2–32 个字符（例如 lianban）"))
    name = check.text("name", data.name, "村名", max_len=100)
    township = check.text("township", data.township, "所属乡镇", max_len=100)
    county = check.text("county", data.county, "所属县（区）", max_len=100, required=False)
    phone = _phone(check, data.supervisor_phone, required=False)
    check.done()
    with backend.change(code, actor, "village.create") as change:
        if change.session.scalar(select(Village.id).where(Village.code == code)):
            raise ValidationError({"code": say("村编码“%(code)s”已被使用", code=code)})
        village = Village(code=code, name=name, township=township, county=county,
                          is_demo=data.is_demo, supervisor_phone=phone, created_at=change.now())
        change.session.add(village)
        change.record("village.create", village)
    return village


def _phone(check: Checker, value: str, *, required: bool) -> str:
    phone = check.text("supervisor_phone", value, "监督电话", max_len=40, required=required)
    if phone and not PHONE_PATTERN.match(phone):
        check.fail("supervisor_phone", say("监督电话只能写数字、空格和连字符（例如 0592-7100001）"))
    return phone


def _new_version(change: Change, village: Village, action: str, reason: str | None, before: dict[str, Any]) -> None:
    """Logs the village's new state as its next version; a change that changes nothing is refused."""
    if village.public_state() == before:
        raise ValidationError({"reason": say("没有任何改动，无需更正")})
    village.version += 1
    change.record(action, village, reason)


def change_supervisor_phone(backend: Backend, actor: Actor, code: str, phone: str, reason: str) -> Village:
    """更正监督电话: the number every bulletin-board sheet prints from now on, with the reason,
    as `village.correct`. ValidationError (nothing written) for a number that is not digits,
    spaces and hyphens, or without a reason; PermissionDenied for anyone but the village's staff."""
    check = Checker()
    phone = _phone(check, phone, required=True)
    reason = check.reason(reason)
    check.done()
    with backend.change(code, actor, "village.correct") as change:
        village = cast(Village, change.village())
        before = village.public_state()
        village.supervisor_phone = phone
        _new_version(change, village, "village.correct", reason, before)
    return village


@dataclass
class LandmarkInput:
    """A landmark as the staff form sends it: `points` as text, "710,740" or "0,710 2400,710"."""

    kind: str
    name: str
    points: str


def _checked_landmark(data: LandmarkInput, reason: str) -> tuple[str, str, list[list[int]], str | None]:
    check = Checker()
    kind = data.kind.strip()
    if kind not in LANDMARK_KINDS:
        check.fail("kind", say("请选择地标的类别"))
    name = check.text("name", data.name, "地标名称", max_len=NAME_MAX)
    points = parse_points(check, "points", data.points, kind if kind in LANDMARK_KINDS else "")
    note = check.text("reason", reason, "说明", max_len=REASON_MAX, required=False)
    check.done()
    return kind, name, points, note or None


def save_landmark(backend: Backend, actor: Actor, code: str, data: LandmarkInput, number: int | None = None,
                  reason: str = "") -> Landmark:
    """Adds a landmark to the village's map (`number` None: numbered after the last), or changes
    landmark `number`, as `village.landmark` with the optional `reason`. ValidationError
    (nothing written) for a bad field, NotFound for an unknown number."""
    kind, name, points, note = _checked_landmark(data, reason)
    with backend.change(code, actor, "village.landmark") as change:
        village = cast(Village, change.village())
        before = village.public_state()
        marks = landmarks_of(village.landmarks)
        if number is None:
            if len(marks) >= MAX_LANDMARKS:
                raise ValidationError({"name": say("一个村最多 %(most)s 个地标", most=MAX_LANDMARKS)})
            number = max((m.number for m in marks), default=0) + 1
        elif not any(m.number == number for m in marks):
            raise NotFound(say("没有第 %(number)s 号地标", number=number))
        saved = Landmark(number, kind, name, points)
        village.landmarks = [m.stored() for m in sorted([*(m for m in marks if m.number != number), saved],
                                                        key=lambda m: m.number)]
        _new_version(change, village, "village.landmark", note, before)
    return saved


def remove_landmark(backend: Backend, actor: Actor, code: str, number: int, reason: str = "") -> None:
    """Takes landmark `number` off the village's map, as `village.landmark`; NotFound if none."""
    check = Checker()
    note = check.text("reason", reason, "说明", max_len=REASON_MAX, required=False)
    check.done()
    with backend.change(code, actor, "village.landmark") as change:
        village = cast(Village, change.village())
        before = village.public_state()
        marks = landmarks_of(village.landmarks)
        if not any(m.number == number for m in marks):
            raise NotFound(say("没有第 %(number)s 号地标", number=number))
        village.landmarks = [m.stored() for m in marks if m.number != number]
        _new_version(change, village, "village.landmark", note or None, before)


_BY_CODE = select(Village).where(Village.code == bindparam("code"))  # built once: every village page asks


def get_village(session: Session, code: str) -> Village | None:
    return session.scalar(_BY_CODE, {"code": code})


def list_villages(session: Session) -> list[Village]:
    return list(session.scalars(select(Village).order_by(Village.code)))


def find_village(session: Session, code: str) -> Village:
    village = get_village(session, code)
    if village is None:
        raise NotFound(say("没有编码为“%(code)s”的村", code=code))
    return village

