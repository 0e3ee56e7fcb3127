"""零散地块图 — parcels' polygons drawn as one small inline SVG, server-side, no script.

Polygons are [[x, y], …] in whole metres on the village's local plane (x east, y north). The
SVG's viewBox is fitted to their bounding box and y is flipped, so north is up. Each status has
a fill colour and a pattern (stripes, dots, lines, cross-hatch), so no reader depends on colour
alone; labels are near-black with a white halo, ≥ 4.5:1 on every fill. Coordinates stay whole
numbers, fills are attributes and every other style is in static/portal.css (`.pm …`; no inline
<style>, which the Content-Security-Policy refuses): a 60-parcel map is about 15 KB (3.5 KB gzip).

The village's landmarks are drawn with it (portal/parcels/landmark_drawing.py); the plane's
geometry is portal/parcels/plane.py.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from portal.kernel.messages import say
from portal.parcels.landmark_drawing import LANDMARK_TEXT, draw_landmarks, label_box
from portal.parcels.plane import Box, Frame, Point, bounds, centroid, extent, inside, overlaps, svg_points, text_width
from portal.villages.landmarks import Landmark

LABEL_COLOUR = "#111111"
LABEL_HALO = "#ffffff"
OUTLINE_COLOUR = "#333333"
FONT_PER_WIDTH = 30    # label font size = map width / 30: about 10 px on a 375 px phone
TARGET_PX = 48         # a finger's target, in CSS px, on an enlarged area of the map
PHONE_MAP_PX = 343     # the map's width on a 375 px phone (main's padding taken off)


@dataclass(frozen=True)
class StatusStyle:
    """How one parcel status is drawn: base fill, and the pattern (and its ink) laid over it."""

    fill: str
    ink: str
    pattern: str  # solid · stripes · dots · lines · hatch


# Light fills keep the near-black labels at ≥ 4.5:1; the patterns tell the statuses apart
# for colour-blind readers. static/portal.css repeats these fills for the HTML badges.
STATUS_STYLES = {
    "leased": StatusStyle("#a8d89a", "#a8d89a", "solid"),
    "expiring": StatusStyle("#ffd27a", "#a86b00", "stripes"),
    "tender": StatusStyle("#a9d0f5", "#1e5aa0", "dots"),
    "vacant": StatusStyle("#f3f3f0", "#8c8c8c", "lines"),
    "withdrawn": StatusStyle("#cfcfcf", "#5a5a5a", "hatch"),
}


@dataclass(frozen=True)
class MapParcel:
    """One parcel to draw: where its page is, what its tooltip says, its status and outline."""

    number: str
    href: str
    title: str
    status: str
    polygon: Sequence[Sequence[int]]


def place_labels(outlines: Sequence[Sequence[Point]], texts: Sequence[str], size: float,
                 limits: Box, avoid: Sequence[Box] = ()) -> list[Point | None]:
    """Where each outline's label goes (the centre of its text), or None where it cannot go.

    First choice: at the centroid, when the text and its halo fit wholly inside the outline.
    Scattered plots (零散地块) are mostly too small for that on a phone, but have room around
    them, so next: just above the outline; last: at the centroid running over the outline's
    edge (the white halo keeps it legible). Outside spots must stay within `limits` (the
    viewBox) and clear of every outline's bounding box; no label touches another, nor any box
    of `avoid` (the landmarks' names and symbols).
    """
    boxes = [bounds(outline) for outline in outlines]
    placed: list[Box] = list(avoid)
    spots: list[Point | None] = []
    for index, (outline, text) in enumerate(zip(outlines, texts)):
        half_w, half_h = text_width(text, size) / 2 + size * 0.1, size * 0.45  # digits' ink and halo
        cx, cy = centroid(outline)
        top = boxes[index][1]
        candidates = [("inside", cx, cy), ("above", cx, top - size * 0.15 - half_h), ("over", cx, cy)]
        spot = None
        for how, x, y in candidates:
            box = (x - half_w, y - half_h, x + half_w, y + half_h)
            if how == "inside":  # wholly inside its own outline, so clear of every other outline
                fits = all(inside(outline, bx, by) for bx in (box[0], box[2]) for by in (box[1], box[3]))
            else:
                others = [other for i, other in enumerate(boxes) if how == "above" or i != index]
                fits = (limits[0] <= box[0] and limits[1] <= box[1] and box[2] <= limits[2]
                        and box[3] <= limits[3] and not any(overlaps(box, other) for other in others)
                        and (how == "above" or inside(outline, x, y)))
            if fits and not any(overlaps(box, other) for other in placed):
                spot = (round(x), round(y))
                placed.append(box)
                break
        spots.append(spot)
    return spots


def short_labels(numbers: Sequence[str]) -> tuple[str, dict[str, str]]:
    """(common prefix, number → label): LB-001 … LB-060 → ("LB-", {"LB-001": "1", …}).

    The prefix is cut at its last separator, and leading zeros go when the labels stay unique.
    """
    if not numbers:
        return "", {}
    prefix = numbers[0]
    for number in numbers[1:]:
        while not number.startswith(prefix):
            prefix = prefix[:-1]
    cut = max(prefix.rfind(sep) for sep in "-_/. ") + 1
    prefix = prefix[:cut]
    labels = {n: n[len(prefix):] or n for n in numbers}
    unpadded = {n: (label.lstrip("0") or "0") if label.isdigit() else label for n, label in labels.items()}
    if len(set(unpadded.values())) == len(unpadded):
        labels = unpadded
    return prefix, labels


def _pattern(status: str, style: StatusStyle, size: int) -> str:
    """A <pattern> of the style's fill with its ink on top, `size` SVG units a tile."""
    line = max(1, round(size / 4))
    s, h = size, size / 2
    marks = {
        "stripes": f'<path d="M0 {s}L{s} 0M-{h:g} {h:g}L{h:g} -{h:g}M{h:g} {s + h:g}L{s + h:g} {h:g}" '
                   f'stroke="{style.ink}" stroke-width="{line}"/>',
        "dots": f'<circle cx="{h:g}" cy="{h:g}" r="{max(1, round(size / 5))}" fill="{style.ink}"/>',
        "lines": f'<path d="M0 {h:g}H{s}" stroke="{style.ink}" stroke-width="{line}"/>',
        "hatch": f'<path d="M0 0L{s} {s}M{s} 0L0 {s}" stroke="{style.ink}" stroke-width="{line}"/>',
    }[style.pattern]
    return (f'<pattern id="pt-{status}" width="{s}" height="{s}" patternUnits="userSpaceOnUse">'
            f'<rect width="{s}" height="{s}" fill="{style.fill}"/>{marks}</pattern>')


def patterns(tile: int) -> str:
    """The <defs> every map SVG on a page shares: a <pattern> per patterned status. The rest of
    the map's look is in static/portal.css (`.pm …`): the Content-Security-Policy allows no
    inline <style>."""
    defs = "".join(_pattern(status, style, tile) for status, style in STATUS_STYLES.items()
                   if style.pattern != "solid")
    return f"<defs>{defs}</defs>"


def status_fill(status: str) -> str:
    """The `fill` attribute of a shape of `status`: its colour, or its pattern in this document
    (an attribute, not CSS, so the url(#…) always names the page's own <pattern>)."""
    style = STATUS_STYLES[status]
    return style.fill if style.pattern == "solid" else f"url(#pt-{status})"


def map_svg(parcels: Sequence[MapParcel], title: str, *, enlarged: bool = False,
            landmarks: Sequence[Landmark] = (), text_scale: float = 1.0, number_scale: float = 1.0,
            also: Sequence[Sequence[Sequence[int]]] = ()) -> Markup:
    """The whole map: the landmarks' lines, then one <a> per parcel (tooltip <title>, polygon,
    number label where it fits), then the landmarks' symbols and names; `enlarged` (one area of
    the map, portal/parcels/zoom.py) adds each link a finger-sized target. `text_scale` enlarges
    the landmarks' names and `number_scale` the plots' numbers (长辈版: a number that no longer
    fits its plot is left out, as any that does not fit); the frame takes in the outlines `also`
    (an area's point landmarks).

    Returns empty markup when no parcel has a polygon.
    """
    drawn = [p for p in parcels if p.polygon]
    if not drawn:
        return Markup("")
    frame, text_size = map_frame([*(p.polygon for p in drawn), *also])
    size = max(1, round(text_size * number_scale))
    _, labels = short_labels([p.number for p in drawn])
    outlines = [[frame.point(x, y) for x, y in p.polygon] for p in drawn]
    limits = (0.0, 0.0, float(frame.width), float(frame.height))
    texts = [labels[p.number] for p in drawn]
    # The landmarks' names first, where they hide the fewest plot numbers; then the numbers,
    # around the names (a number with no room left is not drawn: the plot's tooltip, the
    # enlargement and the table below still name it).
    first = place_labels(outlines, texts, size, limits)
    numbers = [label_box(spot, text, size) for spot, text in zip(first, texts) if spot]
    lines, marks, used = draw_landmarks(frame, landmarks, round(text_size * LANDMARK_TEXT * text_scale), numbers,
                                        [bounds(o) for o in outlines], limits)
    spots = place_labels(outlines, texts, size, limits, used) if used else first
    shapes = []
    for parcel, outline, spot in zip(drawn, outlines, spots):
        label = f'<text x="{spot[0]}" y="{spot[1]}">{escape(labels[parcel.number])}</text>' if spot else ""
        hit = hit_box(frame, parcel.polygon) if enlarged else ""
        shapes.append(f'<a href="{escape(parcel.href)}"><title>{escape(parcel.title)}</title>{hit}'
                      f'<polygon class="st-{parcel.status}" fill="{status_fill(parcel.status)}" points="{svg_points(outline)}"/>'
                      f'{label}</a>')
    halo = max(1, round(size / 5))
    return Markup(
        f'<svg class="pm{" enlarged" if enlarged else ""}" viewBox="{frame.view_box}" role="group" aria-labelledby="pm-title">'
        f'<title id="pm-title">{escape(title)}</title>{patterns(tile_size(frame))}{lines}'
        f'<g font-size="{size}" stroke-width="{halo}">{"".join(shapes)}</g>{marks}</svg>')


def hit_box(frame: Frame, polygon: Sequence[Sequence[int]]) -> str:
    """An invisible rectangle around a plot's centre, at least TARGET_PX wide and high on a phone."""
    least = TARGET_PX * frame.width / PHONE_MAP_PX
    xs, ys = zip(*(frame.point(x, y) for x, y in polygon))
    w, h = max(least, max(xs) - min(xs)), max(least, max(ys) - min(ys))
    cx, cy = frame.point(*centroid(polygon))
    return f'<rect class="pm-hit" x="{round(cx - w / 2)}" y="{round(cy - h / 2)}" width="{round(w)}" height="{round(h)}"/>'


def map_frame(polygons: Sequence[Sequence[Sequence[int]]]) -> tuple[Frame, int]:
    """The whole map's frame and label font size; the margin leaves room for labels above the top row."""
    size = max(1, round(max(extent(polygons)[0], 1) / FONT_PER_WIDTH))
    return Frame.around(polygons, pad=size), size


def tile_size(frame: Frame) -> int:
    """Pattern tile in SVG units: about 4 px on a phone-wide map, whatever the village's extent."""
    return max(2, round(frame.width / 90))


def legend_swatch(status: str, tile: int) -> Markup:
    """A small rectangle in the status's fill and pattern, for the legend beside the map."""
    return Markup(f'<svg class="swatch" viewBox="0 0 {tile * 9} {tile * 6}" aria-hidden="true">'
                  f'<rect class="st-{status}" fill="{status_fill(status)}" width="{tile * 9}" height="{tile * 6}" '
                  f'stroke="{OUTLINE_COLOUR}"/></svg>')


def map_tile(parcels: Sequence[MapParcel]) -> int:
    """The pattern tile the map of `parcels` uses, so its legend swatches match it."""
    drawn = [p.polygon for p in parcels if p.polygon]
    return tile_size(map_frame(drawn)[0]) if drawn else 2


def outline_svg(polygon: Sequence[Sequence[int]], status: str, title: str) -> Markup:
    """One parcel's own outline, fitted to its box, filled by its status, north up."""
    frame = Frame.around([polygon], pad=max(1, max(extent([polygon])) // 20))
    return Markup(
        f'<svg class="pm outline" viewBox="{frame.view_box}" role="img" aria-labelledby="po-title">'
        f'<title id="po-title">{escape(title)}</title>{patterns(max(2, round(frame.width / 24)))}'
        f'<polygon class="st-{status}" fill="{status_fill(status)}" points="{svg_points([frame.point(x, y) for x, y in polygon])}"/></svg>')


def distance_text(metres: int, english: bool = False) -> str:
    """A distance as people say it: 350 米, 2.4 公里 (350 m, 2.4 km in English)."""
    if metres >= 1000:
        return f"{metres / 1000:.1f} {'km' if english else '公里'}"
    return f"{round(metres, -1)} {'m' if english else '米'}"


def describe_outline(polygon: Sequence[Sequence[int]]) -> str:
    """An outline in words, for history diffs: 4 个角点，东西约 80 米、南北约 90 米（起点 62,1330）."""
    width, height = extent([polygon])
    x, y = polygon[0]
    return say("%(corners)s 个角点，东西约 %(width)s、南北约 %(height)s（起点 %(x)s,%(y)s）", corners=len(polygon),
               width=_distance(width), height=_distance(height), x=x, y=y)


def _distance(metres: int) -> str:
    """`distance_text` as a message, for a text shown later in the reader's language."""
    if metres >= 1000:
        return say("%(km)s 公里", km=f"{metres / 1000:.1f}")
    return say("%(m)s 米", m=round(metres, -1))
