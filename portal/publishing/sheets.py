"""What every printed sheet has: the running head, the 演示数据 mark, money also in 大写, and the
witness block (QR of the online page, its address, the log checkpoint it was printed at)."""
from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import re
from urllib.parse import urlencode, urlsplit

from flask import render_template, url_for
from sqlalchemy import select
from markupsafe import Markup

from portal.kernel.history import Version
from portal.kernel.money import amount_in_words, format_money
from portal.publishing import pdf
from portal.kernel.clock import local_date
from portal.publishing.formatting import cn_datetime
from portal.publishing.qr import qr_svg
from portal.publishing.urls import public_url

_VILLAGE_PATH = re.compile(r"/v/([^/]+)/")


@dataclass(frozen=True)
class Checkpoint:
    """The log state a notice is printed at: size and root of the village's audit log, and when."""

    size: int
    root_hex: str
    printed_at: datetime

    @property
    def root_b64(self) -> str:
        """The root as the signed checkpoint (``/v/<code>/audit/checkpoint``) writes it."""
        return base64.b64encode(bytes.fromhex(self.root_hex)).decode("ascii") if self.root_hex else ""


def now_checkpoint(size: int, root_hex: str) -> Checkpoint:
    """The log state a sheet is printed at, stamped with the portal's clock."""
    from portal.app import backend

    return Checkpoint(size, root_hex, backend().clock())


def check_url(page_url: str, checkpoint: Checkpoint) -> str:
    """The 核对公告 page of the sheet's village with the printed size and root filled in, or ""
    when the page is not a village's."""
    found = _VILLAGE_PATH.search(urlsplit(page_url).path)
    if not found:
        return ""
    query = urlencode({"size": checkpoint.size, "root": checkpoint.root_b64})
    return public_url(url_for("auditlog.paper_check", code=found.group(1)), query)


def witness(page_url: str, checkpoint: Checkpoint) -> dict[str, Any]:
    """What the witness block at the end of every notice shows: the page's QR and address, the
    log state with the QR of the page that checks it against today's log, and the fingerprint
    of the key that signs the log, for villagers to compare with the site."""
    from portal.web import audit_key

    check = check_url(page_url, checkpoint)
    return {"url": page_url, "qr": qr_svg(page_url, scale=3, title="扫码查看网页版"),
            "size": checkpoint.size, "root": checkpoint.root_b64,
            "printed_at": cn_datetime(checkpoint.printed_at), "fingerprint": audit_key()["fingerprint"],
            "check_qr": qr_svg(check, scale=2, title="扫码核对日志") if check else ""}


def money_with_words(value: Decimal | str) -> str:
    """¥20,241.00（贰万零贰佰肆拾壹元整）"""
    amount = Decimal(value)
    return f"{format_money(amount)}（{amount_in_words(amount)}）"


def css_string(text: str) -> Markup:
    """`text` as a quoted CSS string, safe inside a <style> element (for @page margin boxes)."""
    escaped = "".join(f"\\{ord(ch):x} " if ch in '"\\<>\n\r' else ch for ch in text)
    return Markup(f'"{escaped}"')


# A sheet without a period of its own (a contract, a list) stays on the board at least this long.
PUBLICITY_DAYS = 7
_NOTE = re.compile(r"（[^（）]*）$")


def sign_off(code: str, name: str, start: date, end: date | None = None) -> dict[str, Any]:
    """What closes every sheet for the board: the 公示期 (`start` to `end`, else PUBLICITY_DAYS
    days), the 落款 (the village committee, dated `start`) with room for the 公章 beside it, and
    the 监督电话 of the supervisory committee ("" when the village has not given one)."""
    from portal.app import backend
    from portal.villages.models import Village

    with backend().db.read() as session:
        phone = session.scalar(select(Village.supervisor_phone).where(Village.code == code)) or ""
    return {"issuer": f"{_NOTE.sub('', name) or name}村民委员会", "dated": start, "start": start,
            "end": end or start + timedelta(days=PUBLICITY_DAYS - 1), "phone": phone}


def _record_period(detail: Any, printed_on: date) -> tuple[date, date | None]:
    """A record's own 公示期: a tender's publicity, a plan's comment period, a notice from its
    date; any other record from the day it is printed."""
    if tender := getattr(detail, "tender", None):
        return tender.publicity_start, tender.publicity_end
    plan = getattr(detail, "plan", None)
    if plan is not None and hasattr(plan, "comment_from"):
        return plan.comment_from, plan.comment_until
    if notice := getattr(detail, "notice", None):
        return notice.published_on, None
    return printed_on, None


def record_sign_off(detail: Any, checkpoint: Checkpoint) -> dict[str, Any]:
    start, end = _record_period(detail, local_date(checkpoint.printed_at))
    return sign_off(detail.village.code, detail.village.name, start, end)


def record_pdf(template: str, detail: Any, heading: str, page_url: str, checkpoint: Checkpoint,
                **context: Any) -> bytes:
    """One record (`detail` has .village and .history) as an A4 notice: running head
    "<village> · <heading>", the 演示数据 mark, the versions, the 公示期 and 落款, the witness block."""
    html = render_template(template, d=detail, demo=detail.village.is_demo,
                           running_head=css_string(f"{detail.village.name} · {heading}"),
                           latest=detail.history[-1] if detail.history else None,
                           signoff=record_sign_off(detail, checkpoint),
                           witness=witness(page_url, checkpoint), **context)
    return pdf.render_pdf(html)


def qr_sheet_pdf(detail: Any, heading: str, title: str, page_url: str, checkpoint: Checkpoint) -> bytes:
    """A page holding only the QR box of a record (`?sheet=qr`): for a notice the village printed
    itself, posted beside it so a villager can open the page and check the log."""
    html = render_template("print/qr_sheet.html", d=detail, demo=detail.village.is_demo, title=title,
                           running_head=css_string(f"{detail.village.name} · {heading}"),
                           signoff=record_sign_off(detail, checkpoint),
                           witness=witness(page_url, checkpoint))
    return pdf.render_pdf(html)


def latest_change(history: list[Version]) -> Version | None:
    """The newest version that changed the record (更正, 撤回…), or None if it was never changed."""
    return next((v for v in reversed(history) if v.version and v.version > 1), None)
