"""The site home (every village on the portal) and a village's home page."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, url_for

from portal.app import backend
from portal.auditdesk.verification import failed_run
from portal.complaints import reads as complaint_reads
from portal.kernel.messages import say
from portal.publishing.lists import text_arg
from portal.publishing.qr import qr_svg
from portal.publishing.urls import public_url
from portal.translations import translate
from portal.villages import reads as village_reads

bp = Blueprint("villages", __name__)


@bp.get("/")
def home() -> str:
    query = text_arg("q")
    villages = [v for v in village_reads.villages(backend())
                if not query or query in v.name or query in v.township or query in v.county or query == v.code]
    return render_template("public/home.html", villages=villages, q=query)


@bp.get("/v/<code>/")
def village(code: str) -> str:
    today = backend().today()
    overview = village_reads.village_overview(backend(), code, today)
    page_url = public_url(url_for("villages.village", code=code))
    owed, overdue = complaint_reads.overdue_count(backend(), code, today)
    # the failed check the page's ETag was made of (publishing/caching.py): warned until one passes
    alarm = failed_run(backend(), current_app.extensions["log_heads"].alarm(code))
    return render_template("public/village.html", o=overview, today=today, page_url=page_url,
                           complaints_owed=owed, complaints_overdue=overdue, alarm=alarm,
                           qr=qr_svg(page_url, title=translate(say("%(village)s 三资公开", village=overview.village.name))))
