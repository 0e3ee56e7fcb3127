"""导入 pages for the village's staff: templates, upload and check, then confirm with a reason."""
from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from portal.accounts.models import Role
from portal.accounts.services import actor_for
from portal.app import backend
from portal.drafts import services as drafts
from portal.drafts import uploads
from portal.drafts.models import DraftState
from portal.imports import pending
from portal.imports.check import Report, check_file
from portal.imports.columns import ALL, KINDS, LABELS
from portal.imports.parse import parse_file
from portal.imports.preview import previews
from portal.imports import editing
from portal.imports.services import BatchRefused
from portal.imports.tables import MAX_BYTES, MAX_ROWS
from portal.imports.template import template_xlsx
from portal.kernel.errors import ValidationError
from portal.kernel.messages import joined, say
from portal.kernel.transaction import Actor
from portal.translations import translate

bp = Blueprint("imports", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE = "staff/import.html"


@bp.after_request
def private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"  # staff pages: names in full
    return response


def _staff() -> Actor:
    """The logged-in staff member (with their village); 403 for any other account."""
    if current_user.role is not Role.STAFF or current_user.village is None:
        abort(403, say("只有本村的村干部、报账员可以导入台账"))
    return actor_for(current_user)


def _kind(kind: str) -> str:
    if kind not in LABELS:
        abort(404)
    return kind


def _folder() -> Path:
    return Path(current_app.instance_path) / "imports"


def _page(status: int = 200, **context: object) -> tuple[str, int]:
    return render_template(PAGE, labels=LABELS, order=(*KINDS, ALL), max_mb=MAX_BYTES // 1024 // 1024,
                           max_rows=MAX_ROWS, **context), status


@bp.get("/staff/import")
@login_required  # type: ignore[untyped-decorator]  # flask_login has no type information
def start() -> tuple[str, int]:
    actor = _staff()
    return _page(village=actor.village)


@bp.get("/staff/import/template/<kind>.xlsx")
@login_required  # type: ignore[untyped-decorator]
def template(kind: str) -> Response:
    _staff()
    body = template_xlsx(_kind(kind))
    return send_file(io.BytesIO(body), mimetype=XLSX, as_attachment=True,
                     download_name=f"{kind}-template-{LABELS[kind].replace('/', '')}导入模板.xlsx")


@bp.post("/staff/import/<kind>")
@login_required  # type: ignore[untyped-decorator]
def check(kind: str) -> tuple[str, int]:
    """Checks the whole uploaded file; a clean one is kept by its digest for the confirmation."""
    actor, kind = _staff(), _kind(kind)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _page(400, village=actor.village, missing=kind)
    data = upload.stream.read(MAX_BYTES + 1)
    report = check_file(backend(), actor, actor.village or "", kind, data)
    if not report.clean:
        return _report(report)
    digest = pending.keep(_folder(), actor.village or "", kind, data)
    return _confirm_page(report, digest, source=_source(upload.filename))


def _source(name: str | None) -> str:
    """The uploaded file's name, as the draft is titled: its last part, short."""
    return (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:100] or "导入文件"


def _report(report: Report) -> tuple[str, int]:
    return render_template("staff/import_report.html", kind=report.kind, label=LABELS[report.kind],
                           problems=report.problems, sheets=any(p.sheet for p in report.problems)), 400


def _confirm_page(report: Report, digest: str, status: int = 200, reason: str = "",
                  error: str | None = None, source: str = "") -> tuple[str, int]:
    return render_template("staff/import_confirm.html", kind=report.kind, label=LABELS[report.kind],
                           previews=previews(report.parsed.rows), total=len(report.parsed.rows),
                           digest=digest, reason=reason, error=error, source=source,
                           approval=current_user.village.approval_required), status


@bp.post("/staff/import/<kind>/confirm")
@login_required  # type: ignore[untyped-decorator]
def confirm(kind: str) -> Response | tuple[str, int]:
    """Makes the very file that was checked (named by its digest) one import draft, submitted
    for the committee's approval (published at once where the village needs none)."""
    actor, kind = _staff(), _kind(kind)
    village, digest = actor.village or "", request.form.get("file", "")
    data = pending.load(_folder(), village, kind, digest)
    if data is None:
        abort(400, say("找不到检查过的文件（已提交、已过一天，或不是本村上传的）：请重新上传并检查"))
    parsed = parse_file(data, kind)
    reason, source = request.form.get("reason", ""), _source(request.form.get("source"))
    fields = {"source": source, "kind": kind, "file": uploads.store(backend().files_dir, data)}
    try:
        draft = drafts.save_draft(backend(), actor, village, drafts.DraftInput(
            editing.ENTITY, "import", fields, {}, None, reason, batch=editing.summaries(parsed.rows)), submit=True)
    except BatchRefused as refused:  # the village changed since the check
        return _report(Report(kind, parsed, refused.problems))
    except ValidationError as refused:
        error = refused.errors.get("reason") or next(iter(refused.errors.values()), None)
        return _confirm_page(Report(kind, parsed, ()), digest, 400, reason, error, source)
    pending.discard(_folder(), village, kind, digest)
    counts = Counter(row.kind for row in parsed.rows)
    done = joined([say("%(kind)s %(count)s 条",
                       kind=LABELS[name], count=counts[name]) for name in KINDS if counts[name]])
    if draft.state is DraftState.PUBLISHED:
        flash(translate(say("已导入 %(count)s 条记录（%(kinds)s），每一条都已记入审计日志", count=len(parsed.rows), kinds=done)))
        return redirect(url_for("imports.start"))
    flash(translate(say("已提交监委会审核：批准后一次导入 %(count)s 条记录（%(kinds)s）", count=len(parsed.rows), kinds=done)))
    return redirect(url_for("staff.draft", draft_id=draft.id))
