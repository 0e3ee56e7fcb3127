"""Parcel outlines (portal/parcels/geometry.py): GeoJSON in, integer metres out, and the checks
an outline must pass — pure functions, no database."""
from __future__ import annotations

import json
import math
from decimal import Decimal

import pytest

from portal.kernel.area import area_grouped, area_text
from portal.parcels import geometry as g

SQUARE = [[0, 0], [30, 0], [30, 30], [0, 30]]


def polygon(ring, **extra):
    return json.dumps({"type": "Polygon", "coordinates": [ring], **extra})


def closed(points):
    return [list(p) for p in points] + [list(points[0])]


def refused(text, coordinates=g.LOCAL):
    with pytest.raises(g.GeometryError) as error:
        g.outline_from_geojson(text, coordinates)
    return str(error.value)


# --- projection ----------------------------------------------------------------------------

def test_a_point_on_the_central_meridian_lies_on_false_easting_at_its_meridian_arc():
    x, y = g.gauss_kruger(117, 45, 117)
    assert x == 500_000 and y == pytest.approx(4_984_944.378, abs=0.001)  # WGS84 meridian arc to 45°N
    assert g.gauss_kruger(0, 0, 0) == (500_000, 0)


def test_points_either_side_of_the_meridian_are_mirrored():
    east, west = g.gauss_kruger(118.2, 24.6, 117), g.gauss_kruger(115.8, 24.6, 117)
    assert east[0] - 500_000 == pytest.approx(500_000 - west[0], abs=1e-6)
    assert east[1] == pytest.approx(west[1], abs=1e-6)


def test_the_projected_area_of_a_small_cell_is_its_area_on_the_ellipsoid():
    """1.4° from the meridian Gauss–Krüger enlarges areas by about 0.05 %; no more."""
    lon, lat, d = 118.4, 24.6, 0.001
    corners = [g.gauss_kruger(x, y, 117) for x, y in ((lon, lat), (lon + d, lat), (lon + d, lat + d), (lon, lat + d))]
    projected = abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(corners, corners[1:] + corners[:1]))) / 2
    e2 = g.FLATTENING * (2 - g.FLATTENING)
    phi = math.radians(lat + d / 2)
    meridional = g.A_AXIS * (1 - e2) / (1 - e2 * math.sin(phi) ** 2) ** 1.5
    normal = g.A_AXIS / math.sqrt(1 - e2 * math.sin(phi) ** 2)
    ellipsoid = meridional * normal * math.cos(phi) * math.radians(d) ** 2
    assert 1 < projected / ellipsoid < 1.001


@pytest.mark.parametrize("longitudes, meridian", [([118.1], 117), ([119.6], 120), ([121.4, 121.6], 120),
                                                  ([104.5], 105)])
def test_the_zone_is_the_nearest_multiple_of_three_degrees(longitudes, meridian):
    assert g.central_meridian(longitudes) == meridian


# --- GeoJSON -------------------------------------------------------------------------------

LONLAT = [[118.1, 24.6], [118.1012, 24.6], [118.1012, 24.6005], [118.1, 24.6005], [118.1, 24.6]]


@pytest.mark.parametrize("text", [
    polygon(LONLAT),
    json.dumps({"type": "Feature", "properties": {"编号": "DK-1"}, "geometry": json.loads(polygon(LONLAT))}),
    json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": json.loads(polygon(LONLAT))}]}),
    json.dumps({"type": "MultiPolygon", "coordinates": [[LONLAT]]}),
    polygon([p + [12.5] for p in LONLAT]),  # a height is dropped
    "\ufeff" + polygon(LONLAT),             # a byte-order mark, as Windows tools write
])
def test_every_usual_shape_of_one_parcel_is_read(text):
    outline = g.outline_from_geojson(text, g.WGS84)
    assert outline == [[611406, 2722191], [611528, 2722192], [611528, 2722248], [611406, 2722247]]
    # 0.0012° × 0.0005° at 24.6°N: 121.4 m × 55.3 m = 6,713 ㎡; corners rounded to metres: 122 × 56
    assert g.square_metres(outline) == 122 * 56


def test_map_coordinates_are_taken_as_metres_and_round_trip():
    outline = g.outline_from_geojson(polygon([[0, 0], [30.4, 0], [30.6, 29.5], [0, 30], [0, 0]]), g.LOCAL)
    assert outline == [[0, 0], [30, 0], [31, 30], [0, 30]]
    assert g.outline_from_geojson(g.to_geojson(outline), g.LOCAL) == outline


@pytest.mark.parametrize("text, message", [
    ("{\"type\": \"Polygon\",", "第 1 行第"),
    ("", "没有边界数据"),
    ("[" * 100_000, "括号嵌套太深"),
    ("[1, 2]", "不是 GeoJSON"),
    (json.dumps({"type": "LineString", "coordinates": [[0, 0], [1, 1]]}), "这里是线"),
    (json.dumps({"type": "Point", "coordinates": [0, 0]}), "这里是点"),
    (json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": None}] * 2}),
     "文件里有 2 个地块"),
    (json.dumps({"type": "Feature", "geometry": None}), "没有边界"),
    (json.dumps({"type": "MultiPolygon", "coordinates": [[closed(SQUARE)], [closed(SQUARE)]]}), "由 2 块组成"),
    (json.dumps({"type": "Polygon", "coordinates": [closed(SQUARE), closed([[5, 5], [6, 5], [6, 6]])]}), "不能带洞"),
    (polygon(SQUARE), "没有闭合"),
    (polygon([[0, 0], [1, 0], [0, 0]]), "只有 3 个坐标点"),
    (polygon([[0, 0], ["30", 0], [30, 30], [0, 0]]), "第 2 个坐标点格式有误"),
    (polygon([[0, 0], [True, 0], [30, 30], [0, 0]]), "第 2 个坐标点格式有误"),
    (polygon(closed([[39_500_000, 2_700_000], [39_500_030, 2_700_000], [39_500_030, 2_700_030]])), "去掉 x 前面的带号"),
])
def test_what_is_not_one_closed_polygon_is_refused_with_a_reason(text, message):
    assert message in refused(text)


def test_metres_given_as_longitude_and_latitude_are_refused_with_a_hint():
    assert "请在“坐标类型”中选择“本村地图坐标（米）”" in refused(polygon(closed([[500, 300], [560, 300], [560, 380]])),
                                                           g.WGS84)


# --- rings ---------------------------------------------------------------------------------

def test_a_bow_tie_crosses_itself():
    message = refused(polygon(closed([[0, 0], [10, 10], [10, 0], [0, 10]])))
    assert "边界自相交：第 1–2 点之间的边与第 3–4 点之间的边相交" in message


def test_a_repeated_point_in_a_row_is_dropped():
    assert g.checked_ring([(0, 0), (30, 0), (30, 0), (30, 30), (0, 30), (0, 30)]) == SQUARE


def test_a_ring_through_the_same_corner_twice_is_refused():
    """A figure of eight touching itself at (10, 10): the point repeats, not in a row."""
    with pytest.raises(g.GeometryError, match="自相交"):
        g.checked_ring([(0, 0), (10, 10), (20, 0), (20, 20), (10, 10), (0, 20)])


def test_a_corner_touching_another_edge_is_refused():
    with pytest.raises(g.GeometryError, match="自相交"):
        g.checked_ring([(0, 0), (20, 0), (20, 20), (10, 0), (0, 20)])


def test_an_edge_running_back_over_itself_is_refused():
    with pytest.raises(g.GeometryError, match="自相交"):
        g.checked_ring([(0, 0), (20, 0), (10, 0), (10, 10)])


def test_points_on_one_line_enclose_nothing():
    with pytest.raises(g.GeometryError, match="都在一条直线上"):
        g.checked_ring([(0, 0), (10, 10), (20, 20), (5, 5)])
    with pytest.raises(g.GeometryError, match="至少要 3 个不同的点"):
        g.checked_ring([(0, 0), (10, 10), (0, 0), (10, 10)])


def test_a_point_in_the_middle_of_a_straight_edge_and_a_concave_outline_are_fine():
    assert g.checked_ring([(0, 0), (15, 0), (30, 0), (30, 30), (0, 30)]) == [[0, 0], [15, 0], [30, 0], [30, 30], [0, 30]]
    u_shape = [(0, 0), (30, 0), (30, 30), (20, 30), (20, 10), (10, 10), (10, 30), (0, 30)]
    assert len(g.checked_ring(u_shape)) == 8


def test_too_many_points_are_refused():
    circle = [(round(1000 * math.cos(i / 100)), round(1000 * math.sin(i / 100))) for i in range(int(200 * math.pi))]
    with pytest.raises(g.GeometryError, match="边界点太多"):
        g.checked_ring(circle)


@pytest.mark.parametrize("a, b, c, d, meet", [
    ((0, 0), (10, 10), (0, 10), (10, 0), True),     # crossing
    ((0, 0), (10, 0), (5, 0), (15, 0), True),       # overlapping on one line
    ((0, 0), (10, 0), (10, 0), (10, 5), True),      # touching at an end
    ((0, 0), (10, 0), (11, 0), (20, 0), False),     # on one line, apart
    ((0, 0), (10, 0), (0, 1), (10, 1), False),      # parallel
    ((0, 0), (10, 0), (5, 1), (5, 10), False),      # would meet if longer
])
def test_segments_meet(a, b, c, d, meet):
    assert g.segments_meet(a, b, c, d) is meet


# --- areas ---------------------------------------------------------------------------------

def test_an_outline_of_the_typed_area_passes():
    ten_mu = [[0, 0], [100, 0], [100, 67], [0, 67]]  # 6,700 ㎡ = 10.05 亩
    check = g.compare_area(ten_mu, Decimal("10.0000"), land=True)
    assert check.refusal is None and check.warning is None and g.shown(check.drawn) == "10.05"


def test_an_outline_a_third_too_large_is_warned():
    check = g.compare_area([[0, 0], [100, 0], [100, 90], [0, 90]], Decimal("10"), land=True)
    assert check.refusal is None and check.warning == "按边界计算约 13.50 亩，填写的面积是 10.00 亩，相差 35%，请核对"


def test_an_outline_five_times_too_large_or_small_is_refused():
    assert "相差 6.0 倍" in g.compare_area([[0, 0], [200, 0], [200, 200], [0, 200]], Decimal("10"), land=True).refusal
    assert "相差 6.7 倍" in g.compare_area([[0, 0], [10, 0], [10, 10], [0, 10]], Decimal("1"), land=True).refusal


def test_absurd_sizes_are_refused_whatever_was_typed():
    assert "不到 1 平方米" in g.compare_area([[0, 0], [1, 0], [0, 1]], Decimal("0.0001"), land=True).refusal
    huge = [[0, 0], [9_000_000, 0], [9_000_000, 9_000_000], [0, 9_000_000]]
    assert "超过 100,000 亩" in g.compare_area(huge, Decimal("99999"), land=True).refusal


def test_a_building_footprint_smaller_than_its_floor_area_is_only_warned():
    check = g.compare_area([[0, 0], [10, 0], [10, 10], [0, 10]], Decimal("620.00"), land=False)
    assert check.refusal is None and "多层房屋" in check.warning and check.unit == "㎡"


def test_a_small_parcel_is_not_warned_for_corners_rounded_to_whole_metres():
    """0.3 亩 (200 ㎡) drawn as a 14 m square: rounding alone makes 196 ㎡, within the slack."""
    check = g.compare_area([[0, 0], [14, 0], [14, 14], [0, 14]], Decimal("0.3"), land=True)
    assert check.warning is None and check.refusal is None


# --- areas as text -------------------------------------------------------------------------

@pytest.mark.parametrize("value, text, grouped", [
    ("12.3400", "12.34", "12.34"), ("12.3456", "12.3456", "12.3456"), ("12.345", "12.345", "12.345"),
    ("100", "100.00", "100.00"), ("1234.5", "1234.50", "1,234.50"), ("0.0001", "0.0001", "0.0001"),
])
def test_areas_keep_two_to_four_places(value, text, grouped):
    assert area_text(Decimal(value)) == text and area_grouped(Decimal(value)) == grouped
