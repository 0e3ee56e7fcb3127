"""零散地块图 — parcels' polygons drawn as one small inline SVG, server-side, no script.

Polygons are [[x, y], …] in whole metres on the village's local plane (x east, y north). The
SVG's viewBox is fitted to their bounding box and y is flipped, so north is up. Each status has
a fill colour and a pattern (stripes, dots, lines, cross-hatch), so no reader depends on colour
alone; labels are near-black with a white halo, ≥ 4.5:1 on every fill. Coordinates stay whole
numbers, fills are attributes and every other style is in static/portal.css (`.pm …`; no inline
<style>, which the Content-Security-Policy refuses): a 60-parcel map is about 15 KB (3.5 KB gzip).

The village's landmarks (portal/villages/landmarks.py) are drawn with it: roads and water as lines
under the plots, buildings and bridges as symbols over them, each named by a label a little larger
than the plots' numbers (larger still in 长辈版), set where it covers no number and no other name.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from portal.villages.landmarks import Landmark

Point = tuple[int, int]

LABEL_COLOUR = "#111111"
LABEL_HALO = "#ffffff"
OUTLINE_COLOUR = "#333333"
GLYPH_WIDTH = 0.62     # a digit or Latin letter of bold sans-serif, in em
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


@dataclass(frozen=True)
class Frame:
    """The viewBox: map metres to SVG units (x right, y down) with a margin all round."""

    min_x: int
    max_y: int
    width: int
    height: int
    pad: int

    @classmethod
    def around(cls, polygons: Sequence[Sequence[Sequence[int]]], pad: int | None = None) -> Frame:
        """The box around `polygons` with `pad` units all round (default: 1/40 of the longer side)."""
        width, height = extent(polygons)
        if pad is None:
            pad = max(1, max(width, height) // 40)
        return cls(min(p[0] for poly in polygons for p in poly), max(p[1] for poly in polygons for p in poly),
                   width + 2 * pad, height + 2 * pad, pad)

    def point(self, x: float, y: float) -> Point:
        """A map point in SVG units: shifted into the box, y flipped so north is up."""
        return round(x - self.min_x + self.pad), round(self.max_y - y + self.pad)

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


def centroid(polygon: Sequence[Sequence[int]]) -> tuple[float, float]:
    """The area centroid (shoelace); the vertex mean for a degenerate polygon."""
    area2 = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(polygon, [*polygon[1:], polygon[0]]):
        cross = x0 * y1 - x1 * y0
        area2 += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(area2) < 1e-9:
        return sum(p[0] for p in polygon) / len(polygon), sum(p[1] for p in polygon) / len(polygon)
    return cx / (3 * area2), cy / (3 * area2)


def inside(polygon: Sequence[Sequence[float]], x: float, y: float) -> bool:
    """Ray casting: is (x, y) inside the polygon?"""
    result = False
    for (x0, y0), (x1, y1) in zip(polygon, [*polygon[1:], polygon[0]]):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            result = not result
    return result


def text_width(text: str, size: float) -> float:
    """Roughly how wide `text` runs at font size `size`: CJK one em, others GLYPH_WIDTH."""
    return sum(size if ord(ch) >= 0x2E80 else size * GLYPH_WIDTH for ch in text)


Box = tuple[float, float, float, float]  # left, top, right, bottom


def bounds(points: Sequence[Sequence[float]]) -> Box:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


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


def _points(outline: Sequence[Point]) -> str:
    return " ".join(f"{x},{y}" for x, y in outline)


def map_svg(parcels: Sequence[MapParcel], title: str, *, enlarged: bool = False,
            landmarks: Sequence[Landmark] = (), text_scale: float = 1.0,
            also: Sequence[Sequence[Sequence[int]]] = ()) -> Markup:
    """The whole map: the landmarks' lines, then one <a> per parcel (tooltip <title>, polygon,
    number label where it fits), then the landmarks' symbols and names; `enlarged` (one area of
    the map, portal/parcels/zoom.py) adds each link a finger-sized target. `text_scale` enlarges
    the landmarks' names (长辈版); the frame takes in the outlines `also` (an area's point landmarks).

    Returns empty markup when no parcel has a polygon.
    """
    drawn = [p for p in parcels if p.polygon]
    if not drawn:
        return Markup("")
    frame, size = map_frame([*(p.polygon for p in drawn), *also])
    _, labels = short_labels([p.number for p in drawn])
    outlines = [[frame.point(x, y) for x, y in p.polygon] for p in drawn]
    limits = (0.0, 0.0, float(frame.width), float(frame.height))
    texts = [labels[p.number] for p in drawn]
    # The landmarks' names first, where they hide the fewest plot numbers; then the numbers,
    # around the names (a number with no room left is not drawn: the plot's tooltip, the
    # enlargement and the table below still name it).
    first = place_labels(outlines, texts, size, limits)
    numbers = [label_box(spot, text, size) for spot, text in zip(first, texts) if spot]
    lines, marks, used = draw_landmarks(frame, landmarks, round(size * LANDMARK_TEXT * text_scale), numbers,
                                        [bounds(o) for o in outlines], limits)
    spots = place_labels(outlines, texts, size, limits, used) if used else first
    shapes = []
    for parcel, outline, spot in zip(drawn, outlines, spots):
        label = f'<text x="{spot[0]}" y="{spot[1]}">{escape(labels[parcel.number])}</text>' if spot else ""
        hit = hit_box(frame, parcel.polygon) if enlarged else ""
        shapes.append(f'<a href="{escape(parcel.href)}"><title>{escape(parcel.title)}</title>{hit}'
                      f'<polygon class="st-{parcel.status}" fill="{status_fill(parcel.status)}" points="{_points(outline)}"/>'
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
        f'<polygon class="st-{status}" fill="{status_fill(status)}" points="{_points([frame.point(x, y) for x, y in polygon])}"/></svg>')


def extent(polygons: Sequence[Sequence[Sequence[int]]]) -> tuple[int, int]:
    """(east–west, north–south) extent in metres of the polygons together."""
    xs = [p[0] for poly in polygons for p in poly]
    ys = [p[1] for poly in polygons for p in poly]
    return max(xs) - min(xs), max(ys) - min(ys)


def distance_text(metres: int, english: bool = False) -> str:
    """A distance as people say it: 350 米, 2.4 公里 (350 m, 2.4 km in English)."""
    if metres >= 1000:
        return f"{metres / 1000:.1f} {'km' if english else '公里'}"
    return f"{round(metres, -1)} {'m' if english else '米'}"


def describe_outline(polygon: Sequence[Sequence[int]]) -> str:
    """An outline in words, for history diffs: 4 个角点，东西约 80 米、南北约 90 米（起点 62,1330）."""
    width, height = extent([polygon])
    x, y = polygon[0]
    return f"{len(polygon)} 个角点，东西约 {distance_text(width)}、南北约 {distance_text(height)}（起点 {x},{y}）"


# ── landmarks (地标) ────────────────────────────────────────────────────────────────────────

LANDMARK_TEXT = 1.15   # a landmark's name against a plot's number: a little larger, read first
RINGS = 2              # a name's places beside its landmark: near, then a line further out
WATER = frozenset({"river", "canal"})


def label_box(spot: Sequence[float], text: str, size: float) -> Box:
    """The box a label centred at `spot` covers, halo included (as place_labels reckons it)."""
    half_w, half_h = text_width(text, size) / 2 + size * 0.1, size * 0.45
    return spot[0] - half_w, spot[1] - half_h, spot[0] + half_w, spot[1] + half_h


def _within(box: Box, limits: Box) -> bool:
    return limits[0] <= box[0] and limits[1] <= box[1] and box[2] <= limits[2] and box[3] <= limits[3]


def clip_segment(a: Sequence[float], b: Sequence[float], box: Box) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """The part of segment a–b inside `box` (Liang–Barsky), or None when it misses the box."""
    (x0, y0), (x1, y1) = a, b
    dx, dy = x1 - x0, y1 - y0
    low, high = 0.0, 1.0
    for p, q in ((-dx, x0 - box[0]), (dx, box[2] - x0), (-dy, y0 - box[1]), (dy, box[3] - y0)):
        if p == 0:
            if q < 0:
                return None
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return None
    return (x0 + low * dx, y0 + low * dy), (x0 + high * dx, y0 + high * dy)


def _along(pieces: Sequence[tuple[tuple[float, float], tuple[float, float]]], fraction: float) -> tuple[float, float, bool]:
    """The point `fraction` of the way along the visible pieces of a line, and whether the line
    runs more east–west than north–south there."""
    total = sum(math.dist(a, b) for a, b in pieces)
    left = fraction * total
    for a, b in pieces:
        length = math.dist(a, b)
        if left <= length or (a, b) == pieces[-1]:
            t = left / length if length else 0.0
            return a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]), abs(b[0] - a[0]) >= abs(b[1] - a[1])
        left -= length
    raise AssertionError("a line has at least one piece")


def _place(candidates: Sequence[tuple[float, float]], text: str, size: float, used: list[Box],
           numbers: Sequence[Box], plots: Sequence[Box], limits: Box) -> tuple[float, float] | None:
    """The candidate centre where the label stays on the map and, in this order of importance,
    touches no other landmark's name or symbol, hides the fewest plot numbers, keeps a little
    apart from the other names, stays near its landmark (`candidates` come in rings, `ring`
    each), covers the fewest plots; None when no candidate stays on the map. The chosen box
    joins `used`."""
    best: tuple[tuple[int, ...], tuple[float, float]] | None = None
    margin = size * 0.8
    for order, centre in enumerate(candidates):
        box = label_box(centre, text, size)
        if not _within(box, limits):
            continue
        around = (box[0] - margin, box[1] - margin, box[2] + margin, box[3] + margin)
        cost = (sum(overlaps(box, u) for u in used), order * RINGS // len(candidates),
                sum(overlaps(box, n) for n in numbers), sum(overlaps(around, u) for u in used),
                sum(overlaps(box, p) for p in plots), order)
        if best is None or cost < best[0]:
            best = (cost, centre)
    if best is None:
        return None
    used.append(label_box(best[1], text, size))
    return best[1]


def _line_candidates(pieces: Sequence[tuple[tuple[float, float], tuple[float, float]]], text: str,
                     size: float) -> list[tuple[float, float]]:
    """Centres for a line's name beside it, from its middle outwards, nearest first."""
    half_w, half_h = text_width(text, size) / 2, size * 0.45
    near: list[tuple[float, float]] = []
    far: list[tuple[float, float]] = []
    for step in range(10):
        for fraction in ((0.5,) if step == 0 else (0.5 - step * 0.045, 0.5 + step * 0.045)):
            x, y, flat = _along(pieces, fraction)
            for gap, out in ((size * 0.5, near), (size * 1.4, far)):
                out += [(x, y - gap - half_h), (x, y + gap + half_h)] if flat else \
                       [(x + gap + half_w, y), (x - gap - half_w, y)]
    return near + far


def _point_candidates(x: float, y: float, half: float, text: str, size: float) -> list[tuple[float, float]]:
    """Centres for a symbol's name: right, left, above, below, then the corners, then further out."""
    half_w, half_h = text_width(text, size) / 2, size * 0.45
    candidates = []
    for gap in (size * 0.3, size * 1.2):
        dx, dy = half + gap + half_w, half + gap * 0.5 + half_h
        candidates += [(x + dx, y), (x - dx, y), (x, y - dy), (x, y + dy),
                       (x + dx, y - dy), (x - dx, y - dy), (x + dx, y + dy), (x - dx, y + dy)]
    return candidates


def _marker(kind: str, x: float, y: float, half: float) -> str:
    """A point landmark's symbol: 村委会 a square, a school a triangle, a temple a diamond, a
    bridge two rails, anything else a circle."""
    x, y, h = round(x), round(y), max(1, round(half))
    if kind == "office":
        return f'<rect class="lm-mark" x="{x - h}" y="{y - h}" width="{2 * h}" height="{2 * h}"/>'
    if kind == "school":
        return f'<polygon class="lm-mark" points="{x},{y - h} {x + h},{y + h} {x - h},{y + h}"/>'
    if kind == "temple":
        return f'<polygon class="lm-mark" points="{x},{y - h} {x + h},{y} {x},{y + h} {x - h},{y}"/>'
    if kind == "bridge":
        return (f'<path class="lm-bridge" d="M{x - h} {y - h // 2}H{x + h}M{x - h} {y + h // 2}H{x + h}"/>')
    return f'<circle class="lm-mark" cx="{x}" cy="{y}" r="{h}"/>'


def _line(kind: str, points: str) -> str:
    """A road as a white band with dark edges; water as a blue line (a river wider than a canal)."""
    if kind == "road":
        return f'<polyline class="lm-road-edge" points="{points}"/><polyline class="lm-road" points="{points}"/>'
    return f'<polyline class="lm-{kind}" points="{points}"/>'


def draw_landmarks(frame: Frame, landmarks: Sequence[Landmark], size: int, numbers: Sequence[Box],
                   plots: Sequence[Box], limits: Box) -> tuple[str, str, list[Box]]:
    """(the lines under the plots, the symbols and names over them, the boxes these take) of the
    landmarks within the frame; each name where it hides the fewest plot `numbers`."""
    lines, marks, names = [], [], []
    used: list[Box] = []
    half = size * 0.4
    points = [m for m in landmarks if not m.is_line]
    for mark in points:  # every symbol first, so no name hides one
        (x, y), = [frame.point(*p) for p in mark.points]
        if limits[0] <= x <= limits[2] and limits[1] <= y <= limits[3]:
            used.append((x - half, y - half, x + half, y + half))
    for mark in landmarks:
        ends = [frame.point(x, y) for x, y in mark.points]
        if mark.is_line:
            pieces = [piece for a, b in zip(ends, ends[1:]) if (piece := clip_segment(a, b, limits)) and piece[0] != piece[1]]
            if not pieces:
                continue
            lines.append(_line(mark.kind, _points(ends)))
            spot = _place(_line_candidates(pieces, mark.name, size), mark.name, size, used, numbers, plots, limits)
        else:
            (x, y), = ends
            if not (limits[0] <= x <= limits[2] and limits[1] <= y <= limits[3]):
                continue
            marks.append(_marker(mark.kind, x, y, half))
            spot = _place(_point_candidates(x, y, half, mark.name, size), mark.name, size, used, numbers, plots,
                          limits)
        if spot is not None:
            water = " water" if mark.kind in WATER else ""
            names.append(f'<text class="lm-name{water}" x="{round(spot[0])}" y="{round(spot[1])}">{escape(mark.name)}</text>')
    if not lines and not marks and not names:
        return "", "", []
    halo = max(1, round(size / 5))
    return (f'<g class="lm-lines">{"".join(lines)}</g>' if lines else "",
            f'<g class="lm" font-size="{size}" stroke-width="{halo}">{"".join(marks)}{"".join(names)}</g>', used)


def landmark_swatch(kind: str) -> Markup:
    """The landmark kind's line or symbol, for the legend beside the map."""
    shape = _line(kind, "2,12 34,12") if kind in ("road", "river", "canal") else _marker(kind, 18, 12, 8)
    return Markup(f'<svg class="swatch pm-swatch" viewBox="0 0 36 24" aria-hidden="true">{shape}</svg>')
