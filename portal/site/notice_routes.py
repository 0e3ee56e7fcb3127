"""Public pages of notices (公告) and plans for public comment (方案公示), with their downloads."""
from __future__ import annotations

from flask import Blueprint, render_template

from portal.app import backend
from portal.publishing.printing import notice_response, plan_response
from portal.notices import labels as notice_labels
from portal.notices import reads as notice_reads
from portal.plans import labels as plan_labels
from portal.plans import reads as plan_reads
from portal.publishing.lists import FORMATS, choice_arg, respond
from portal.site.routes import today

bp = Blueprint("notices", __name__)


@bp.get("/v/<code>/notices", defaults={"fmt": None})
@bp.get("/v/<code>/notices.<fmt>")
def notices(code: str, fmt: str | None):
    """公告, newest first; filter by category."""
    category = choice_arg("category", tuple(notice_labels.NOTICE_CATEGORY))
    listing = notice_reads.notices_listing(backend(), code, today(), category=category)
    return respond(listing, fmt, "public/notices.html", category=category,
                   categories=notice_labels.NOTICE_CATEGORY)


@bp.get("/v/<code>/notices/<number>")
def notice(code: str, number: str):
    detail = notice_reads.notice_detail(backend(), code, number)
    return render_template("public/notice.html", d=detail, line_diff=notice_reads.line_diff,
                           categories=notice_labels.NOTICE_CATEGORY, statuses=notice_labels.NOTICE_STATUS)


@bp.get("/v/<code>/notices/<number>.pdf")
def notice_pdf(code: str, number: str):
    """The notice as a printed sheet for the bulletin board, rendered once per version and day."""
    return notice_response(notice_reads.notice_detail(backend(), code, number), today())


@bp.get("/v/<code>/plans", defaults={"fmt": None})
@bp.get("/v/<code>/plans.<fmt>")
def plans(code: str, fmt: str | None):
    """方案公示: open ones first by date; filter by state (征求意见中、已结束、已通过…)."""
    state = choice_arg("state", tuple(plan_labels.PLAN_STATE))
    listing = plan_reads.plans_listing(backend(), code, today(), state=state)
    return respond(listing, fmt, "public/plans.html", state=state, states=plan_labels.PLAN_STATE)


@bp.get("/v/<code>/plans/<number>")
def plan(code: str, number: str):
    detail = plan_reads.plan_detail(backend(), code, number, today())
    return render_template("public/plan.html", d=detail, line_diff=notice_reads.line_diff, formats=FORMATS,
                           plan_statuses=plan_labels.PLAN_STATUS, repliers=plan_labels.REPLIER)


@bp.get("/v/<code>/plans/<number>.pdf")
def plan_pdf(code: str, number: str):
    """The plan with its comments, replies and votes as a printed sheet, rendered once per version and day."""
    return plan_response(plan_reads.plan_detail(backend(), code, number, today()), today())


@bp.get("/v/<code>/plans/<number>/comments", defaults={"fmt": None})
@bp.get("/v/<code>/plans/<number>/comments.<fmt>")
def plan_comments(code: str, number: str, fmt: str | None):
    """意见及答复汇总 of one plan, also as a download for the bulletin board."""
    listing = plan_reads.comments_listing(backend(), code, number, today())
    return respond(listing, fmt, "public/plan_comments.html", plan_number=number, repliers=plan_labels.REPLIER)
