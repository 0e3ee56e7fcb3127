"""Plan pages, no login: 方案公示 with revisions, comments, replies and votes, and their downloads."""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, send_file
from flask_login import current_user

from portal.app import backend
from portal.kernel.history import line_diff
from portal.kernel.messages import say
from portal.kernel.registry import VILLAGE_ROLES
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
                           plan_statuses=plan_labels.PLAN_STATUS, repliers=plan_labels.REPLIER,
                           can_see_forms=_own_village(detail.village.id))


def _own_village(village_id: int) -> bool:
    """Whether the reader is signed in as staff or a committee member of the village."""
    return bool(current_user.is_authenticated and current_user.village_id == village_id
                and current_user.role.value in VILLAGE_ROLES)


@bp.get("/v/<code>/plans/<number>/votes/<int:vote>/forms")
def vote_forms(code: str, number: str, vote: int) -> Response:
    """签字表决意见表: villagers' names and signatures, so only for the village's staff and
    committee, and never kept in a cache; the public page shows its SHA-256."""
    forms = plan_reads.vote_forms(backend(), code, number, vote)
    if not _own_village(forms.village_id):
        abort(403, say("签字表决意见表上有村民的姓名和签名，只有本村村干部和监委会成员登录后可以查看；"
                   "村民可以到村委会查阅。"))
    if not forms.path.exists():
        abort(404, say("扫描件文件缺失，请联系村务工作人员"))
    suffix = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}.get(forms.media_type, "")
    response = send_file(forms.path, mimetype=forms.media_type, etag=forms.sha256, max_age=0,
                         as_attachment=not forms.media_type.startswith("image/"),
                         download_name=f"{number}-vote-{vote}-forms-{forms.sha256[:12]}{suffix}")
    response.headers["Cache-Control"] = "private, no-store"
    return response


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
