"""A plan (方案公示) with its comments, replies and votes as a printed sheet."""
from __future__ import annotations

from datetime import date

from flask import Response

from portal.plans import labels as plan_labels
from portal.plans import reads as plan_reads
from portal.publishing.printing import record_response, versions_of
from portal.publishing.sheets import Checkpoint, latest_change, record_pdf


def plan_pdf(detail: plan_reads.PlanDetail, as_of: date, page_url: str, checkpoint: Checkpoint) -> bytes:
    """A plan (方案公示) as an A4 notice: comment period and state, the current text, every comment
    (names masked) with its reply, and the vote tallies with percentages; needs an app context."""
    plan = detail.plan
    return record_pdf(
        "print/plan.html", detail, f"方案公示 {plan.number}", page_url, checkpoint,
        p=plan, as_of=as_of, state=plan_labels.PLAN_STATE[detail.state],
        comments=[(c.public_state(), logged) for c, logged in detail.comments],
        repliers=plan_labels.REPLIER, changed=latest_change(detail.history))


def plan_response(detail: plan_reads.PlanDetail, as_of: date) -> Response:
    """/v/<code>/plans/<number>.pdf, rendered once per plan version, its comments' and votes'
    versions, and day (which moves open/closed and the days left)."""
    shown_with = [versions_of(c for c, _ in detail.comments), versions_of(v for v, _ in detail.votes)]
    return record_response("plan", "plans.plan", detail, detail.plan, shown_with, as_of,
                            lambda url, cp: plan_pdf(detail, as_of, url, cp))
