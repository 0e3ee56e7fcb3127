"""导入 pages for the village's staff: templates, upload and check, then confirm with a reason."""
from __future__ import annotations

import io
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from portal.accounts.models import Role
from portal.accounts.services import actor_for
from portal.app import backend
from portal.imports import pending
from portal.imports.check import Report, check_file
from portal.imports.columns import ALL, KINDS, LABELS
from portal.imports.parse import parse_file
from portal.imports.preview import previews
from portal.imports.services import BatchRefused, import_batch
from portal.imports.tables import MAX_BYTES, MAX_ROWS
from portal.imports.template import template_xlsx
from portal.kernel.errors import ValidationError
from portal.kernel.transaction import Actor

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
        abort(403, "只有本村的村干部、报账员可以导入台账")
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
    return _confirm_page(report, digest)


def _report(report: Report) -> tuple[str, int]:
    return render_template("staff/import_report.html", kind=report.kind, label=LABELS[report.kind],
                           problems=report.problems, sheets=any(p.sheet for p in report.problems)), 400


def _confirm_page(report: Report, digest: str, status: int = 200, reason: str = "",
                  error: str | None = None) -> tuple[str, int]:
    return render_template("staff/import_confirm.html", kind=report.kind, label=LABELS[report.kind],
                           previews=previews(report.parsed.rows), total=len(report.parsed.rows),
                           digest=digest, reason=reason, error=error), status


@bp.post("/staff/import/<kind>/confirm")
@login_required  # type: ignore[untyped-decorator]
def confirm(kind: str) -> Response | tuple[str, int]:
    """Imports the very file that was checked (named by its digest), in one audited batch."""
    actor, kind = _staff(), _kind(kind)
    village, digest = actor.village or "", request.form.get("file", "")
    data = pending.load(_folder(), village, kind, digest)
    if data is None:
        abort(400, "找不到检查过的文件（已导入、已过一天，或不是本村上传的）：请重新上传并检查")
    parsed = parse_file(data, kind)
    reason = request.form.get("reason", "")
    try:
        counts = import_batch(backend(), actor, village, kind, parsed.rows, reason)
    except BatchRefused as refused:  # the village changed since the check
        return _report(Report(kind, parsed, refused.problems))
    except ValidationError as refused:
        return _confirm_page(Report(kind, parsed, ()), digest, 400, reason, refused.errors.get("reason"))
    pending.discard(_folder(), village, kind, digest)
    done = "，".join(f"{LABELS[name]} {count} 条" for name, count in counts.items())
    flash(f"已导入 {sum(counts.values())} 条记录（{done}），每一条都已记入审计日志")
    return redirect(url_for("imports.start"))
