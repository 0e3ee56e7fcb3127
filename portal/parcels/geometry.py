"""Parcel outlines: GeoJSON in, the register's integer metres out, and the checks an outline must pass.

The register keeps an outline as [[x, y], …] in whole metres on a plane (x east, y north), the
ring not repeated at its end (portal/parcels/mapping.py draws it). GeoJSON comes two ways:

* WGS84 longitude/latitude (RFC 7946, what GPS apps, 奥维地图 and QGIS export): projected by
  the Gauss–Krüger (transverse Mercator) projection in 3° zones, false easting 500 km, scale 1 —
  the plane of China's land surveys (CGCS2000 3 度带, within centimetres of WGS84), without the
  zone number in front of x. The zone's central meridian is the multiple of 3° nearest the
  outline (for a village file: nearest the whole file), so a village's parcels share one plane
  unless the village straddles a zone edge (118.5°E, 121.5°E, …), where its staff should use
  map coordinates. Krüger's series to n³ (Karney 2011, eq. 35–36): millimetres within a zone.
* The map's own coordinates: metres on the village's plane, taken as they are (rounded).

Rounding to whole metres moves each corner by at most 0.71 m: a 1 亩 square (26 m a side) can
gain or lose about 5 % of its area, which `compare_area` allows for. Every check is exact
integer arithmetic on the rounded points, so what is checked is what is stored.
"""
from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from portal.kernel.area import area_text
from portal.kernel.messages import say

Point = tuple[int, int]

MAX_POINTS = 200
MAX_COORDINATE = 10_000_000          # metres; a zone number in front of x (39 500 000) is beyond it
SQUARE_METRES_PER_MU = Fraction(2000, 3)  # 1 亩 = 666.67 ㎡
WARN_RATIO = Fraction(1, 5)          # typed and drawn areas differing by more: a warning
REFUSE_FACTOR = 5                    # … by this factor or more: surely a wrong file or unit
MAX_MU = 100_000                     # no village parcel is larger (66.7 km²)
MIN_SQUARE_METRES = 1

# WGS84 ellipsoid and the transverse Mercator series (Karney 2011, "Transverse Mercator with an
# accuracy of a few nanometers", eq. 35–36), to third order in n.
A_AXIS = 6_378_137.0
FLATTENING = 1 / 298.257223563
FALSE_EASTING = 500_000.0
ZONE_WIDTH = 3
_N = FLATTENING / (2 - FLATTENING)
_RECTIFYING = A_AXIS / (1 + _N) * (1 + _N ** 2 / 4 + _N ** 4 / 64)
_ALPHA = (_N / 2 - 2 * _N ** 2 / 3 + 5 * _N ** 3 / 16, 13 * _N ** 2 / 48 - 3 * _N ** 3 / 5, 61 * _N ** 3 / 240)
_E2 = 2 * math.sqrt(_N) / (1 + _N)


class GeometryError(ValueError):
    """An outline that cannot be registered; the message says why, in Chinese, for staff."""


WGS84, LOCAL = "wgs84", "local"
COORDINATES = {WGS84: "经纬度（WGS84）", LOCAL: "本村地图坐标（米）"}


# --- projection ---------------------------------------------------------------------------

def central_meridian(longitudes: Sequence[float]) -> int:
    """The 3° zone's central meridian nearest the mean of `longitudes` (degrees east)."""
    mean = sum(longitudes) / len(longitudes)
    return ZONE_WIDTH * round(mean / ZONE_WIDTH)


def gauss_kruger(lon: float, lat: float, meridian: float) -> tuple[float, float]:
    """(x east, y north) in metres of a WGS84 point on the zone of `meridian`."""
    phi, lam = math.radians(lat), math.radians(lon - meridian)
    sin_phi = math.sin(phi)
    t = math.sinh(math.atanh(sin_phi) - _E2 * math.atanh(_E2 * sin_phi))
    xi, eta = math.atan2(t, math.cos(lam)), math.atanh(math.sin(lam) / math.sqrt(1 + t * t))
    x = eta + sum(a * math.cos(2 * j * xi) * math.sinh(2 * j * eta) for j, a in enumerate(_ALPHA, 1))
    y = xi + sum(a * math.sin(2 * j * xi) * math.cosh(2 * j * eta) for j, a in enumerate(_ALPHA, 1))
    return FALSE_EASTING + _RECTIFYING * x, _RECTIFYING * y


# --- GeoJSON ------------------------------------------------------------------------------

KINDS = {"Point": "点", "MultiPoint": "多个点", "LineString": "线", "MultiLineString": "多条线",
         "GeometryCollection": "几何集合"}


def parse_json(text: str) -> Any:
    """The JSON value of `text`; GeometryError naming the line and column of a syntax error."""
    if not text.strip():
        raise GeometryError(say("没有边界数据"))
    try:
        # decimals stay exact (an area of 12.3456 亩 must not become a float)
        return json.loads(text.lstrip("\ufeff"), parse_float=Decimal)
    except json.JSONDecodeError as err:
        raise GeometryError(say("不是有效的 GeoJSON：第 %(lineno)s 行第 %(colno)s 列附近格式有误",
                                lineno=err.lineno, colno=err.colno)) from None
    except RecursionError:  # brackets nested thousands deep: no GeoJSON looks like that
        raise GeometryError(say("不是有效的 GeoJSON：括号嵌套太深")) from None


def geometry_of(value: Any) -> Any:
    """The one polygon geometry in a Feature, a FeatureCollection of one feature, or a geometry."""
    if not isinstance(value, dict):
        raise GeometryError(say("不是 GeoJSON：应以 { 开头，含 \"type\""))
    kind = value.get("type")
    if kind == "FeatureCollection":
        features = value.get("features")
        if not isinstance(features, list) or len(features) != 1:
            count = len(features) if isinstance(features, list) else 0
            raise GeometryError(say("文件里有 %(count)s 个地块，这里只能填一个地块的边界；整村的地块文件请用“导入地块文件”", count=count))
        return geometry_of(features[0])
    if kind == "Feature":
        if value.get("geometry") is None:
            raise GeometryError(say("这个地块（Feature）没有边界（geometry 为空）"))
        return geometry_of(value["geometry"])
    return value


def ring_of(geometry: Any) -> list[Any]:
    """The outer ring of a Polygon (or a MultiPolygon of one polygon); refuses holes and parts."""
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if kind == "MultiPolygon":
        if not isinstance(coordinates, list) or len(coordinates) != 1:
            parts = len(coordinates) if isinstance(coordinates, list) else 0
            raise GeometryError(say("边界由 %(parts)s 块组成，请分成 %(parts)s 个地块分别登记", parts=parts))
        kind, coordinates = "Polygon", coordinates[0]
    if kind != "Polygon":
        raise GeometryError(say("边界须是面（Polygon），这里是%(kind)s", kind=KINDS.get(str(kind), str(kind))))
    if not isinstance(coordinates, list) or not coordinates:
        raise GeometryError(say("面（Polygon）没有坐标"))
    if len(coordinates) > 1:
        raise GeometryError(say("地块边界不能带洞（内环）：请只保留外边界"))
    ring = coordinates[0]
    if not isinstance(ring, list):
        raise GeometryError(say("面（Polygon）的坐标格式有误"))
    return ring


def positions(ring: list[Any]) -> list[tuple[float, float]]:
    """The ring's positions as (x, y) numbers (a height, if any, dropped); checks it is closed."""
    points = []
    for index, position in enumerate(ring, 1):
        if not (isinstance(position, list) and 2 <= len(position) <= 3 and all(
                isinstance(c, (int, float, Decimal)) and not isinstance(c, bool) and math.isfinite(c)
                for c in position)):
            raise GeometryError(say("第 %(index)s 个坐标点格式有误：应为 [经度, 纬度] 或 [x, y] 两个数", index=index))
        points.append((float(position[0]), float(position[1])))
    if len(points) < 4:
        raise GeometryError(say("边界只有 %(count)s 个坐标点：至少要 3 个不同的点，且首尾相同（闭合）", count=len(points)))
    if points[0] != points[-1]:
        raise GeometryError(say("边界没有闭合：第一个点和最后一个点必须相同"))
    return points[:-1]


def lonlat_in_range(points: Sequence[tuple[float, float]]) -> None:
    for index, (lon, lat) in enumerate(points, 1):
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise GeometryError(say("第 %(index)s 个点（%(lon)s, %(lat)s）不是经纬度：如果是本村地图坐标（米），请在“坐标类型”中选择“本村地图坐标（米）”",
                                    index=index, lon=f"{lon:g}", lat=f"{lat:g}"))


def to_metres(points: Sequence[tuple[float, float]], coordinates: str, meridian: int | None = None) -> list[Point]:
    """The points in whole metres on the village plane (see the module docstring)."""
    if coordinates == WGS84:
        lonlat_in_range(points)
        meridian = central_meridian([p[0] for p in points]) if meridian is None else meridian
        points = [gauss_kruger(lon, lat, meridian) for lon, lat in points]
    elif coordinates != LOCAL:
        raise GeometryError(say("请选择坐标类型"))
    metres = [(round(x), round(y)) for x, y in points]
    for index, (x, y) in enumerate(metres, 1):
        if abs(x) > MAX_COORDINATE or abs(y) > MAX_COORDINATE:
            raise GeometryError(say("第 %(index)s 个点的坐标超过 %(most)s 米：如是带带号的国家 2000 坐标，请去掉 x 前面的带号",
                                    index=index, most=f"{MAX_COORDINATE:,}"))
    return metres


def outline_from_geojson(text: str, coordinates: str) -> list[list[int]]:
    """A checked outline for the register from GeoJSON text; GeometryError says what is wrong."""
    ring = positions(ring_of(geometry_of(parse_json(text))))
    return checked_ring(to_metres(ring, coordinates))


def to_geojson(polygon: Sequence[Sequence[int]]) -> str:
    """A stored outline as a GeoJSON Polygon in map coordinates (the ring closed again)."""
    ring = [[int(x), int(y)] for x, y in polygon]
    return json.dumps({"type": "Polygon", "coordinates": [ring + ring[:1]]}, separators=(",", ":"))


# --- checks -------------------------------------------------------------------------------

def without_repeats(points: Sequence[Point]) -> list[Point]:
    """Drops a point equal to the one before it (a double click, or two corners rounded together)."""
    kept: list[Point] = []
    for point in points:
        if not kept or point != kept[-1]:
            kept.append(point)
    while len(kept) > 1 and kept[0] == kept[-1]:
        kept.pop()
    return kept


def twice_area(points: Sequence[Point]) -> int:
    """Twice the signed area (shoelace); exact for integer points."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(points, [*points[1:], points[0]]))


def _cross(o: Point, a: Point, b: Point) -> int:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def _on_segment(p: Point, a: Point, b: Point) -> bool:
    """Whether p, known to be collinear with a–b, lies on the segment a–b."""
    return min(a[0], b[0]) <= p[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= p[1] <= max(a[1], b[1])


def segments_meet(a: Point, b: Point, c: Point, d: Point) -> bool:
    """Whether segments a–b and c–d share any point (touching counts)."""
    d1, d2, d3, d4 = _cross(c, d, a), _cross(c, d, b), _cross(a, b, c), _cross(a, b, d)
    if ((d1 > 0) != (d2 > 0)) and d1 and d2 and ((d3 > 0) != (d4 > 0)) and d3 and d4:
        return True
    return ((d1 == 0 and _on_segment(a, c, d)) or (d2 == 0 and _on_segment(b, c, d))
            or (d3 == 0 and _on_segment(c, a, b)) or (d4 == 0 and _on_segment(d, a, b)))


def _folds_back(shared: Point, a: Point, b: Point) -> bool:
    """Whether two edges leaving `shared` towards a and b run along each other (a spike)."""
    if _cross(shared, a, b) != 0:
        return False
    return (a[0] - shared[0]) * (b[0] - shared[0]) + (a[1] - shared[1]) * (b[1] - shared[1]) > 0


def crossing(points: Sequence[Point]) -> tuple[int, int] | None:
    """The first two edges (by their first point's index) that meet other than at a shared
    corner, or None when the ring is simple. Edge i runs from point i to point i+1."""
    n = len(points)
    edges = [(points[i], points[(i + 1) % n]) for i in range(n)]
    boxes = [(min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])) for a, b in edges]
    for i in range(n):
        for j in range(i + 1, n):
            if j == i + 1 or (i == 0 and j == n - 1):  # neighbours share one corner
                shared, a, b = ((edges[j][0], edges[i][0], edges[j][1]) if j == i + 1
                                else (edges[i][0], edges[i][1], edges[j][0]))
                if _folds_back(shared, a, b):
                    return i, j
                continue
            bi, bj = boxes[i], boxes[j]
            if bi[0] > bj[2] or bj[0] > bi[2] or bi[1] > bj[3] or bj[1] > bi[3]:
                continue
            if segments_meet(*edges[i], *edges[j]):
                return i, j
    return None


def checked_ring(points: Sequence[Point]) -> list[list[int]]:
    """The ring as stored, once it has at least 3 distinct points, encloses an area and does
    not cross itself; GeometryError saying which points are at fault otherwise."""
    ring = without_repeats(points)
    if len(set(ring)) < 3:
        raise GeometryError(say("边界至少要 3 个不同的点，这里只有 %(count)s 个", count=len(set(ring))))
    if len(ring) > MAX_POINTS:
        raise GeometryError(say("边界点太多（%(count)s 个），最多 %(most)s 个：请在 GIS 软件中简化后再上传", count=len(ring), most=MAX_POINTS))
    if all(_cross(ring[0], ring[1], p) == 0 for p in ring[2:]):
        raise GeometryError(say("边界的点都在一条直线上，围不成一块地"))
    crossed = crossing(ring)
    if crossed is not None:
        i, j = crossed
        n = len(ring)
        raise GeometryError(say("边界自相交：第 %(i)s–%(i2)s 点之间的边与第 %(j)s–%(j2)s 点之间的边相交或重叠；请按边界顺序（顺时针或逆时针）排列各点",
                                i=i + 1, i2=(i + 1) % n + 1, j=j + 1, j2=(j + 1) % n + 1))
    return [[x, y] for x, y in ring]


# --- area ---------------------------------------------------------------------------------

def square_metres(polygon: Sequence[Sequence[int]]) -> Fraction:
    """The enclosed area in ㎡."""
    return Fraction(abs(twice_area([(int(x), int(y)) for x, y in polygon])), 2)


def perimeter(polygon: Sequence[Sequence[int]]) -> float:
    return sum(math.dist(a, b) for a, b in zip(polygon, [*polygon[1:], polygon[0]]))


def shown(value: Fraction, places: int = 2) -> str:
    """An exact figure rounded half up to `places` for a message: 13.52."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return str(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class AreaCheck:
    """The drawn area against the typed one: `refusal` (the outline cannot be registered with
    this area) or `warning` (to be checked by a person), each a Chinese sentence, or neither."""

    drawn: Fraction            # in the typed unit (亩 for land, ㎡ otherwise)
    unit: str
    refusal: str | None = None
    warning: str | None = None


def compare_area(polygon: Sequence[Sequence[int]], typed: Decimal, land: bool) -> AreaCheck:
    """Checks the outline's area against the typed area (亩 for land, ㎡ for buildings).

    Refused: an outline of under 1 ㎡ or over 100,000 亩, or one whose area is 5 times the
    typed one or a fifth of it (a wrong file, or degrees taken for metres). Warned: a difference
    of over 20 %, beyond what rounding the corners to whole metres can explain. A building's
    outline is its footprint, which may be smaller than its floor area; it is only warned.
    """
    metres = square_metres(polygon)
    unit = "亩" if land else "㎡"
    drawn = metres / SQUARE_METRES_PER_MU if land else metres
    result = AreaCheck(drawn, unit)
    if metres < MIN_SQUARE_METRES:
        return AreaCheck(drawn, unit, refusal=say("边界围成的面积不到 %(least)s 平方米：坐标类型是否选错？", least=MIN_SQUARE_METRES))
    if metres / SQUARE_METRES_PER_MU > MAX_MU:
        return AreaCheck(drawn, unit, refusal=say("边界围成的面积约 %(area)s 亩，超过 %(most)s 亩：坐标类型是否选错？",
                                                  area=shown(metres / SQUARE_METRES_PER_MU, 0), most=f"{MAX_MU:,}"))
    if typed <= 0:
        return result
    ratio = drawn / Fraction(typed)
    said = say("按边界计算约 %(drawn)s %(unit)s，填写的面积是 %(typed)s %(unit)s",
               drawn=shown(drawn), unit=unit, typed=area_text(typed))
    if land and (ratio >= REFUSE_FACTOR or ratio <= Fraction(1, REFUSE_FACTOR)):
        return AreaCheck(drawn, unit, refusal=say("%(said)s，相差 %(ratio)s 倍：边界文件或面积必有一处有误（坐标类型是否选对？）",
                                                  said=said, ratio=shown(max(ratio, 1 / ratio), 1)))
    # rounding each corner to whole metres moves the area by up to about half the perimeter
    slack = Fraction(perimeter(polygon) / 2) / (SQUARE_METRES_PER_MU if land else 1)
    if abs(drawn - Fraction(typed)) > max(WARN_RATIO * Fraction(typed), slack):
        percent = shown(abs(ratio - 1) * 100, 0)
        note = say("（多层房屋的建筑面积可大于占地面积）") if not land else ""
        return AreaCheck(drawn, unit, warning=say("%(said)s，相差 %(percent)s%%，请核对%(note)s",
                                                  said=said, percent=percent, note=note))
    return result
