"""Staff pages (村干部、报账员), own village only: what needs doing, drafts, corrections, withdrawals."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from portal.accounts.models import Role
from portal.app import backend
from portal.drafts import services as drafts
from portal.drafts.models import Draft, DraftState
from portal.kernel.errors import NotFound, ValidationError
from portal.kernel.transaction import Actor
from portal.workspace import records, todo
from portal.workspace.access import actor_of
from portal.workspace.files import draft_file_response
from portal.workspace.forms import ActionForm, ReasonForm, form_fields, show_errors, uploads_of
from portal.workspace.printing import draft_pdf
from portal.workspace.review import review

bp = Blueprint("staff", __name__, url_prefix="/staff")
CSRF_MESSAGE = "页面已过期或来源不明，未保存。请刷新页面后重新提交。"


@bp.before_request
@login_required  # type: ignore[untyped-decorator]  # flask_login has no type information
def signed_in() -> None:
    """Every page here needs a signed-in account (anonymous readers go to the login page)."""


def _staff() -> Actor:
    return actor_of(Role.STAFF)


@bp.get("/")
def home() -> str:
    actor = _staff()
    assert actor.village is not None
    return render_template("workspace/staff_home.html", todo=todo.staff_todo(backend(), actor.village),
                           types=drafts.editable_types(backend()), verbs=drafts.VERBS)


@bp.route("/new/<entity>", methods=["GET", "POST"])
def new(entity: str) -> Response | tuple[str, int] | str:
    actor = _staff()
    editor = drafts.editor_of(backend(), entity)
    form = editor.form()
    return _edit(actor, entity, "create", form, None, None, None)


@bp.route("/drafts/<int:draft_id>/edit", methods=["GET", "POST"])
def edit(draft_id: int) -> Response | tuple[str, int] | str:
    actor = _staff()
    assert actor.village is not None
    draft = drafts.get_draft(backend(), actor, actor.village, draft_id)
    if draft.state not in drafts.EDITABLE:
        abort(409, "已提交或已发布的草稿不能再修改")
    editor = drafts.editor_of(backend(), draft.entity)
    form_type = editor.form_for(draft.verb)
    form = form_type() if request.method == "POST" else form_type(data=draft.fields)
    reason = ReasonForm() if request.method == "POST" else ReasonForm(data={"reason": draft.reason or ""})
    return _edit(actor, draft.entity, draft.verb, form, reason, draft, draft.target)


# `path`: a record numbered within another is named with a slash (a plan's vote: FA-2026-001/1).
@bp.route("/<entity>/<path:number>/<verb>", methods=["GET", "POST"])
def change(entity: str, number: str, verb: str) -> Response | tuple[str, int] | str:
    """更正 or 撤回 a published record (a draft prefilled with its current fields), or one of its
    type's own acts (通过 a plan)."""
    actor = _staff()
    assert actor.village is not None
    editor = drafts.editor_of(backend(), entity)
    built_in = {"correct": editor.correct, "withdraw": editor.withdraw}
    if verb not in editor.acts and built_in.get(verb) is None:
        raise NotFound("这类记录不能在此更正或撤回")
    current = editor.current(backend(), actor.village, number)  # NotFound: no such record
    form_type = editor.form_for(verb)
    form = form_type() if request.method == "POST" or verb in editor.acts else form_type(data=current)
    return _edit(actor, entity, verb, form, ReasonForm(), None, number)


def _edit(actor: Actor, entity: str, verb: str, form: Any, reason: ReasonForm | None, draft: Draft | None,
          target: str | None) -> Response | tuple[str, int] | str:
    """The edit page of a draft (new or saved): saves it, or saves and submits it."""
    assert actor.village is not None
    editor = drafts.editor_of(backend(), entity)
    reason = reason or ReasonForm()
    problems: list[str] = []
    record_form = verb not in ("withdraw", *editor.acts)  # the record's own fields, not an act's
    if record_form and editor.prepare is not None:
        editor.prepare(form, backend(), actor.village)
    if request.method == "POST":
        # A withdrawal sends no record fields: only its reason (and the CSRF token).
        valid = ActionForm().validate_on_submit() if verb == "withdraw" else form.validate_on_submit()
        if valid and reason.validate():
            submit = request.form.get("action") == "submit"
            fields = {} if verb == "withdraw" else form_fields(form)
            files = uploads_of(form, editor.file_fields) if record_form else {}
            data = drafts.DraftInput(entity, verb, fields, files, target, reason.reason.data)
            try:
                saved = drafts.save_draft(backend(), actor, actor.village, data,
                                          draft.id if draft else None, submit=submit)
            except ValidationError as err:
                problems = show_errors(err, form, reason)
            else:
                flash(_saved_message(saved))
                return redirect(url_for("staff.draft", draft_id=saved.id))
        elif not valid and (verb == "withdraw" or "csrf_token" in form.errors):
            problems = [CSRF_MESSAGE]
    status = 400 if request.method == "POST" else 200
    page = render_template("workspace/edit.html", form=form, reason=reason, editor=editor, draft=draft,
                           fields_template=editor.template if record_form else "workspace/_fields.html",
                           verb=verb, target=target, entity=entity, problems=problems,
                           name=backend().registry.name(entity), verbs=drafts.VERBS)
    return (page, status) if status != 200 else page


def _saved_message(draft: Draft) -> str:
    if draft.state is DraftState.PUBLISHED:
        return "已发布，并已记入审计日志"
    if draft.state is DraftState.SUBMITTED:
        return "已提交，等待监委会审核"
    return "草稿已保存（尚未提交，不公开）"


@bp.get("/drafts/<int:draft_id>")
def draft(draft_id: int) -> str:
    actor = _staff()
    assert actor.village is not None
    return render_template("workspace/draft.html", **review(actor, actor.village, draft_id), action=ActionForm(),
                           for_committee=False)


@bp.post("/drafts/<int:draft_id>/submit")
def submit(draft_id: int) -> Response:
    actor = _staff()
    assert actor.village is not None
    if ActionForm().validate_on_submit():
        try:
            flash(_saved_message(drafts.submit_draft(backend(), actor, actor.village, draft_id)))
        except ValidationError as err:
            flash("未能提交：" + str(err))
    return redirect(url_for("staff.draft", draft_id=draft_id))


@bp.post("/drafts/<int:draft_id>/discard")
def discard(draft_id: int) -> Response:
    actor = _staff()
    assert actor.village is not None
    if not ActionForm().validate_on_submit():
        abort(400, "表单已过期，请返回重试")
    drafts.discard_draft(backend(), actor, actor.village, draft_id)
    flash("草稿已删除")
    return redirect(url_for("staff.home"))


@bp.get("/drafts/<int:draft_id>/files/<field>")
def draft_file(draft_id: int, field: str) -> Response:
    """A file kept with a draft (a receipt's scan), for the village's staff only."""
    actor = _staff()
    assert actor.village is not None
    return draft_file_response(actor, actor.village, draft_id, field)


@bp.get("/drafts/<int:draft_id>.pdf")
def draft_print(draft_id: int) -> Response:
    """The draft on paper, for signatures before it is submitted."""
    actor = _staff()
    assert actor.village is not None
    return draft_pdf(actor.village, review(actor, actor.village, draft_id))


@bp.get("/records/<entity>")
def record_list(entity: str) -> str:
    """The village's published records of one type, to correct or withdraw."""
    actor = _staff()
    assert actor.village is not None
    editor = drafts.editor_of(backend(), entity)
    rows = records.published(backend(), actor.village, entity)
    return render_template("workspace/records.html", rows=rows, entity=entity, editor=editor,
                           name=backend().registry.name(entity))
