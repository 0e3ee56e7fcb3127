"""The map's plane: points in whole metres (x east, y north), the SVG frame that fits them, and
the little geometry the map and its labels need (centroids, boxes, how wide a label runs)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Point = tuple[int, int]
Box = tuple[float, float, float, float]  # left, top, right, bottom
GLYPH_WIDTH = 0.62     # a digit or Latin letter of bold sans-serif, in em


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


def extent(polygons: Sequence[Sequence[Sequence[int]]]) -> tuple[int, int]:
    """(east–west, north–south) extent in metres of the polygons together."""
    xs = [p[0] for poly in polygons for p in poly]
    ys = [p[1] for poly in polygons for p in poly]
    return max(xs) - min(xs), max(ys) - min(ys)


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


def bounds(points: Sequence[Sequence[float]]) -> Box:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def svg_points(outline: Sequence[Point]) -> str:
    return " ".join(f"{x},{y}" for x, y in outline)
