"""The committee's complaint desk (/committee/complaints): assign each complaint to a member, who
answers it in public. Own village only; every step is one audited entry, published at once (the
committee answering is itself the check; nobody approves it)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from portal.accounts.models import Role
from portal.app import backend
from portal.complaints import reads
from portal.complaints.forms import AnswerForm, AssignForm
from portal.complaints.labels import COMPLAINT_STATUS, FORM, KIND
from portal.complaints.services import assign, reply
from portal.kernel.errors import ValidationError
from portal.kernel.history import ROLES
from portal.kernel.messages import say
from portal.kernel.transaction import Actor
from portal.translations import translate
from portal.workspace.access import require_sign_in, village_actor
from portal.workspace.forms import show_errors

bp = Blueprint("desk", __name__, url_prefix="/committee/complaints")
CSRF_MESSAGE = "页面已过期或来源不明，未保存。请刷新页面后重新提交。"


require_sign_in(bp)


def _member() -> tuple[Actor, str]:
    return village_actor(Role.COMMITTEE)


@bp.get("/")
def queue() -> str:
    """投诉待办: owed answers first, overdue on top; then those awaiting the villager's word."""
    _actor, code = _member()
    return render_template("workspace/complaints.html", board=reads.desk(backend(), code, backend().today()),
                           statuses=COMPLAINT_STATUS, kinds=KIND, code=code)


@bp.route("/<number>", methods=["GET", "POST"])
def handle(number: str) -> Response | tuple[str, int] | str:
    """One complaint: assign it (any member), answer it (the assigned member)."""
    actor, code = _member()
    assigning, answering = AssignForm(), AnswerForm()
    problems: list[str] = []
    if request.method == "POST":
        form = assigning if request.form.get("step") == "assign" else answering
        if form.validate_on_submit():
            try:
                if form is assigning:
                    assign(backend(), actor, code, number, assigning.assignee.data or "")
                else:
                    reply(backend(), actor, code, number, answering.reply.data or "")
            except ValidationError as err:
                problems = show_errors(err, assigning, answering)
            else:
                done = say("已分派 %(number)s，分派记录已公开", number=number) if form is assigning else say(
                    "已答复 %(number)s，答复已公开", number=number)
                flash(translate(done))
                return redirect(url_for("complaints.desk.handle", number=number))
        else:
            problems = [CSRF_MESSAGE]
    detail, board = reads.desk_detail(backend(), code, number, backend().today())
    assigning.assignee.choices = [("", translate(FORM["choose"]))] + board.members
    page = render_template("workspace/complaint.html", d=detail, assigning=assigning, answering=answering,
                           problems=problems, statuses=COMPLAINT_STATUS, kinds=KIND, roles=ROLES, code=code,
                           mine=detail.view.complaint.assignee_id == actor.user_id)
    return (page, 400) if request.method == "POST" else page
