"""A draft as staff and the committee review it: its fields, and what publishing it would change."""
from __future__ import annotations

from typing import Any

from portal.accounts.models import Role
from portal.app import backend
from portal.drafts import services as drafts
from portal.drafts import uploads
from portal.drafts.models import Draft, DraftState
from portal.kernel.errors import ValidationError
from portal.kernel.transaction import Actor


def review(actor: Actor, code: str, draft_id: int) -> dict[str, Any]:
    """A draft with what publishing it would change, or why it would be refused now."""
    found = drafts.get_draft(backend(), actor, code, draft_id)
    editor = drafts.editor_of(backend(), found.entity)
    changes, problems = [], []
    if found.state in (*drafts.EDITABLE, DraftState.SUBMITTED):
        try:
            rehearsal = drafts.rehearse(backend(), _author(actor, found), code, found)
        except ValidationError as err:
            problems = list(err.errors.values())
        else:
            changes = drafts.changes(backend(), code, found, rehearsal)
    form = editor.form_for(found.verb)(data=found.fields)
    files = {name: uploads.media_type(backend().files_dir, found.fields[name])
             for name in editor.file_fields if found.fields.get(name)}
    names = drafts.names_of(backend(), {i for i in (found.author_id, found.reviewer_id) if i})
    record_type = backend().registry.get(found.entity)
    published_page = None
    if record_type and found.published_number:
        state = drafts.published_state(backend(), code, found.entity, found.published_number)
        published_page = record_type.page(code, state or {"number": found.published_number})
    return {"draft": found, "published_page": published_page, "editor": editor, "form": form, "changes": changes, "problems": problems,
            "files": files,
            "names": names, "name": backend().registry.name(found.entity), "verbs": drafts.VERBS,
            "states": DRAFT_STATES}


def _author(actor: Actor, draft: Draft) -> Actor:
    """Rehearsals run as staff of the village (a committee member may not write records)."""
    return actor if actor.role == Role.STAFF.value else Actor("rehearsal", Role.STAFF.value, None, actor.village)


DRAFT_STATES = {DraftState.DRAFT: "草稿", DraftState.SUBMITTED: "待审核", DraftState.RETURNED: "已退回",
                DraftState.PUBLISHED: "已发布", DraftState.DISCARDED: "已删除"}
