"""Complaint pages, no account needed: the public list, filing one, following it by its code.

Pages holding a form (a CSRF token in the reader's session) or a tracking code are never put in
the shared page cache nor in any other cache: `_private` marks them.
"""
from __future__ import annotations

from flask import Blueprint, current_app, flash, g, make_response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from portal.app import backend
from portal.complaints import reads
from portal.complaints import throttle
from portal.complaints.desk import bp as desk
from portal.complaints.forms import ComplaintForm, VerdictForm
from portal.complaints.labels import COMPLAINT_STATUS, FIELDS, KIND
from portal.complaints.services import NUMBER, ComplaintInput, check_complaint, file_complaint, judge, shown_code
from portal.kernel.errors import ValidationError
from portal.kernel.history import ROLES, line_diff
from portal.kernel.messages import say
from portal.kernel.registry import VILLAGER
from portal.kernel.transaction import Actor
from portal.publishing.lists import choice_arg, respond, text_arg
from portal.workspace.forms import show_errors

bp = Blueprint("complaints", __name__)
bp.register_blueprint(desk)
FILER = Actor("villager", VILLAGER)  # no account: the log names the role only
CSRF_MESSAGE = "页面已过期或来源不明，未提交。请刷新页面后重新填写。"


def _private(page: str | Response, status: int = 200) -> Response:
    g.page_etag = None  # out of the shared page cache (portal/publishing/caching.py)
    response = make_response(page, status)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _limits() -> throttle.Limits:
    limits: throttle.Limits = current_app.config.get("COMPLAINT_LIMITS") or throttle.Limits()
    return limits


@bp.get("/v/<code>/complaints", defaults={"fmt": None})
@bp.get("/v/<code>/complaints.<fmt>")
def complaints(code: str, fmt: str | None) -> Response | str:
    """投诉与意见: every one of the village with its answer; filter by status."""
    status = choice_arg("status", tuple(COMPLAINT_STATUS))
    listing, shown = reads.complaints_page(backend(), code, backend().today(), status=status)
    return respond(listing, fmt, "public/complaints.html",
                   cells=lambda rows, links: [shown[row["number"]] for row in rows],
                   status=status, statuses=COMPLAINT_STATUS, kinds=KIND, roles=ROLES)


@bp.get("/v/<code>/complaints/track")
def track(code: str) -> Response:
    """The lookup form on the list sends the typed code here; its page is at the code's address."""
    typed = text_arg("tracking", 40)
    if not typed:
        return redirect(url_for("complaints.complaints", code=code))
    return redirect(url_for("complaints.complaint", code=code, key=shown_code(typed)))


@bp.route("/v/<code>/complaints/new", methods=["GET", "POST"])
def new(code: str) -> Response:
    """提交投诉/意见, optionally about one record (?about=contract:HT-2024-001)."""
    form = ComplaintForm()
    if request.method == "GET":
        form.about.data = text_arg("about", 80)
    problems: list[str] = []
    about = None
    try:
        about = reads.about_label(backend(), code, form.about.data or "")
    except ValidationError as err:
        problems = list(err.errors.values())
    if request.method == "POST" and not problems:
        if form.validate_on_submit():
            data = ComplaintInput(kind=form.kind.data or "", body=form.body.data or "", name=form.name.data or "",
                                  phone=form.phone.data or "", about=form.about.data or "")
            try:
                filed = _file(code, data)
            except throttle.TooManyComplaints as err:
                problems = [str(err)]
                return _private(render_template("public/complaint_new.html", code=code, form=form, about=about,
                                                problems=problems, village=reads.village_name(backend(), code)), 429)
            except ValidationError as err:
                problems = show_errors(err, form)
            else:
                flash(say("已提交。请记下您的查询码，凭它查看答复"))
                return redirect(url_for("complaints.complaint", code=code, key=filed))
        elif "csrf_token" in form.errors:
            problems = [CSRF_MESSAGE]
    page = render_template("public/complaint_new.html", code=code, form=form, about=about, problems=problems,
                           village=reads.village_name(backend(), code))
    return _private(page, 400 if request.method == "POST" or problems else 200)


def _file(code: str, data: ComplaintInput) -> str:
    """Files the complaint, counted by the throttle first (a refused one is taken back); its code."""
    check_complaint(backend().registry, data)  # bad input is refused before it is counted
    attempt = throttle.count_attempt(backend().db, _limits(), request.remote_addr or "", code, backend().clock())
    try:
        return file_complaint(backend(), FILER, code, data).tracking_code
    except Exception:
        throttle.forgive(backend().db, attempt)
        raise


@bp.get("/v/<code>/complaints/<key>")
def complaint(code: str, key: str, verdict: VerdictForm | None = None, problems: list[str] | None = None,
              status: int = 200) -> Response | str:
    """A complaint by its public number (TS-2026-0001), or, by its tracking code, the filer's page
    that also lets them say whether the answer resolved it. A wrong code shows nothing."""
    today = backend().today()
    if NUMBER.fullmatch(key):
        detail = reads.complaint_detail(backend(), code, key, today)
        return render_template("public/complaint.html", d=detail, holder=None, line_diff=line_diff,
                               kinds=KIND, statuses=COMPLAINT_STATUS, roles=ROLES, labels=FIELDS)
    detail = reads.tracked(backend(), code, key, today)
    page = render_template("public/complaint.html", d=detail, holder=shown_code(key), line_diff=line_diff,
                           kinds=KIND, statuses=COMPLAINT_STATUS, roles=ROLES, labels=FIELDS,
                           verdict=verdict or VerdictForm(), problems=problems or [])
    return _private(page, status)


@bp.post("/v/<code>/complaints/<key>/verdict")
def verdict(code: str, key: str) -> Response | str:
    """The filer's word on the answer: resolved, or not (back to the committee)."""
    form = VerdictForm()
    if not form.validate_on_submit():
        reads.tracked(backend(), code, key, backend().today())  # a wrong code: 404 before anything else
        return complaint(code, key, form, [CSRF_MESSAGE], 400)
    try:
        judge(backend(), FILER, code, key, form.resolved.data or "", form.note.data or "")
    except ValidationError as err:
        return complaint(code, key, form, show_errors(err, form), 400)
    flash(say("谢谢，已记录您的意见") if form.resolved.data == "yes" else say("已退回监委会重新办理"))
    return redirect(url_for("complaints.complaint", code=code, key=shown_code(key)))
