"""A draft as staff and the committee review it: its fields, and what publishing it would change."""
from __future__ import annotations

from typing import Any

from portal.accounts.models import Role
from portal.app import backend
from portal.drafts import services as drafts
from portal.drafts.editor import Editor
from portal.drafts import uploads
from portal.drafts.models import Draft, DraftState
from portal.kernel.errors import ValidationError
from portal.kernel.transaction import Actor


def review(actor: Actor, code: str, draft_id: int) -> dict[str, Any]:
    """A draft with what publishing it would change (and the editor's preview of it: a
    contract's payment schedule, a parcel's outline), or why it would be refused now."""
    found = drafts.get_draft(backend(), actor, code, draft_id)
    editor = drafts.draft_editor(backend(), found.entity)
    changes, problems, preview = [], [], None
    if found.state in (*drafts.EDITABLE, DraftState.SUBMITTED):
        try:
            rehearsal = drafts.rehearse(backend(), _author(actor, found), code, found)
        except ValidationError as err:
            problems = list(err.errors.values())
        else:
            changes = drafts.changes(backend(), code, found, rehearsal)
            if editor.preview and rehearsal.entries:
                preview = editor.preview([entry["data"] for entry in rehearsal.entries])
    form = drafts.form_of(editor, found.verb)(data=found.fields)
    files = {name: uploads.media_type(backend().files_dir, found.fields[name])
             for name in editor.file_fields if found.fields.get(name)}
    names = drafts.names_of(backend(), {i for i in (found.author_id, found.reviewer_id) if i})
    record_type = backend().registry.get(found.entity)
    published_page = None
    if record_type and found.published_number:
        state = drafts.published_state(backend(), code, found.entity, found.published_number)
        published_page = record_type.page(code, state or {"number": found.published_number})
    return {"draft": found, "published_page": published_page, "editor": editor, "form": form, "changes": changes,
            "problems": problems, "preview": preview, "files": files,
            "facts": facts(editor, found, form, actor.role == Role.COMMITTEE.value),
            "names": names, "name": drafts.kind_name(backend(), found.entity), "verbs": drafts.verb_names(backend()),
            "states": DRAFT_STATES}


def facts(editor: Editor, draft: Draft, form: Any, for_committee: bool) -> list[tuple[str, str, str, bool]]:
    """(name, label, value, is an upload) of each field of the draft as its pages list it: in the form's
    order, as the editor shows them (personal data masked for the committee)."""
    if draft.verb == "import":
        return [("source", "文件", draft.fields.get("source", ""), False)]
    fields = dict(draft.fields)
    if editor.shown and draft.verb in ("create", "correct"):
        fields = editor.shown(fields, for_committee)
    shown = []
    for field in form:
        if field.name == "csrf_token" or (field.name not in fields and field.name not in editor.file_fields):
            continue
        upload = field.name in editor.file_fields
        value = fields.get(field.name, "")
        if field.type in ("BooleanField", "Checkbox"):
            value = "是" if field.data else "否"
        elif field.type == "SelectField":  # the word the form showed, not the stored code
            value = {str(choice[0]): str(choice[1]) for choice in field.iter_choices()}.get(value, value)
        shown.append((field.name, field.label.text, "已上传" if upload and draft.fields.get(field.name) else value, upload))
    return shown


def _author(actor: Actor, draft: Draft) -> Actor:
    """Rehearsals run as staff of the village (a committee member may not write records)."""
    return actor if actor.role == Role.STAFF.value else Actor("rehearsal", Role.STAFF.value, None, actor.village)


DRAFT_STATES = {DraftState.DRAFT: "草稿", DraftState.SUBMITTED: "待审核", DraftState.RETURNED: "已退回",
                DraftState.PUBLISHED: "已发布", DraftState.DISCARDED: "已删除"}
