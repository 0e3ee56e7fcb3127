"""/township/<township>/ranking: 每季一晾晒, the quarter's ranking of a township's villages, for
anyone (no login). The view argument is not named `code`, so the village page cache and visit
count (publishing/caching.py) never take a township for a village."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from werkzeug.wrappers import Response

from portal.app import backend
from portal.kernel.errors import NotFound
from portal.publishing.exports import MEDIA_TYPES
from portal.township import reads
from portal.township.exports import ranking_csv
from portal.township.models import Township
from portal.township.ranking import BadQuarter, last_full_quarter, quarter_of
from portal.translations import translate

bp = Blueprint("township_public", __name__, url_prefix="/township")


def _township(code: str) -> Township:
    with backend().db.read() as session:
        township = session.get(Township, code)
    if township is None:
        abort(404)
    return township


@bp.get("/<township>/ranking")
def ranking(township: str) -> Response | tuple[str, int]:
    try:
        page = reads.township_ranking(backend(), township, request.args.get("q"))
    except NotFound:
        abort(404)
    except BadQuarter as err:
        html = render_template("township/ranking.html", p=None, township=_township(township),
                               problem=translate(err.args[0]), current=last_full_quarter(backend().today()))
        return html, 400
    return render_template("township/ranking.html", p=page, township=page.township, problem=None,
                           current=quarter_of(page.today)), 200


@bp.get("/<township>/ranking.csv")
def ranking_download(township: str) -> Response | tuple[str, int]:
    try:
        page = reads.township_ranking(backend(), township, request.args.get("q"))
    except NotFound:
        abort(404)
    except BadQuarter as err:
        return translate(err.args[0]), 400
    title = f"{page.township.name} {page.quarter.year}年第{page.quarter.number}季度 各村晾晒（截至 {page.as_of.isoformat()}）"
    return Response(ranking_csv(page.rows, title), mimetype=MEDIA_TYPES["csv"].split(";")[0],
                    headers={"Content-Disposition": f'attachment; filename="ranking-{page.township.code}-{page.quarter}.csv"'})
