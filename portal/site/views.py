"""Search, statistics, the Atom feed of changes, and the reader's preferences (语言、长辈版)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    redirect,
    render_template,
    session,
    url_for,
)
from werkzeug.wrappers import Response as WerkzeugResponse

from portal.app import backend
from portal.publishing import prefs
from portal.publishing.lists import text_arg
from portal.publishing.query import arg
from portal.publishing.urls import public_url
from portal.site import changes
from portal.site import search as record_search
from portal.villages import reads as village_reads

bp = Blueprint("site", __name__)
FEED_SIZE = 50


def _back() -> str:
    """Where to return after a preference change: a same-site path only."""
    target = arg("next")
    if target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("villages.home")


@bp.get("/prefs/large-text")
def large_text() -> WerkzeugResponse:
    """长辈版: bigger text for every page, switched by a plain link (no JavaScript)."""
    session["large_text"] = arg("on") == "1"
    return prefs.remember(redirect(_back()))


@bp.get("/prefs/lang/<lang>")
def language(lang: str) -> WerkzeugResponse:
    if lang not in ("zh", "en"):
        abort(404)
    session["lang"] = lang
    return prefs.remember(redirect(_back()))


@bp.get("/v/<code>/search")
def search(code: str) -> str:
    query = text_arg("q", 50)
    hits = record_search.search_records(backend(), code, query) if query else []
    overview_name = village_reads.village_name(backend(), code)
    return render_template("public/search.html", code=code, village_name=overview_name, q=query, hits=hits)


@bp.get("/v/<code>/feed.atom")
def feed(code: str) -> Response:
    """The newest changes of the village as an Atom feed (public data only)."""
    items = changes.latest_feed(backend(), code, FEED_SIZE)
    body = render_template("public/feed.xml", code=code, changes=items,
                           base=public_url())
    return Response(body, mimetype="application/atom+xml; charset=utf-8")


@bp.get("/v/<code>/powers")
def powers(code: str) -> str:
    """小微权力清单: each power's procedure as steps, with the records each step produced."""
    from portal.site.powers import powers_page

    return render_template("public/powers.html", d=powers_page(backend(), code))
