"""Entrustment pages, no login: 流转委托 (the list and its downloads) and one entrustment."""
from __future__ import annotations

from flask import Blueprint, Response, render_template

from portal.app import backend
from portal.entrustments import labels as entrustment_labels
from portal.entrustments import reads as entrustment_reads
from portal.kernel.history import line_diff
from portal.publishing.lists import respond

bp = Blueprint("entrustments", __name__)


@bp.get("/v/<code>/entrustments", defaults={"fmt": None})
@bp.get("/v/<code>/entrustments.<fmt>")
def entrustments(code: str, fmt: str | None) -> Response | str:
    """流转委托, by number, households masked."""
    listing = entrustment_reads.entrustments_listing(backend(), code, backend().today())
    return respond(listing, fmt, "public/entrustments.html")


@bp.get("/v/<code>/entrustments/<number>")
def entrustment(code: str, number: str) -> str:
    detail = entrustment_reads.entrustment_detail(backend(), code, number)
    return render_template("public/entrustment.html", d=detail, line_diff=line_diff,
                           statuses=entrustment_labels.ENTRUSTMENT_STATUS)
