"""Villages: creating one starts its audit log (seq 0 is `village.create`)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from portal.kernel.errors import NotFound, ValidationError
from portal.kernel.messages import say
from portal.kernel.transaction import Actor, Backend
from portal.kernel.validate import Checker
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
    phone = check.text("supervisor_phone", data.supervisor_phone, "监督电话", max_len=40, required=False)
    if phone and not PHONE_PATTERN.match(phone):
        check.fail("supervisor_phone", say("监督电话只能写数字、空格和连字符（例如 0592-7100001）"))
    check.done()
    with backend.change(code, actor, "village.create") as change:
        if change.session.scalar(select(Village.id).where(Village.code == code)):
            raise ValidationError({"code": say("村编码“%(code)s”已被使用", code=code)})
        village = Village(code=code, name=name, township=township, county=county,
                          is_demo=data.is_demo, supervisor_phone=phone, created_at=change.now())
        change.session.add(village)
        change.record("village.create", village)
    return village


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

