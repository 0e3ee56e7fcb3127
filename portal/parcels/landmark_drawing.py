"""地标 on the parcel map (portal/villages/landmarks.py keeps them): roads and water as lines under
the plots, buildings and bridges as symbols over them, each named by a label a little larger than
the plots' numbers (larger still in 长辈版), set where it covers no number and no other name."""
from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

from portal.parcels.plane import Box, Frame, overlaps, svg_points, text_width
from portal.villages.landmarks import Landmark


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
            lines.append(_line(mark.kind, svg_points(ends)))
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
