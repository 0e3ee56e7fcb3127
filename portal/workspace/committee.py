"""Committee pages (村务监督委员会), own village only: drafts waiting for approval, approve or return."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from portal.accounts.models import Role
from portal.app import backend
from portal.auditdesk.views import desk_summary
from portal.complaints import reads as complaint_reads
from portal.drafts import services as drafts
from portal.drafts.models import DraftState
from portal.kernel.errors import ValidationError
from portal.kernel.messages import joined, say
from portal.kernel.transaction import Actor
from portal.translations import N_, translate
from portal.plans import reads as plan_reads
from portal.workspace.access import require_sign_in, village_actor
from portal.workspace.files import draft_file_response
from portal.workspace.forms import ActionForm, ReturnForm
from portal.workspace.review import DRAFT_STATES, review

bp = Blueprint("committee", __name__, url_prefix="/committee")
RECENT = 20


require_sign_in(bp)


def _member() -> tuple[Actor, str]:
    return village_actor(Role.COMMITTEE)


@bp.get("/")
def home() -> str:
    actor, code = _member()
    waiting = drafts.drafts_of(backend(), code, DraftState.SUBMITTED)
    decided = drafts.drafts_of(backend(), code, DraftState.PUBLISHED, DraftState.RETURNED)[:RECENT]
    names = drafts.names_of(backend(), {d.author_id for d in waiting + decided} |
                            {d.reviewer_id for d in decided if d.reviewer_id})
    unanswered = len(plan_reads.awaiting_reply(backend(), code))
    complaints = complaint_reads.desk(backend(), code, backend().today())
    return render_template("workspace/committee_home.html", waiting=waiting, decided=decided, names=names,
                           unanswered=unanswered, complaints=complaints, actor=actor, audit_desk=desk_summary(actor, code),
                           kinds={d.entity: drafts.kind_name(backend(), d.entity) for d in waiting + decided},
                           verbs=drafts.verb_names(backend()), states=DRAFT_STATES)


@bp.get("/drafts/<int:draft_id>")
def draft(draft_id: int, returning: ReturnForm | None = None) -> str:
    actor, code = _member()
    return render_template("workspace/draft.html", **review(actor, code, draft_id), action=ActionForm(),
                           returning=returning or ReturnForm(), for_committee=True)


@bp.get("/drafts/<int:draft_id>/files/<field>")
def draft_file(draft_id: int, field: str) -> Response:
    """A file kept with a submitted draft (a receipt's scan), to check before approving."""
    actor, code = _member()
    return draft_file_response(actor, code, draft_id, field)


@bp.post("/drafts/<int:draft_id>/approve")
def approve(draft_id: int) -> Response:
    actor, code = _member()
    if not ActionForm().validate_on_submit():
        abort(400, N_("页面已过期或来源不明，未批准。请刷新页面后重试。"))
    try:
        published = drafts.approve_draft(backend(), actor, code, draft_id)
    except ValidationError as err:
        flash(translate(say("未能发布：%(problem)s。可以把它退回给村干部修改。", problem=joined(list(err.errors.values())))))
        return redirect(url_for("committee.draft", draft_id=draft_id))
    flash(translate(say("已批准并发布：%(title)s（审计日志第 %(seq)s 条）", title=published.title, seq=published.published_seq)))
    return redirect(url_for("committee.home"))


@bp.post("/drafts/<int:draft_id>/return")
def send_back(draft_id: int) -> Response | tuple[str, int]:
    actor, code = _member()
    form = ReturnForm()
    if form.validate_on_submit():
        try:
            drafts.return_draft(backend(), actor, code, draft_id, form.comment.data or "")
        except ValidationError as err:
            form.comment.errors = [*form.comment.errors, *err.errors.values()]
        else:
            flash(N_("已退回，村干部会看到您的意见"))
            return redirect(url_for("committee.home"))
    return draft(draft_id, returning=form), 400
