"""Findings pages: the public 问题清单 (no login), and the committee's desk that records them."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from portal.accounts.models import Role
from portal.app import backend
from portal.findings import reads as finding_reads
from portal.findings.forms import CorrectionForm, FindingForm, StepForm, WithdrawForm
from portal.findings.labels import FINDING_STATUS
from portal.findings.models import FindingStatus
from portal.findings.services import (FindingInput, advance_finding, correct_finding, create_finding,
                                      finding_input_from, withdraw_finding)
from portal.kernel.errors import ValidationError
from portal.kernel.history import line_diff
from portal.kernel.messages import say
from portal.kernel.transaction import Actor
from portal.publishing.lists import choice_arg, respond
from portal.translations import translate
from portal.workspace.access import require_sign_in, village_actor
from portal.workspace.forms import show_errors

bp = Blueprint("findings", __name__)
desk = Blueprint("desk", __name__, url_prefix="/committee/findings")
CSRF_MESSAGE = "页面已过期或来源不明，未保存。请刷新页面后重新提交。"
STEP_WORDS = {"rectify": "开始整改", "signoff": "销号"}


@bp.get("/v/<code>/findings", defaults={"fmt": None})
@bp.get("/v/<code>/findings.<fmt>")
def findings(code: str, fmt: str | None) -> Response | str:
    """问题清单: the committee's findings, open ones first."""
    status = choice_arg("status", tuple(FINDING_STATUS))
    listing = finding_reads.findings_listing(backend(), code, backend().today(), status)
    return respond(listing, fmt, "public/findings.html", statuses=FINDING_STATUS, status=status)


@bp.get("/v/<code>/findings/<number>")
def finding(code: str, number: str) -> str:
    detail = finding_reads.finding_detail(backend(), code, number, backend().today())
    return render_template("public/finding.html", d=detail, line_diff=line_diff, statuses=FINDING_STATUS)


require_sign_in(desk)


def _member() -> tuple[Actor, str]:
    return village_actor(Role.COMMITTEE)


def _typed(form: FindingForm) -> FindingInput:
    """The finding as the form's fields hold it."""
    return FindingInput(title=form.title.data or "", description=form.description.data or "",
                        records=form.records.data or "", responsible=form.responsible.data or "",
                        due_on=form.due_on.data or "", responsible_person=form.responsible_person.data or "")


@desk.route("/", methods=["GET", "POST"])
def board() -> Response | tuple[str, int] | str:
    """The committee's findings, and the form that records a new one."""
    actor, code = _member()
    form, problems = FindingForm(), []
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                made = create_finding(backend(), actor, code, _typed(form))
            except ValidationError as err:
                problems = show_errors(err, form)
            else:
                flash(translate(say("已记入问题清单：%(number)s，已公开", number=made.number)))
                return redirect(url_for("findings.desk.handle", number=made.number))
        else:
            problems = [CSRF_MESSAGE]
    listing = finding_reads.findings_listing(backend(), code, backend().today())
    page = render_template("workspace/findings.html", listing=listing, form=form, problems=problems,
                           statuses=FINDING_STATUS, code=code)
    return (page, 400) if request.method == "POST" else page


@desk.route("/<number>", methods=["GET", "POST"])
def handle(number: str) -> Response | tuple[str, int] | str:
    """One finding: its next step (开始整改, 销号) with what was done."""
    actor, code = _member()
    form, problems = StepForm(), []
    if request.method == "POST":
        step = request.form.get("step", "")
        if form.validate_on_submit():
            try:
                advance_finding(backend(), actor, code, number, step, form.reason.data or "")
            except ValidationError as err:
                problems = show_errors(err, form)
            else:
                flash(translate(say("%(number)s：已%(step)s，已公开", number=number, step=STEP_WORDS.get(step, step))))
                return redirect(url_for("findings.desk.handle", number=number))
        else:
            problems = [CSRF_MESSAGE]
    return _finding_page(code, number, problems, form=form)


@desk.post("/<number>/withdraw")
def withdraw(number: str) -> Response | tuple[str, int] | str:
    """撤回 a finding recorded by mistake, with the reason; it stays listed as 已撤回."""
    actor, code = _member()
    form = WithdrawForm(prefix="withdraw")
    if not form.validate_on_submit():
        return _finding_page(code, number, [CSRF_MESSAGE], withdraw_form=form)
    try:
        withdraw_finding(backend(), actor, code, number, form.reason.data or "")
    except ValidationError as err:
        return _finding_page(code, number, show_errors(err, form), withdraw_form=form)
    flash(translate(say("%(number)s：已撤回，已公开", number=number)))
    return redirect(url_for("findings.desk.handle", number=number))


def _finding_page(code: str, number: str, problems: list[str], *, form: StepForm | None = None,
                  withdraw_form: WithdrawForm | None = None) -> tuple[str, int] | str:
    """The desk's page of one finding (400 after a refused POST)."""
    detail = finding_reads.finding_detail(backend(), code, number, backend().today())
    withdraw_form = withdraw_form or WithdrawForm(prefix="withdraw")
    if detail.finding.status is FindingStatus.WITHDRAWN:  # no withdrawal form left to show its errors
        problems = [*problems, *withdraw_form.reason.errors]
    page = render_template("workspace/finding.html", d=detail, form=form or StepForm(),
                           withdraw_form=withdraw_form, problems=problems,
                           line_diff=line_diff, statuses=FINDING_STATUS, code=code)
    return (page, 400) if request.method == "POST" else page


@desk.route("/<number>/correct", methods=["GET", "POST"])
def correct(number: str) -> Response | tuple[str, int] | str:
    """更正 a finding: its fields prefilled as published, changed with a reason."""
    actor, code = _member()
    detail = finding_reads.finding_detail(backend(), code, number, backend().today())
    form, problems = CorrectionForm(data=vars(finding_input_from(detail.finding))), []
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                correct_finding(backend(), actor, code, number, _typed(form), form.reason.data or "")
            except ValidationError as err:
                problems = show_errors(err, form)
            else:
                flash(translate(say("%(number)s：已更正，已公开", number=number)))
                return redirect(url_for("findings.desk.handle", number=number))
        else:
            problems = [CSRF_MESSAGE]
    page = render_template("workspace/finding_correct.html", d=detail, form=form, problems=problems,
                           statuses=FINDING_STATUS, code=code)
    return (page, 400) if request.method == "POST" else page


bp.register_blueprint(desk)
