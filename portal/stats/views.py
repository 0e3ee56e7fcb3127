"""发布条数与访问量: records published per type and page visits per day, no login."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

from portal.app import backend
from portal.stats import reads as stats_reads
from portal.stats.services import visits_by_day

bp = Blueprint("stats", __name__)


@bp.get("/v/<code>/stats")
def stats(code: str) -> str:
    current_app.extensions["visits"].flush(backend())
    data = stats_reads.village_stats(backend(), code, visits_by_day(backend(), code))
    return render_template("public/stats.html", s=data, today=backend().today())
