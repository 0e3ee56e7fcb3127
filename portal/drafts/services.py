"""The life of a draft: written and submitted by staff, approved or returned by the committee.

A draft is private (no log entry); publishing it is the audited act. Before a draft is submitted
its change is rehearsed through the domain's service (kernel `Backend.rehearse`), so every check
the service makes runs then, and the committee sees exactly the entry publishing would log. The
draft is marked published inside the transaction that logs its change, so a crash cannot leave a
published record with a draft still waiting, or the reverse.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import Role, User
from portal.drafts import uploads
from portal.drafts.editor import Editor, Fields
# The workspace reaches these through this module (re-exported).
from portal.drafts.editors import (
    FILE_IMPORTS as FILE_IMPORTS,
    VERBS as VERBS,
    draft_editor as draft_editor,
    editable_types as editable_types,
    editor_of as editor_of,
    form_of as form_of,
    importable_types as importable_types,
    kind_name as kind_name,
    verb_names as verb_names,
)
from portal.drafts.models import Draft, DraftState
from portal.kernel.errors import NotFound, PermissionDenied, ServiceError, ValidationError
from portal.kernel.history import FieldChange, diff, flatten
from portal.kernel.messages import say
from portal.kernel.transaction import Actor, Backend, Change, Rehearsal
from portal.kernel.validate import Checker
from portal.villages.models import Village

EDITABLE = (DraftState.DRAFT, DraftState.RETURNED)
COMMENT_MAX = 1000
MAX_BATCH = 5000  # records in one import: a county-sized parcel file, still one transaction


@dataclass(frozen=True)
class DraftInput:
    """What staff send to save a draft: the form's fields, new uploads, and for corrections and
    withdrawals the published record's number and the reason; for an import (verb "import"),
    each record's fields in `batch` and the file's name in `fields["source"]`."""

    entity: str
    verb: str
    fields: Fields
    uploads: Mapping[str, bytes]
    target: str | None = None
    reason: str | None = None
    batch: list[Fields] | None = None


def _village(session: Session, code: str) -> Village:
    village = session.scalar(select(Village).where(Village.code == code))
    if village is None:
        raise NotFound(say("没有编码为“%(code)s”的村", code=code))
    return village


def _own_staff(actor: Actor, code: str) -> None:
    if actor.role != Role.STAFF.value:
        raise PermissionDenied(say("只有本村村干部可以编写草稿"))
    if actor.village != code:
        raise PermissionDenied(say("只能编写本村的草稿：该账号不属于此村"))


def _load(session: Session, code: str, draft_id: int) -> Draft:
    village = _village(session, code)
    draft = session.get(Draft, draft_id)
    if draft is None or draft.village_id != village.id or draft.state is DraftState.DISCARDED:
        raise NotFound(say("没有这份草稿"))
    return draft


def get_draft(backend: Backend, actor: Actor, code: str, draft_id: int) -> Draft:
    """A draft of the actor's own village, for its staff and committee members."""
    if actor.role not in (Role.STAFF.value, Role.COMMITTEE.value) or actor.village != code:
        raise PermissionDenied(say("只有本村村干部和监委会成员可以查看草稿"))
    with backend.db.read() as session:
        draft = _load(session, code, draft_id)
        if actor.role == Role.COMMITTEE.value and draft.state is DraftState.DRAFT:
            raise PermissionDenied(say("草稿提交审核后监委会成员才能查看"))
        return draft


def _supported(editor: Editor, verb: str) -> bool:
    return (verb == "create" or (verb == "correct" and editor.correct is not None)
            or (verb == "withdraw" and editor.withdraw is not None) or verb in editor.verbs
            or (verb == "import" and editor.batch is not None))


def _checked_draft(backend: Backend, actor: Actor, code: str, data: DraftInput, draft_id: int | None,
                   submit: bool) -> Draft:
    """The draft `data` describes, unsaved: its verb and reason checked, new uploads kept (and
    those of the saved draft `draft_id` carried over)."""
    editor = draft_editor(backend, data.entity)
    check = Checker()
    if not _supported(editor, data.verb):
        check.fail("verb", say("不支持这种操作"))
    if data.verb not in ("create", "import") and not data.target:
        check.fail("target", say("请指明要更正或撤回的记录"))
    reason = (data.reason or "").strip() or None
    if reason and len(reason) > COMMENT_MAX:
        check.fail("reason", say("理由不能超过 %(most)s 个字", most=COMMENT_MAX))
    if data.verb == "import":
        if not reason:  # one reason, logged with every record of the file
            check.fail("reason", say("请填写导入的理由，例如“录入村里历年的地块清册”"))
        if not data.batch:
            check.fail("file", say("文件里没有可导入的记录"))
        elif len(data.batch) > MAX_BATCH:
            check.fail("file", say("一次最多导入 %(most)s 条，这个文件有 %(count)s 条：请分成几个文件",
                                   most=MAX_BATCH, count=len(data.batch)))
    elif submit and data.verb != "create" and not reason:
        verb = "更正或撤回" if data.verb in ("correct", "withdraw") else verb_names(backend).of(data.entity, data.verb)
        check.fail("reason", say("请填写%(verb)s的理由", verb=verb))
    check.done()
    fields = {k: v for k, v in data.fields.items() if k not in editor.file_fields}
    for name, content in data.uploads.items():
        fields[name] = uploads.keep(backend.files_dir, name, content)
    if draft_id is not None:  # files uploaded earlier stay unless replaced
        kept = get_draft(backend, actor, code, draft_id)
        fields = {**{k: v for k, v in kept.fields.items() if k in editor.file_fields}, **fields}
    return Draft(entity=data.entity, verb=data.verb, target=data.target, fields=fields, reason=reason,
                 batch=data.batch)


def preview_draft(backend: Backend, actor: Actor, code: str, data: DraftInput,
                  draft_id: int | None = None) -> tuple[Draft, Rehearsal]:
    """What saving and submitting `data` would publish, with nothing saved: the unsaved draft
    and its rehearsal; ValidationError with the service's messages when it would be refused.
    A correction may be previewed before its reason is written (the reason changes nothing
    that is shown; submitting still asks for it)."""
    _own_staff(actor, code)
    draft = _checked_draft(backend, actor, code, data, draft_id, submit=False)
    rehearsed = Draft(entity=draft.entity, verb=draft.verb, target=draft.target, fields=draft.fields,
                      reason=draft.reason or "预览", batch=draft.batch)
    return draft, rehearse(backend, actor, code, rehearsed)


def save_draft(backend: Backend, actor: Actor, code: str, data: DraftInput, draft_id: int | None = None,
               *, submit: bool = False) -> Draft:
    """Creates or updates a draft. Saving checks only the verb, the reason's length and the
    uploads, so half-written work can be kept; with `submit`, the change is first rehearsed
    (ValidationError with the service's messages: nothing is saved) and then sent for approval,
    or published at once in a village that needs no approval. Returned drafts become drafts.
    An import is rehearsed even to be saved: a file is kept only once every record in it is
    right."""
    _own_staff(actor, code)
    editor = draft_editor(backend, data.entity)
    unsaved = _checked_draft(backend, actor, code, data, draft_id, submit)
    fields, reason = unsaved.fields, unsaved.reason
    if submit or data.verb == "import":
        rehearse(backend, actor, code, unsaved)
    now = backend.clock()
    with backend.db.write(code) as session:
        village = _village(session, code)
        if draft_id is None:
            draft = Draft(village_id=village.id, entity=data.entity, verb=data.verb, target=data.target,
                          author_id=actor.user_id, created_at=now)
            session.add(draft)
        else:
            draft = _load(session, code, draft_id)
            if draft.state not in EDITABLE:
                raise ValidationError({"state": say("已提交或已发布的草稿不能再修改")})
        draft.fields, draft.batch = fields, data.batch
        draft.title = _title(editor, data)
        draft.reason = reason
        draft.state = DraftState.SUBMITTED if submit else DraftState.DRAFT
        draft.submitted_at = now if submit else None
        draft.review_comment = None if submit else draft.review_comment
        draft.updated_at = now
        needs_approval = village.approval_required
        session.flush()
        session.expunge(draft)
    if submit and not needs_approval:
        try:
            return _publish(backend, actor, code, draft, approver=None)
        except ServiceError:  # refused after all (a concurrent change): back to a draft to fix
            with backend.db.write(code) as session:
                _load(session, code, draft.id).state = DraftState.DRAFT
            raise
    return draft


def _title(editor: Editor, data: DraftInput) -> str:
    if data.verb == "create":
        return editor.title(data.fields)
    if data.verb == "import":
        return f"{data.fields.get('source') or '文件'}（{len(data.batch or [])} 条）"[:200]
    return f"{data.target}"


def submit_draft(backend: Backend, actor: Actor, code: str, draft_id: int) -> Draft:
    """Submits a saved draft as it stands (see `save_draft`)."""
    draft = get_draft(backend, actor, code, draft_id)
    if draft.state not in EDITABLE:
        raise ValidationError({"state": say("这份草稿已提交或已发布")})
    return save_draft(backend, actor, code, DraftInput(draft.entity, draft.verb, draft.fields, {}, draft.target,
                                                       draft.reason, draft.batch), draft_id, submit=True)


def _call(backend: Backend, actor: Actor, code: str, draft: Draft) -> Any:
    """The domain service call the draft stands for."""
    editor = draft_editor(backend, draft.entity)
    if draft.verb == "withdraw":
        assert editor.withdraw is not None and draft.target is not None
        return editor.withdraw(backend, actor, code, draft.target, draft.reason or "")
    if draft.verb in editor.verbs:
        assert draft.target is not None
        return editor.verbs[draft.verb].call(backend, actor, code, draft.target, draft.fields, draft.reason or "")
    if draft.verb == "import":
        assert editor.batch is not None and draft.batch is not None
        inputs = [editor.to_input(fields, {}) for fields in draft.batch]
        return editor.batch.publish(backend, actor, code, inputs, draft.reason or "", dict(draft.fields))
    files = {name: uploads.read(backend.files_dir, draft.fields[name])
             for name in editor.file_fields if draft.fields.get(name)}
    data = editor.to_input(draft.fields, files)
    if draft.verb == "correct":
        assert editor.correct is not None and draft.target is not None
        return editor.correct(backend, actor, code, draft.target, data, draft.reason or "")
    return editor.create(backend, actor, code, data)


def rehearse(backend: Backend, actor: Actor, code: str, draft: Draft) -> Rehearsal:
    """Runs the draft's change and rolls it back: ValidationError with the service's messages
    when it would be refused, else the entries publishing would log."""
    with backend.rehearse() as rehearsal:
        _call(backend, actor, code, draft)
    return rehearsal


def changes(backend: Backend, code: str, draft: Draft, rehearsal: Rehearsal) -> list[FieldChange]:
    """What publishing the draft changes in the record's public state, field by field (in the
    editor's words where it has them). An import's records are shown by its editor's preview."""
    if not rehearsal.entries or draft.verb == "import":
        return []
    after = rehearsal.entries[-1]
    before: dict[str, Any] | None = None
    if draft.verb != "create" and draft.target is not None:
        before = published_state(backend, code, draft.entity, draft.target)
    order = {key: i for i, key in enumerate(flatten(after["data"]))}  # as the record lists its fields
    found = sorted(diff(before, after["data"], backend.registry.labels(draft.entity)),
                   key=lambda change: order.get(change.field, len(order)))
    readable = draft_editor(backend, draft.entity).readable
    return [readable(change) for change in found] if readable else found


def published_state(backend: Backend, code: str, entity: str, target: str) -> dict[str, Any] | None:
    """The public state of the published record a draft names (`target`), or None."""
    editor = editor_of(backend, entity)
    if editor.find_state is not None:
        return editor.find_state(backend, code, target)
    record_type = backend.registry.get(entity)
    assert record_type is not None
    model: Any = record_type.model
    with backend.db.read() as session:
        village = _village(session, code)
        record = session.scalar(select(model).where(model.village_id == village.id, model.number == target))
        return None if record is None else dict(record.public_state())


def _committee(actor: Actor, code: str) -> None:
    if actor.role != Role.COMMITTEE.value:
        raise PermissionDenied(say("只有监委会成员可以审核"))
    if actor.village != code:
        raise PermissionDenied(say("只能审核本村的记录：该账号不属于此村"))


def approve_draft(backend: Backend, approver: Actor, code: str, draft_id: int) -> Draft:
    """Publishes a submitted draft; the log names its author and `approver`. When the service
    refuses it now (say, its number was taken since), nothing is published and the
    ValidationError says why; the draft stays submitted so it can be returned."""
    _committee(approver, code)
    draft = get_draft(backend, approver, code, draft_id)
    if draft.state is not DraftState.SUBMITTED:
        raise ValidationError({"state": say("这份草稿不在待审核状态")})
    with backend.db.read() as session:
        author = session.get(User, draft.author_id)
        if author is None or author.village is None:
            raise NotFound(say("草稿的作者账号已不存在"))
        author_actor = Actor(author.username, author.role.value, author.id, author.village.code)
    return _publish(backend, author_actor, code, draft, approver=approver)


def _publish(backend: Backend, author: Actor, code: str, draft: Draft, approver: Actor | None) -> Draft:
    actor = author.approved(approver) if approver is not None else author
    published: dict[str, Any] = {}

    def mark_published(change: Change) -> None:
        row = _load(change.session, code, draft.id)
        if row.state not in (DraftState.SUBMITTED, *EDITABLE):
            raise ValidationError({"state": say("这份草稿已发布")})  # published by a concurrent approval
        row.state = DraftState.PUBLISHED
        row.reviewer_id = approver.user_id if approver else None
        row.reviewed_at = change.now()
        row.published_seq = change.appended[0]["seq"] if change.appended else None
        editor = draft_editor(backend, draft.entity)
        row.published_number = (draft.target if draft.verb not in ("create", "import")
                                else editor.target_of(change.appended[0]["data"]) if editor.target_of and change.appended
                                else draft.fields.get(editor.number_field))
        change.session.flush()
        published.update(state=row.state, reviewer_id=row.reviewer_id, reviewed_at=row.reviewed_at,
                         published_seq=row.published_seq, published_number=row.published_number)

    with backend.alongside(mark_published):
        _call(backend, actor, code, draft)
    for key, value in published.items():
        setattr(draft, key, value)
    return draft


def return_draft(backend: Backend, approver: Actor, code: str, draft_id: int, comment: str) -> Draft:
    """Sends a submitted draft back to staff with the committee member's comment (required)."""
    _committee(approver, code)
    check = Checker()
    comment = check.text("comment", comment, "退回意见", max_len=COMMENT_MAX)
    check.done()
    with backend.db.write(code) as session:
        draft = _load(session, code, draft_id)
        if draft.state is not DraftState.SUBMITTED:
            raise ValidationError({"comment": say("这份草稿不在待审核状态")})
        draft.state, draft.review_comment = DraftState.RETURNED, comment
        draft.reviewer_id, draft.reviewed_at = approver.user_id, backend.clock()
        session.flush()
        session.expunge(draft)
    return draft


def discard_draft(backend: Backend, actor: Actor, code: str, draft_id: int) -> None:
    """Drops a draft that was never published."""
    _own_staff(actor, code)
    with backend.db.write(code) as session:
        draft = _load(session, code, draft_id)
        if draft.state not in EDITABLE:
            raise ValidationError({"state": say("已提交或已发布的草稿不能删除")})
        draft.state, draft.updated_at = DraftState.DISCARDED, backend.clock()


def drafts_of(backend: Backend, code: str, *states: DraftState) -> list[Draft]:
    """The village's drafts in `states`, most recently changed first."""
    with backend.db.read() as session:
        village = _village(session, code)
        return list(session.scalars(select(Draft).where(Draft.village_id == village.id, Draft.state.in_(states))
                                    .order_by(Draft.updated_at.desc(), Draft.id.desc())))


def names_of(backend: Backend, user_ids: set[int]) -> dict[int, str]:
    """Display names of accounts, for "by whom" on drafts (never public)."""
    if not user_ids:
        return {}
    with backend.db.read() as session:
        return {user_id: name for user_id, name in session.execute(
            select(User.id, User.display_name).where(User.id.in_(user_ids)))}
