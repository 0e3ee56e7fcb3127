"""Plan pages, no login: 方案公示 with revisions, comments, replies and votes, and their downloads."""
from __future__ import annotations

from flask import Blueprint, Response, render_template

from portal.app import backend
from portal.kernel.history import line_diff
from portal.plans import labels as plan_labels
from portal.plans import reads as plan_reads
from portal.plans.printing import plan_response
from portal.publishing.lists import FORMATS, choice_arg, respond

bp = Blueprint("plans", __name__)


@bp.get("/v/<code>/plans", defaults={"fmt": None})
@bp.get("/v/<code>/plans.<fmt>")
def plans(code: str, fmt: str | None) -> Response | str:
    """方案公示: open ones first by date; filter by state (征求意见中、已结束、已通过…)."""
    state = choice_arg("state", tuple(plan_labels.PLAN_STATE))
    listing = plan_reads.plans_listing(backend(), code, backend().today(), state=state)
    return respond(listing, fmt, "public/plans.html", state=state, states=plan_labels.PLAN_STATE)


@bp.get("/v/<code>/plans/<number>")
def plan(code: str, number: str) -> str:
    detail = plan_reads.plan_detail(backend(), code, number, backend().today())
    return render_template("public/plan.html", d=detail, line_diff=line_diff, formats=FORMATS,
                           plan_statuses=plan_labels.PLAN_STATUS, repliers=plan_labels.REPLIER)


@bp.get("/v/<code>/plans/<number>.pdf")
def plan_pdf(code: str, number: str) -> Response:
    """The plan with its comments, replies and votes as a printed sheet, rendered once per version and day."""
    return plan_response(plan_reads.plan_detail(backend(), code, number, backend().today()), backend().today())


@bp.get("/v/<code>/plans/<number>/comments", defaults={"fmt": None})
@bp.get("/v/<code>/plans/<number>/comments.<fmt>")
def plan_comments(code: str, number: str, fmt: str | None) -> Response | str:
    """意见及答复汇总 of one plan, also as a download for the bulletin board."""
    listing = plan_reads.comments_listing(backend(), code, number, backend().today())
    return respond(listing, fmt, "public/plan_comments.html", plan_number=number, repliers=plan_labels.REPLIER)
