"""Dividend pages: 分红方案, a year's list (masked), the household check, and (staff) payout slips."""
from __future__ import annotations

from flask import Blueprint, Response, abort, g, make_response, render_template
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField

from portal.accounts.models import Role
from portal.accounts.throttle import TooManyFailedLogins
from portal.accounts.views import client_address
from portal.app import backend
from portal.dividends import labels
from portal.dividends import reads as dividend_reads
from portal.dividends.check import check_household
from portal.dividends.printing import list_response, slips_pdf
from portal.kernel.history import line_diff
from portal.publishing.lists import respond
from portal.translations import N_

bp = Blueprint("dividends", __name__)


class CheckForm(FlaskForm):  # type: ignore[misc]  # flask_wtf has no type information
    check_code = StringField(N_("核对码"), description=N_("分红发放单上印的 12 位核对码，例如 ABCD-EFGH-JKMN"),
                             render_kw={"autocomplete": "off", "autocapitalize": "characters", "maxlength": 40})


@bp.get("/v/<code>/dividends", defaults={"fmt": None})
@bp.get("/v/<code>/dividends.<fmt>")
def dividends(code: str, fmt: str | None) -> Response | str:
    """分红方案, newest year first."""
    listing = dividend_reads.plans_listing(backend(), code, backend().today())
    return respond(listing, fmt, "public/dividends.html", statuses=labels.PLAN_STATUS)


@bp.get("/v/<code>/dividends/<int:year>", defaults={"fmt": None})
@bp.get("/v/<code>/dividends/<int:year>.<fmt>")
def dividend_year(code: str, year: int, fmt: str | None) -> Response | str:
    """A year's dividend list: every household's shares and amount (heads masked), and its plan."""
    detail = dividend_reads.plan_detail(backend(), code, year, backend().today())
    if fmt == "pdf":
        return list_response(detail)
    return respond(detail.listing, fmt, "public/dividend_year.html", d=detail, line_diff=line_diff,
                   payouts=labels.PAYOUT, statuses=labels.PLAN_STATUS)


@bp.route("/v/<code>/dividends/check", methods=["GET", "POST"])
def check(code: str) -> Response:
    """本户核对: the check code from the payout slip shows the household's own full line; a wrong
    code shows nothing, and too many wrong codes are refused for a while. Never cached."""
    g.pop("page_etag", None)  # personal, and carries a form token: out of the page cache
    form = CheckForm()
    found, status, wrong, wait = None, 200, False, 0
    dividend_reads.plan_years(backend(), code)  # 404 for an unknown village, before any counting
    if form.validate_on_submit():
        try:
            found = check_household(backend(), code, form.check_code.data or "", client_address())
        except TooManyFailedLogins as err:
            status, wait = 429, err.minutes
        else:
            wrong = found is None
            status = 200 if found else 404
    elif form.errors:
        status = 400
    response = make_response(render_template("public/dividend_check.html", form=form, code=code, found=found,
                                             wrong=wrong, wait=wait, payouts=labels.PAYOUT), status)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/v/<code>/dividends/<int:year>/slips.pdf")
def slips(code: str, year: int) -> Response:
    """分红发放单 with each household's full name and check code: the village's own staff only."""
    village, plan, lines = dividend_reads.payout_slips(backend(), code, year)
    if not (current_user.is_authenticated and current_user.role is Role.STAFF and current_user.village_id == village.id):
        abort(403, N_("分红发放单含户主姓名和核对码，只有本村的工作人员（村干部、报账员）登录后可以打印。"))
    response = Response(slips_pdf(village, plan, lines), content_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{code}-dividend-slips-{year}.pdf"'})
    response.headers["Cache-Control"] = "private, no-store"
    return response
