"""The parcel map by touch: on a phone the village's plots are 11–18 px wide, too small for a
finger (44 px). So the whole map is cut into a grid of areas (片区); on a phone each area is one
large link to its enlargement (`/map?area=N`), where every plot of the area is drawn about three
times larger and its link carries an invisible target of at least 48 px. No script: links only.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

from portal.parcels.mapping import MapParcel, map_frame
from portal.parcels.plane import Frame, centroid
from portal.villages.landmarks import Landmark

GRID = 3                # areas per side: 60 plots on 10 × 6 → about 7 a area, ~100 px apart


def area_of(frame: Frame, polygon: Sequence[Sequence[int]]) -> int:
    """The area (1 … GRID²) of a plot, by its centroid, row by row from the north-west."""
    x, y = frame.point(*centroid(polygon))
    column = min(GRID - 1, int(x * GRID / frame.width))
    row = min(GRID - 1, int(y * GRID / frame.height))
    return row * GRID + column + 1


def areas(parcels: Sequence[MapParcel]) -> dict[int, list[MapParcel]]:
    """The drawn plots by area; areas without plots are left out."""
    drawn = [p for p in parcels if p.polygon]
    if not drawn:
        return {}
    frame, _ = map_frame([p.polygon for p in drawn])
    found: dict[int, list[MapParcel]] = {}
    for parcel in drawn:
        found.setdefault(area_of(frame, parcel.polygon), []).append(parcel)
    return dict(sorted(found.items()))


def area_points(parcels: Sequence[MapParcel], landmarks: Sequence[Landmark], number: int) -> list[list[list[int]]]:
    """The point landmarks (村委会, a school, a bridge) of area `number`, each as a one-point outline,
    for the enlargement's frame to take in: they often stand in the lanes between the plots, outside
    the box of any area's plots."""
    drawn = [p for p in parcels if p.polygon]
    if not drawn:
        return []
    frame, _ = map_frame([p.polygon for p in drawn])
    found = []
    for mark in landmarks:
        if mark.is_line:
            continue
        x, y = frame.point(*mark.points[0])
        if 0 <= x <= frame.width and 0 <= y <= frame.height and area_of(frame, mark.points) == number:
            found.append([list(mark.points[0])])
    return found


def area_links(parcels: Sequence[MapParcel], href: Callable[[int], str], name: Callable[[int], str]) -> str:
    """SVG links, one rectangle per area holding plots, laid over the whole map (shown on phones).
    An area is named by its link's title, not by a number drawn in its corner: there it stood on the
    plots' numbers (a "7" before "11" read as plot 71)."""
    drawn = [p for p in parcels if p.polygon]
    frame, _ = map_frame([p.polygon for p in drawn])
    width, height = frame.width / GRID, frame.height / GRID
    links = []
    for number in areas(parcels):
        column, row = (number - 1) % GRID, (number - 1) // GRID
        x, y = round(column * width), round(row * height)
        links.append(f'<a class="pm-area" href="{escape(href(number))}"><title>{escape(name(number))}</title>'
                     f'<rect x="{x}" y="{y}" width="{round(width)}" height="{round(height)}"/></a>')
    return f'<g class="pm-areas">{"".join(links)}</g>'


def with_areas(svg: Markup, overlay: str) -> Markup:
    """The whole map with the areas' links laid over it, before its closing tag."""
    return Markup(str(svg).replace("</svg>", overlay + "</svg>", 1))


def find(wanted: str, numbers: Sequence[str]) -> str | None:
    """"找我的地": the parcel whose number is `wanted` (any case, LB-012), or whose number's last
    digits are (12, 012); None when none or more than one match."""
    wanted = wanted.strip().upper()
    if wanted in numbers:
        return wanted
    digits = wanted.lstrip("0")
    if not digits.isdigit():
        return None
    matches = [n for n in numbers if n.rsplit("-", 1)[-1].lstrip("0") == digits]
    return matches[0] if len(matches) == 1 else None
