"""监委会工作台 — the committee's audit desk (own village only): the log as a timeline."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, url_for

from portal.accounts.models import Role
from portal.app import backend
from portal.auditdesk import alerts as alert_reads
from portal.auditdesk import timeline as log_reads
from portal.auditdesk import verification
from portal.kernel.history import ACTIONS
from portal.kernel.messages import say
from portal.kernel.transaction import Actor
from portal.publishing.lists import choice_arg, text_arg
from portal.publishing.query import arg
from portal.translations import translate
from portal.workspace.access import require_sign_in, village_actor
from portal.workspace.forms import ActionForm
from werkzeug.wrappers import Response

bp = Blueprint("auditdesk", __name__, url_prefix="/committee")


require_sign_in(bp)


def _member() -> tuple[Actor, str]:
    return village_actor(Role.COMMITTEE)


def _date_arg(name: str, label: str) -> date | None:
    """A date typed as 2026-11-23; 400 with a message otherwise."""
    raw = arg(name).strip()
    if not raw:
        return None
    try:
        if len(raw) != 10:
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        abort(400, say("%(label)s“%(raw)s”无效，请按 2026-11-23 的格式填写", label=label, raw=raw[:20]))


def _page() -> int:
    raw = arg("page", "1").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6 or int(raw) < 1:
        abort(400, say("页码“%(raw)s”无效，请填写从 1 开始的整数", raw=raw[:20]))
    return int(raw)


def _filters() -> log_reads.LogFilters:
    filters = log_reads.LogFilters(
        entity=choice_arg("kind", [t.entity for t in backend().registry]),
        actor=text_arg("actor", 64),
        verb=choice_arg("action", tuple(ACTIONS)),
        start=_date_arg("start", "开始日期"),
        end=_date_arg("end", "结束日期"),
        unseen=choice_arg("unseen", ("1",)) == "1",
    )
    if filters.start and filters.end and filters.start > filters.end:
        abort(400, say("开始日期不能晚于结束日期"))
    return filters


@bp.get("/log")
def log() -> str:
    """审计日志: every change of the village, newest first, as a diff with its reason and approver."""
    actor, code = _member()
    filters, page = _filters(), _page()
    assert actor.user_id is not None
    seen = log_reads.note_visit(backend(), actor.user_id, code)
    found = log_reads.timeline(backend(), code, filters, page, seen)
    return render_template("workspace/desk_log.html", t=found, filters=filters, actions=ACTIONS)


def desk_summary(actor: Actor, code: str) -> dict[str, object]:
    """What the committee's home shows of the audit desk: entries new since the member last
    looked at the log, the latest integrity check, and how many alerts of each kind."""
    assert actor.user_id is not None
    new, seen_at = log_reads.unseen_count(backend(), actor.user_id, code)
    found = alert_reads.village_alerts(backend(), code)
    return {"new": new, "seen_at": seen_at, "verdict": verification.latest_verdict(backend(), code),
            "verify": ActionForm(), "alerts": [(g.title, g.total) for g in found.groups if g.total]}


@bp.get("/alerts")
def alerts() -> str:
    """告警: what needs the committee's attention, each linked to its record."""
    _actor, code = _member()
    return render_template("workspace/desk_alerts.html", a=alert_reads.village_alerts(backend(), code))


@bp.get("/integrity")
def integrity() -> str:
    """The latest integrity check of the village's log, and the button that runs one now."""
    _actor, code = _member()
    return render_template("workspace/desk_integrity.html", verdict=verification.latest_verdict(backend(), code),
                           verify=ActionForm())


@bp.post("/integrity")
def verify_now() -> Response:
    """立即核验: the full check (chain, root, signed checkpoints, live rows), its result recorded."""
    actor, code = _member()
    if not ActionForm().validate_on_submit():
        abort(400, say("页面已过期或来源不明，未核验。请刷新页面后重试。"))
    verdict = verification.check_village(backend(), code, verification.DESK, actor.label)
    flash(translate(verdict.headline))
    return redirect(url_for("auditdesk.integrity"))
