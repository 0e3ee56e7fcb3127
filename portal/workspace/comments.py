"""Answering villagers' comments (/staff/replies, /committee/replies) and entering a comment for a
villager without a phone (/staff/comments/new).

Both publish at once, each as one audited entry (`plan_comment.reply`, `plan_comment.create`), not
through a draft: a reply is the village's own answer, given by staff or a committee member under
their name (the committee approving its own answers would check nothing), and a comment is the
villager's words, which nobody may hold back; the log names who entered either.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from portal.accounts.models import Role
from portal.app import backend
from portal.drafts.editor import choices
from portal.kernel.errors import NotFound, ValidationError
from portal.kernel.messages import say
from portal.kernel.transaction import Actor
from portal.plans import reads as plan_reads
from portal.plans.forms import NO_PLAN, OnBehalfForm, ReplyForm
from portal.plans.services import CommentInput, add_comment, reply_to_comment
from portal.workspace.access import actor_of, require_sign_in
from portal.workspace.forms import show_errors
from portal.translations import translate

bp = Blueprint("comments", __name__)
CSRF_MESSAGE = "页面已过期或来源不明，未保存。请刷新页面后重新提交。"


require_sign_in(bp)


def _desk(desk: str) -> tuple[Actor, str]:
    """The signed-in staff or committee member (as the address says) and their village; 403 otherwise."""
    actor = actor_of(Role(desk))
    assert actor.village is not None
    return actor, actor.village


# Static prefixes (not an <any(…)> part), so these win over /staff/<entity>/<number>/<verb>.
@bp.get("/staff/replies", defaults={"desk": "staff"})
@bp.get("/committee/replies", defaults={"desk": "committee"})
def replies(desk: str) -> str:
    """意见待答复: every comment of the village nobody has answered yet, oldest first."""
    _actor, code = _desk(desk)
    return render_template("workspace/replies.html", side=desk, comments=plan_reads.awaiting_reply(backend(), code))


@bp.route("/staff/replies/<plan>/<int:number>", methods=["GET", "POST"], defaults={"desk": "staff"})
@bp.route("/committee/replies/<plan>/<int:number>", methods=["GET", "POST"], defaults={"desk": "committee"})
def reply(desk: str, plan: str, number: int) -> Response | tuple[str, int] | str:
    """答复 one comment, or change an answer already given (with a reason)."""
    actor, code = _desk(desk)
    comment = plan_reads.comment_detail(backend(), code, plan, number)  # NotFound
    form = ReplyForm() if request.method == "POST" else ReplyForm(data={"reply": comment.reply})
    problems: list[str] = []
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                reply_to_comment(backend(), actor, code, plan, number, form.reply.data or "",
                                 replied_on=form.replied_on.data or None, reason=form.reason.data or "")
            except ValidationError as err:
                problems = show_errors(err, form)
            else:
                flash(translate(say("已答复方案 %(plan)s 第 %(number)s 条意见，答复已公开并记入审计日志", plan=plan, number=number)))
                return redirect(url_for("comments.replies", desk=desk))
        elif "csrf_token" in form.errors:
            problems = [CSRF_MESSAGE]
    page = render_template("workspace/reply.html", side=desk, comment=comment, form=form, problems=problems)
    return (page, 400) if request.method == "POST" else page


@bp.route("/staff/comments/new", methods=["GET", "POST"])
def on_behalf() -> Response | tuple[str, int] | str:
    """代录: a villager without a phone gives their comment at the village office; staff type it
    in, and the comment is published marked with who entered it and why."""
    actor, code = _desk("staff")
    form = OnBehalfForm()
    form.plan.choices = choices({"": NO_PLAN} | {n: f"{n} {t}" for n, t in plan_reads.plans_open_for_comment(backend(), code)})
    problems: list[str] = []
    if request.method == "POST":
        if form.validate_on_submit():
            plan = (form.plan.data or "").strip()
            data = CommentInput(commenter_name=form.commenter_name.data or "", body=form.body.data or "",
                                group_name=form.group_name.data or "", submitted_on=form.submitted_on.data or None,
                                on_behalf=form.on_behalf.data or "")
            try:
                if not plan:
                    raise ValidationError({"plan": say("请选择对哪个方案的意见")})
                comment = add_comment(backend(), actor, code, plan, data)
            except NotFound as err:
                problems = show_errors(ValidationError({"plan": str(err)}), form)
            except ValidationError as err:
                problems = show_errors(err, form)
            else:
                flash(translate(say("已代录并公开：方案 %(plan)s 第 %(number)s 条意见", plan=plan, number=comment.number)))
                return redirect(f"/v/{code}/plans/{plan}#comment-{comment.number}")
        elif "csrf_token" in form.errors:
            problems = [CSRF_MESSAGE]
    page = render_template("workspace/on_behalf.html", form=form, problems=problems)
    return (page, 400) if request.method == "POST" else page
