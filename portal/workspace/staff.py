"""Staff pages (村干部、报账员), own village only: what needs doing, drafts, corrections, withdrawals."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from portal.accounts.models import Role
from portal.app import backend
from portal.drafts import services as drafts
from portal.drafts.editor import Editor
from portal.drafts.models import Draft, DraftState
from portal.kernel.errors import NotFound, ValidationError
from portal.kernel.messages import joined, say
from portal.kernel.transaction import Actor
from portal.translations import N_, translate
from portal.workspace import records, todo
from portal.workspace.access import actor_of, require_sign_in
from portal.workspace.files import draft_file_response
from portal.workspace.forms import (
    ActionForm,
    ReasonForm,
    form_fields,
    read_upload,
    show_errors,
    text_uploads,
    uploads_of,
)
from portal.workspace.printing import draft_pdf
from portal.workspace.review import review

bp = Blueprint("staff", __name__, url_prefix="/staff")
CSRF_MESSAGE = N_("页面已过期或来源不明，未保存。请刷新页面后重新提交。")


require_sign_in(bp)


def _staff() -> Actor:
    return actor_of(Role.STAFF)


@bp.get("/")
def home() -> str:
    actor = _staff()
    assert actor.village is not None
    return render_template("workspace/staff_home.html", todo=todo.staff_todo(backend(), actor.village),
                           types=drafts.editable_types(backend()), imports=drafts.importable_types(backend()),
                           verbs=drafts.verb_names(backend()))


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
        abort(409, N_("已提交或已发布的草稿不能再修改"))
    if draft.verb == "import":
        abort(409, N_("导入的文件不能逐条修改：请删除这份草稿，改好文件后重新导入"))
    form_class = drafts.form_of(drafts.editor_of(backend(), draft.entity), draft.verb)
    form = form_class() if request.method == "POST" else form_class(data=draft.fields)
    reason = ReasonForm() if request.method == "POST" else ReasonForm(data={"reason": draft.reason or ""})
    return _edit(actor, draft.entity, draft.verb, form, reason, draft, draft.target)


# `path`: a record numbered within another is named with a slash (a plan's vote: FA-2026-001/1).
@bp.route("/<entity>/<path:number>/<verb>", methods=["GET", "POST"])
def change(entity: str, number: str, verb: str) -> Response | tuple[str, int] | str:
    """更正, 撤回 or another act (解除 a contract, 通过 a plan) on a published record; a correction
    starts from its current fields."""
    actor = _staff()
    assert actor.village is not None
    editor = drafts.editor_of(backend(), entity)
    if not ((verb == "correct" and editor.correct) or (verb == "withdraw" and editor.withdraw)
            or verb in editor.verbs):
        raise NotFound(N_("这类记录不能在此这样修改"))
    current = editor.current(backend(), actor.village, number)  # NotFound: no such record
    form_class = drafts.form_of(editor, verb)
    form = form_class() if request.method == "POST" else form_class(data=current if verb == "correct" else None)
    return _edit(actor, entity, verb, form, ReasonForm(), None, number)


def _edit(actor: Actor, entity: str, verb: str, form: Any, reason: ReasonForm | None, draft: Draft | None,
          target: str | None) -> Response | tuple[str, int] | str:
    """The edit page of a draft (new or saved): saves it, saves and submits it, or shows what
    submitting it would publish (预览: the diff and the editor's preview) without saving."""
    assert actor.village is not None
    editor = drafts.editor_of(backend(), entity)
    reason = reason or ReasonForm()
    problems: list[str] = []
    shown: dict[str, Any] = {}
    record_form = verb not in ("withdraw", *editor.verbs)  # the record's own fields, not an act's
    if record_form and editor.prepare is not None:
        editor.prepare(form, backend(), actor.village)
    if request.method == "POST":
        # A withdrawal sends no record fields: only its reason (and the CSRF token).
        valid = ActionForm().validate_on_submit() if verb == "withdraw" else form.validate_on_submit()
        if valid and reason.validate():
            action = request.form.get("action")
            try:
                data = _draft_input(editor, entity, verb, form, target, reason)
                if action == "preview":
                    shown = _preview(actor, data, draft)
                else:
                    saved = drafts.save_draft(backend(), actor, actor.village, data,
                                              draft.id if draft else None, submit=action == "submit")
                    flash(_saved_message(saved))
                    return redirect(url_for("staff.draft", draft_id=saved.id))
            except ValidationError as err:
                problems = show_errors(err, form, reason)
        elif not valid and (verb == "withdraw" or "csrf_token" in form.errors):
            problems = [CSRF_MESSAGE]
    status = 400 if request.method == "POST" and not shown else 200
    page = render_template("workspace/edit.html", form=form, reason=reason, editor=editor, draft=draft,
                           verb=verb, target=target, entity=entity, problems=problems,
                           name=backend().registry.name(entity), verbs=drafts.verb_names(backend()),
                           extra=editor.context(backend(), actor.village) if editor.context else {},
                           template=editor.template if verb in ("create", "correct") else "workspace/_fields.html",
                           **shown)
    return (page, status) if status != 200 else page


def _draft_input(editor: Editor, entity: str, verb: str, form: Any, target: str | None,
                 reason: ReasonForm) -> drafts.DraftInput:
    """What the edit page sent, as a draft (an uploaded text file read into its text field)."""
    if verb == "withdraw":
        return drafts.DraftInput(entity, verb, {}, {}, target, reason.reason.data)
    texts = text_uploads(form, editor.text_files) if verb in ("create", "correct") else {}
    return drafts.DraftInput(entity, verb, {**form_fields(form), **texts}, uploads_of(form, editor.file_fields),
                             target, reason.reason.data)


def _preview(actor: Actor, data: drafts.DraftInput, draft: Draft | None) -> dict[str, Any]:
    """The template values of 预览: what would change, and the editor's preview of it."""
    assert actor.village is not None
    unsaved, rehearsal = drafts.preview_draft(backend(), actor, actor.village, data, draft.id if draft else None)
    editor = drafts.editor_of(backend(), data.entity)
    preview = (editor.preview([entry["data"] for entry in rehearsal.entries])
               if editor.preview and rehearsal.entries else None)
    return {"previewed": True, "changes": drafts.changes(backend(), actor.village, unsaved, rehearsal),
            "preview": preview}


def _saved_message(draft: Draft) -> str:
    if draft.state is DraftState.PUBLISHED:
        return N_("已发布，并已记入审计日志")
    if draft.state is DraftState.SUBMITTED:
        return N_("已提交，等待监委会审核")
    return N_("草稿已保存（尚未提交，不公开）")


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
            flash(translate(say("未能提交：%(problem)s", problem=joined(list(err.errors.values())))))
    return redirect(url_for("staff.draft", draft_id=draft_id))


@bp.post("/drafts/<int:draft_id>/discard")
def discard(draft_id: int) -> Response:
    actor = _staff()
    assert actor.village is not None
    if not ActionForm().validate_on_submit():
        abort(400, N_("表单已过期，请返回重试"))
    drafts.discard_draft(backend(), actor, actor.village, draft_id)
    flash(N_("草稿已删除"))
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


@bp.route("/<entity>/import", methods=["GET", "POST"])
def import_file(entity: str) -> Response | tuple[str, int] | str:
    """导入: a file of many records (a village's parcel file), checked whole, kept as one draft
    and published, once approved, as one audited change."""
    actor = _staff()
    assert actor.village is not None
    editor = drafts.editor_of(backend(), entity)
    if editor.batch is None:
        raise NotFound(N_("这类记录不能导入文件"))
    form = editor.batch.form()
    problems: list[str] = []
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                saved = _import(actor, editor, entity, form)
            except ValidationError as err:
                problems = show_errors(err, form)
            else:
                flash(_saved_message(saved))
                return redirect(url_for("staff.draft", draft_id=saved.id))
        elif "csrf_token" in form.errors:
            problems = [CSRF_MESSAGE]
    page = render_template("workspace/import.html", form=form, editor=editor, entity=entity, problems=problems,
                           name=backend().registry.name(entity))
    return (page, 400) if request.method == "POST" else page


def _import(actor: Actor, editor: Editor, entity: str, form: Any) -> Draft:
    assert actor.village is not None and editor.batch is not None
    chosen = read_upload(form, "file")
    if chosen is None:
        raise ValidationError({"file": say("请选择要导入的文件")})
    options = {k: v for k, v in form_fields(form).items() if k not in ("file", "reason")}
    rows = editor.batch.read(backend(), actor.village, chosen[1], options)
    data = drafts.DraftInput(entity, "import", {"source": chosen[0]}, {}, None, form.reason.data, batch=rows)
    return drafts.save_draft(backend(), actor, actor.village, data, submit=request.form.get("action") == "submit")


@bp.get("/records/<entity>")
def record_list(entity: str) -> str:
    """The village's published records of one type, to correct or withdraw."""
    actor = _staff()
    assert actor.village is not None
    editor = drafts.editor_of(backend(), entity)
    rows = records.published(backend(), actor.village, entity)
    return render_template("workspace/records.html", rows=rows, entity=entity, editor=editor,
                           name=backend().registry.name(entity), verbs=drafts.verb_names(backend()))
