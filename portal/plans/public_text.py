"""Text published exactly as written (comments, replies, the note on a comment entered for a
villager): refused when it carries a mobile or ID number, since it cannot be masked."""
from __future__ import annotations

from portal.kernel.messages import say
from portal.kernel.privacy import carries_personal_number
from portal.kernel.transaction import Actor
from portal.kernel.validate import Checker
from portal.notices.services import multiline

ON_BEHALF_MAX = 200
STAFF = "staff"


def public_text(check: Checker, field: str, value: object, label: str, max_len: int) -> str:
    """The checked text; a message in `check` when it is missing, too long or carries a number."""
    text = check.text(field, multiline(value), label, max_len=max_len)
    if carries_personal_number(text):
        check.fail(field, say("%(label)s会全文公开，请不要写手机号或身份证号", label=label))
    return text


def on_behalf_note(check: Checker, actor: Actor, text: str) -> str | None:
    """代录说明: a comment staff enter for a villager says so and why; a villager's own does not."""
    if actor.role == STAFF:
        return public_text(check, "on_behalf", text, "代录说明", ON_BEHALF_MAX) or None
    if str(text or "").strip():
        check.fail("on_behalf", say("只有村干部代录的意见才有代录说明"))
    return None
