"""Files kept with a draft, shown to the village's staff and committee before publication.

Never cached anywhere (`private, no-store`): a scan may show a villager's name. Images are shown
in the page; a PDF is sent as a download, so no PDF viewer runs on the portal's origin.
"""
from __future__ import annotations

from flask import Response, abort

from portal.app import backend
from portal.auditlog.files import sniff_media_type
from portal.drafts import services as drafts
from portal.drafts import uploads
from portal.kernel.errors import ValidationError
from portal.kernel.messages import say
from portal.kernel.transaction import Actor

SUFFIXES = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}


def draft_file_response(actor: Actor, code: str, draft_id: int, field: str) -> Response:
    """The file in `field` of the draft; 403 for another village or role, 404 when there is none."""
    draft = drafts.get_draft(backend(), actor, code, draft_id)  # PermissionDenied, NotFound
    editor = drafts.draft_editor(backend(), draft.entity)
    sha256 = draft.fields.get(field) if field in editor.file_fields else None
    if not sha256:
        abort(404, say("这份草稿没有这个附件"))
    try:
        content = uploads.read(backend().files_dir, sha256)
    except ValidationError as err:
        abort(404, str(err))
    media_type = sniff_media_type(content) or "application/octet-stream"
    response = Response(content, mimetype=media_type)
    disposition = "inline" if media_type.startswith("image/") else "attachment"
    response.headers["Content-Disposition"] = (f'{disposition}; filename="draft-{draft.id}-{field}.'
                                               f'{SUFFIXES.get(media_type, "bin")}"')
    response.headers["Cache-Control"] = "private, no-store"
    return response
