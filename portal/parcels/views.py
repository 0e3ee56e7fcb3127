"""Parcel pages, no login: the register (地块登记), one parcel, and the map (零散地块图)."""
from __future__ import annotations

from collections import Counter
from typing import TypedDict

from flask import Blueprint, Response, redirect, render_template, url_for
from markupsafe import Markup
from werkzeug.wrappers import Response as WerkzeugResponse

from portal.app import backend
from portal.contracts import labels as contract_labels
from portal.contracts import reads as contract_reads
from portal.kernel.messages import say
from portal.parcels import labels as parcel_labels
from portal.parcels import landmark_drawing, mapping, plane, zoom
from portal.parcels import reads as parcel_reads
from portal.parcels.labels import SORT_NAMES
from portal.parcels.models import Asset
from portal.parcels.printing import parcel_response
from portal.parcels.status import STATUS_LABELS, ParcelState
from portal.publishing.formatting import area
from portal.publishing.lists import choice_arg, respond, text_arg
from portal.publishing.prefs import large_text
from portal.translations import N_, current_translations, in_english, translate
from portal.villages.labels import LANDMARK_KINDS
from portal.villages.landmarks import Landmark, landmarks_of

bp = Blueprint("parcels", __name__)
MAP_TITLE = N_("%(village)s 零散地块图")
AREA_LINK = N_("放大第 %(n)s 片")
LARGE_LANDMARK_TEXT = 1.3  # 长辈版: the landmarks' names as much larger as the page's text
# 长辈版: the plots' numbers (~10 px on a phone otherwise): in an enlarged area about as large as
# the page's body text (~18 px); on the whole map as much as the landmarks' names, whose roads and
# rivers larger numbers would hide
LARGE_PLOT_NUMBERS = {"area": 1.8, "whole": LARGE_LANDMARK_TEXT}


class _Filters(TypedDict):
    """The register's query parameters, as parcels_listing takes them."""

    status: str | None
    kind: str | None
    sort: str


@bp.get("/v/<code>/parcels", defaults={"fmt": None})
@bp.get("/v/<code>/parcels.<fmt>")
def parcels(code: str, fmt: str | None) -> Response | str:
    """地块登记: every parcel and building with its status today; filter by status and kind; sort."""
    filters: _Filters = {
        "status": choice_arg("status", tuple(parcel_labels.PARCEL_STATUS)),
        "kind": choice_arg("kind", tuple(parcel_labels.ASSET_KIND)),
        "sort": choice_arg("sort", tuple(SORT_NAMES), "number"),
    }
    listing = parcel_reads.parcels_listing(backend(), code, backend().today(), **filters)
    return respond(listing, fmt, "public/parcels.html", filters=filters, statuses=parcel_labels.PARCEL_STATUS,
                   kinds=parcel_labels.ASSET_KIND, sorts=SORT_NAMES)


def _outline(detail: parcel_reads.ParcelDetail) -> tuple[Markup | None, list[str] | None]:
    """The parcel's outline as SVG and its extent in words (东西, 南北), or (None, None) if unsurveyed."""
    if not detail.asset.polygon:
        return None, None
    outline = mapping.outline_svg(detail.asset.polygon, detail.state.status.value,
                                  translate(say("%(number)s 的边界（上为北）", number=detail.asset.number)))
    return outline, [mapping.distance_text(m, in_english()) for m in plane.extent([detail.asset.polygon])]


@bp.get("/v/<code>/parcels/<number>")
def parcel(code: str, number: str) -> str:
    detail = parcel_reads.parcel_detail(backend(), code, number, backend().today())
    outline, extent = _outline(detail)
    return render_template("public/parcel.html", d=detail, outline=outline, extent=extent, today=backend().today(),
                           contract_state=contract_reads.contract_state, statuses=parcel_labels.PARCEL_STATUS,
                           contract_statuses=contract_labels.CONTRACT_STATUS, kinds=parcel_labels.ASSET_KIND)


@bp.get("/v/<code>/parcels/<number>.pdf")
def parcel_pdf(code: str, number: str) -> Response:
    """The parcel with its outline and contracts as a printed sheet, rendered once per version and day."""
    detail = parcel_reads.parcel_detail(backend(), code, number, backend().today())
    return parcel_response(detail, backend().today(), *_outline(detail))


def _map_parcel(code: str, asset: Asset, state: ParcelState) -> mapping.MapParcel:
    title = f"{asset.number} {asset.name} · {area(asset.area, asset.area_unit)} · {state.status.label}"
    return mapping.MapParcel(asset.number, url_for("parcels.parcel", code=code, number=asset.number), title,
                             state.status.value, asset.polygon or [])


@bp.get("/v/<code>/map")
def parcel_map(code: str) -> WerkzeugResponse | str:
    """零散地块图: an inline SVG coloured and patterned by status, and the same as a plain table;
    `?area=N` one area of it enlarged for a finger, `?find=12` a parcel by its number."""
    data = parcel_reads.parcel_map(backend(), code, backend().today())
    shapes = [_map_parcel(code, asset, state) for asset, state in data.parcels]
    drawn = [shape for shape in shapes if shape.polygon]
    labels = mapping.short_labels([shape.number for shape in drawn])
    wanted = text_arg("find", 32)
    found = zoom.find(wanted, [asset.number for asset, _ in data.parcels]) if wanted else None
    if found:
        return redirect(url_for("parcels.parcel", code=code, number=found))
    by_area = zoom.areas(shapes)
    area_arg = choice_arg("area", tuple(str(n) for n in by_area))
    word = current_translations().ugettext
    title = word(MAP_TITLE) % {"village": data.village.name}
    marks = landmarks_of(data.village.landmarks)
    large = large_text()
    names = LARGE_LANDMARK_TEXT if large else 1.0
    numbers = LARGE_PLOT_NUMBERS["area" if area_arg else "whole"] if large else 1.0
    if area_arg:
        svg = mapping.map_svg(by_area[int(area_arg)], title, enlarged=True, landmarks=marks, text_scale=names,
                              number_scale=numbers, also=zoom.area_points(shapes, marks, int(area_arg)))
    elif drawn:
        whole = mapping.map_svg(shapes, title, landmarks=marks, text_scale=names, number_scale=numbers)
        svg = zoom.with_areas(whole, zoom.area_links(
            shapes, lambda n: url_for("parcels.parcel_map", code=code, area=n, _anchor="map"),
            lambda n: word(AREA_LINK) % {"n": n}))
    else:
        svg = Markup("")
    return render_template(
        "public/map.html", m=data, today=backend().today(), statuses=STATUS_LABELS,
        counts=Counter(state.status.value for _, state in data.parcels),
        svg=svg, tile=mapping.map_tile(shapes), swatch=mapping.legend_swatch, area=area_arg,
        area_count=len(by_area), wanted=wanted,
        extent=[mapping.distance_text(m, in_english()) for m in plane.extent([shape.polygon for shape in drawn])]
        if drawn else None,
        labels=labels, undrawn=len(shapes) - len(drawn), landmark_kinds=_landmark_legend(marks),
        landmark_swatch=landmark_drawing.landmark_swatch)


def _landmark_legend(marks: list[Landmark]) -> list[tuple[str, str, list[str]]]:
    """(kind, its word, the names) of each kind of landmark the village has, in LANDMARK_KINDS' order."""
    return [(kind, label, names) for kind, label in LANDMARK_KINDS.items()
            if (names := [m.name for m in marks if m.kind == kind])]
