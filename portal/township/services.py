"""Townships by code: made on the server (CLI, demo). Not audited: a code and a name, no
village's record (the accounts scoped to a township are, with their township in the log)."""
from __future__ import annotations

from sqlalchemy import select

from portal.kernel.errors import ValidationError
from portal.kernel.messages import say
from portal.kernel.transaction import Backend
from portal.kernel.validate import Checker
from portal.township.models import Township
from portal.villages.services import CODE_PATTERN


def create_township(backend: Backend, code: str, name: str) -> Township:
    """Adds township `code` named `name` (the name its villages give as their 所属乡镇);
    ValidationError names what is wrong or already taken."""
    check = Checker()
    code = check.text("code", code, "乡镇编码", max_len=32)
    if code and not CODE_PATTERN.match(code):
        check.fail("code", say("乡镇编码只能用小写字母、数字和连字符，以字母开头，2–32 个字符（例如 lianhua）"))
    name = check.text("name", name, "乡镇名称", max_len=100)
    check.done()
    with backend.db.write("_township") as session:
        if session.get(Township, code) is not None:
            raise ValidationError({"code": say("乡镇编码“%(code)s”已被使用", code=code)})
        if session.scalar(select(Township.code).where(Township.name == name)):
            raise ValidationError({"name": say("乡镇“%(name)s”已有编码", name=name)})
        township = Township(code=code, name=name)
        session.add(township)
    return township
