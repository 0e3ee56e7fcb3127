"""Search, statistics, the Atom feed of changes, and the reader's preferences (语言、长辈版)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, session, url_for

from ..app import backend
from ..services import public_reads
from ..services.visits import visits_by_day
from ..urls import public_url
from .lists import text_arg
from .routes import today

bp = Blueprint("site", __name__)
FEED_SIZE = 50


def _back() -> str:
    """Where to return after a preference change: a same-site path only."""
    target = request.args.get("next", "")
    if target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("public.home")


@bp.get("/prefs/large-text")
def large_text():
    """长辈版: bigger text for every page, switched by a plain link (no JavaScript)."""
    session["large_text"] = request.args.get("on") == "1"
    return redirect(_back())


@bp.get("/prefs/lang/<lang>")
def language(lang: str):
    if lang not in ("zh", "en"):
        abort(404)
    session["lang"] = lang
    return redirect(_back())


@bp.get("/v/<code>/search")
def search(code: str):
    query = text_arg("q", 50)
    hits = public_reads.search_records(backend(), code, query) if query else []
    overview_name = public_reads.village_name(backend(), code)
    return render_template("public/search.html", code=code, village_name=overview_name, q=query, hits=hits)


@bp.get("/v/<code>/stats")
def stats(code: str):
    current_app.extensions["visits"].flush(backend())
    data = public_reads.village_stats(backend(), code, visits_by_day(backend(), code))
    return render_template("public/stats.html", s=data, today=today())


@bp.get("/v/<code>/feed.atom")
def feed(code: str):
    """The newest changes of the village as an Atom feed (public data only)."""
    changes = public_reads.latest_feed(backend(), code, FEED_SIZE)
    body = render_template("public/feed.xml", code=code, changes=changes,
                           base=public_url())
    return Response(body, mimetype="application/atom+xml; charset=utf-8")
