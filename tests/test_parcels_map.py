"""The parcel register, the parcel pages and the parcel map (零散地块图), on SQLite and PostgreSQL."""
from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import date
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portal.contracts.models import Contract, LesseeKind
from portal.contracts.rent import add_months
from portal.parcels import mapping
from portal.parcels.models import Asset
from portal.parcels.status import ParcelStatus, parcel_status

from portal.kernel.transaction import Backend

from .conftest import REPO_ROOT, STAFF
from .test_public_pages import ID_NUMBER, MOBILE

DEMO_DAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def on_demo_day(monkeypatch):
    """The pages judge status on the Beijing date (Backend.today, the one clock); pin it to the
    day the demo was built for."""
    monkeypatch.setattr(Backend, "today", lambda self: DEMO_DAY)


def lease(start, end, status="active"):
    return SimpleNamespace(start_date=start, end_date=end, status=status)


def svg_of(page: str) -> ET.Element:
    """The map's <svg> element, parsed as XML (so it must be well-formed)."""
    found = re.search(r'<svg class="pm( enlarged)?".*?</svg>', page, re.S)
    assert found, "no map SVG on the page"
    return ET.fromstring(found.group(0))


def plot_links(svg: ET.Element) -> list[ET.Element]:
    """The parcels' links of a map, not the links to its enlarged areas (portal/parcels/zoom.py)."""
    return [a for a in svg.iter("a") if a.get("class") != "pm-area"]


def map_table(page: str) -> str:
    found = re.search(r'<table class="map-table[^"]*">.*?</table>', page, re.S)
    assert found, "no text table on the map page"
    return found.group(0)


# ── the status rules ────────────────────────────────────────────────────────────────────────

ON = date(2026, 11, 23)


def test_parcel_under_a_running_contract_is_leased():
    running = lease(date(2024, 1, 1), date(2038, 12, 31))
    state = parcel_status(False, [running], ON)
    assert state.status is ParcelStatus.LEASED and state.contract is running
    assert state.lease_ends == date(2038, 12, 31)


def test_contract_ending_within_six_months_makes_it_expiring():
    assert parcel_status(False, [lease(date(2020, 1, 1), date(2027, 3, 31))], ON).status is ParcelStatus.EXPIRING
    assert parcel_status(False, [lease(date(2020, 1, 1), ON)], ON).status is ParcelStatus.EXPIRING


def test_contract_ending_exactly_six_months_later_is_expiring_one_day_more_is_not():
    six = add_months(ON, 6)
    assert six == date(2027, 5, 23)
    assert parcel_status(False, [lease(date(2020, 1, 1), six)], ON).status is ParcelStatus.EXPIRING
    assert parcel_status(False, [lease(date(2020, 1, 1), date(2027, 5, 24))], ON).status is ParcelStatus.LEASED


def test_parcel_without_covering_contract_is_vacant():
    assert parcel_status(False, [], ON).status is ParcelStatus.VACANT
    ended = lease(date(2016, 1, 1), date(2023, 12, 31))
    future = lease(date(2027, 1, 1), date(2030, 12, 31))
    state = parcel_status(False, [ended, future], ON)
    assert state.status is ParcelStatus.VACANT and state.contract is None


def test_withdrawn_parcel_is_withdrawn_whatever_its_contracts():
    state = parcel_status(True, [lease(date(2024, 1, 1), date(2038, 12, 31))], ON)
    assert state.status is ParcelStatus.WITHDRAWN and state.contract is None


def test_withdrawn_contract_never_covers():
    assert parcel_status(False, [lease(date(2024, 1, 1), date(2038, 12, 31), "withdrawn")], ON).status \
        is ParcelStatus.VACANT


def test_terminated_contract_no_longer_covers():
    # Termination sets end_date to the termination day: covered up to then, vacant after.
    terminated = lease(date(2024, 1, 1), date(2026, 6, 30), "terminated")
    assert parcel_status(False, [terminated], ON).status is ParcelStatus.VACANT
    assert parcel_status(False, [terminated], date(2026, 6, 1)).status is ParcelStatus.EXPIRING
    assert parcel_status(False, [terminated], date(2025, 6, 1)).status is ParcelStatus.LEASED


def test_renewal_starting_next_day_keeps_it_leased():
    old, renewal = lease(date(2016, 1, 1), date(2026, 12, 31)), lease(date(2027, 1, 1), date(2036, 12, 31))
    state = parcel_status(False, [renewal, old], ON)
    assert state.status is ParcelStatus.LEASED and state.contract is old
    assert state.lease_ends == date(2036, 12, 31)
    gap = lease(date(2027, 3, 1), date(2036, 12, 31))
    assert parcel_status(False, [old, gap], ON).status is ParcelStatus.EXPIRING


def test_tender_hook_marks_vacant_and_expiring_parcels_only():
    assert parcel_status(False, [], ON, in_tender=True).status is ParcelStatus.TENDER
    ending = lease(date(2020, 1, 1), date(2027, 1, 31))
    assert parcel_status(False, [ending], ON, in_tender=True).status is ParcelStatus.TENDER
    long = lease(date(2024, 1, 1), date(2038, 12, 31))
    assert parcel_status(False, [long], ON, in_tender=True).status is ParcelStatus.LEASED
    assert parcel_status(True, [], ON, in_tender=True).status is ParcelStatus.WITHDRAWN


# ── drawing helpers ─────────────────────────────────────────────────────────────────────────

def _luminance(hex_colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hex_colour.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_status_colours_keep_labels_readable_and_differ_by_pattern():
    styles = mapping.STATUS_STYLES
    assert set(styles) == {s.value for s in ParcelStatus}
    for style in styles.values():
        assert contrast(mapping.LABEL_COLOUR, style.fill) >= 4.5
        assert contrast(mapping.LABEL_COLOUR, mapping.LABEL_HALO) >= 4.5
    assert len({style.pattern for style in styles.values()}) == len(styles)  # not colour alone
    css = (REPO_ROOT / "static" / "portal.css").read_text(encoding="utf-8")
    for status, style in styles.items():  # the HTML badges use the same fills
        assert f"span.st-{status} {{ background: {style.fill}; }}" in css
    # the map's outlines and labels are drawn by the stylesheet in the same colours
    assert f".pm polygon {{ stroke: {mapping.OUTLINE_COLOUR};" in css
    assert f".pm text {{ fill: {mapping.LABEL_COLOUR}; stroke: {mapping.LABEL_HALO};" in css


def test_short_labels_drop_the_shared_prefix_and_zeros():
    assert mapping.short_labels(["LB-001", "LB-010", "LB-060"]) == ("LB-", {"LB-001": "1", "LB-010": "10",
                                                                             "LB-060": "60"})
    assert mapping.short_labels(["A-01", "A-1"])[1] == {"A-01": "01", "A-1": "1"}  # zeros kept: unique
    assert mapping.short_labels(["东1", "西2"]) == ("", {"东1": "东1", "西2": "西2"})


def test_map_svg_flips_y_so_north_is_up_and_fits_the_view_box():
    south = mapping.MapParcel("P-1", "/p/1", "南", "leased", [[0, 0], [100, 0], [100, 100], [0, 100]])
    north = mapping.MapParcel("P-2", "/p/2", "北", "vacant", [[0, 1000], [100, 1000], [100, 1100], [0, 1100]])
    svg = ET.fromstring(str(mapping.map_svg([south, north], "图")))
    _, _, width, height = (int(v) for v in svg.get("viewBox").split())
    ys = {}
    for link in svg.iter("a"):
        points = [tuple(int(c) for c in p.split(",")) for p in link.find("polygon").get("points").split()]
        assert all(0 <= x <= width and 0 <= y <= height for x, y in points)
        ys[link.get("href")] = min(y for _, y in points)
    assert ys["/p/2"] < ys["/p/1"]
    assert mapping.map_svg([mapping.MapParcel("X", "/x", "x", "vacant", [])], "图") == ""


# ── the register and its downloads ──────────────────────────────────────────────────────────

def test_parcel_list_shows_every_parcel_and_building(client, demo):
    response = client.get("/v/lianban/parcels")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "地块登记" in page and "LB-001" in page and "已出租" in page and "共 63 处" in page
    assert "/v/lianban/map" in page and "第 1 / 4 页" in page
    assert "LB-F03" in client.get("/v/lianban/parcels?page=4").get_data(as_text=True)


def test_parcel_downloads_have_documented_fields_and_public_rows(client, demo):
    body = client.get("/v/lianban/parcels.json").get_json()
    keys = ["number", "name", "kind", "land_type", "area", "area_unit", "location", "status", "lessee",
            "contract", "contract_end"]
    assert [f["key"] for f in body["fields"]] == keys
    assert body["list"] == "parcels" and body["as_of"] == DEMO_DAY.isoformat() and body["log"]["size"] > 0
    rows = {row["number"]: row for row in body["rows"]}
    assert len(rows) == 63
    assert rows["LB-001"] == {
        "number": "LB-001", "name": rows["LB-001"]["name"], "kind": "land", "land_type": rows["LB-001"]["land_type"],
        "area": rows["LB-001"]["area"], "area_unit": "mu", "location": "第1村民小组", "status": "leased",
        "lessee": "莲坂绿源农业发展有限公司", "contract": "LB-LZ-2024-001", "contract_end": "2038-12-31"}
    # Seed 004: every entrusted parcel is in one of the five leased lots; nothing sits vacant.
    assert rows["LB-050"]["status"] == "leased" and rows["LB-050"]["contract"] == "LB-LZ-2024-004"
    assert rows["LB-F02"]["contract"] == "LB-FW-2025-003"  # the old school, lent rent-free
    assert rows["LB-F01"]["area_unit"] == "m2" and rows["LB-F01"]["contract"] == "LB-FW-2025-001"
    counts = {status: sum(r["status"] == status for r in rows.values()) for status in ("leased", "expiring", "vacant")}
    assert counts == {"leased": 61, "expiring": 2, "vacant": 0}  # LB-037/038: lease ends 2027-03-31
    csv_text = client.get("/v/lianban/parcels.csv").get_data().decode("utf-8-sig")
    lines = csv_text.splitlines()
    assert lines[0] == "编号,名称,类别,地类,面积,面积单位,位置,状态,承租方,合同编号,合同终止日期"
    assert len(lines) == 64 and lines[1].startswith("LB-001,") and "已出租" in lines[1]
    response = client.get("/v/lianban/parcels.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert [c.value for c in sheet[3]][:3] == ["编号", "名称", "类别"]


def test_parcel_filters_and_sorts(client, demo):
    expiring = client.get("/v/lianban/parcels.json?status=expiring").get_json()["rows"]
    assert [r["number"] for r in expiring] == ["LB-037", "LB-038"] and {r["status"] for r in expiring} == {"expiring"}
    assert client.get("/v/lianban/parcels.json?status=vacant").get_json()["rows"] == []
    shops = client.get("/v/lianban/parcels.json?kind=shop").get_json()["rows"]
    assert [r["number"] for r in shops] == ["LB-F01"]
    by_area = client.get("/v/lianban/parcels.json?sort=area").get_json()["rows"]
    land = [float(r["area"]) for r in by_area if r["kind"] == "land"]
    assert land == sorted(land, reverse=True) and by_area[0]["kind"] == "land"
    by_end = client.get("/v/lianban/parcels.json?sort=end").get_json()["rows"]
    ends = [r["contract_end"] for r in by_end if r["contract_end"]]
    assert ends == sorted(ends) and len(ends) == len(by_end)
    page = client.get("/v/lianban/parcels?status=expiring&kind=land").get_data(as_text=True)
    assert "共 2 处" in page and 'value="expiring" selected' in page


def test_bad_filter_or_page_gets_a_friendly_400_and_past_the_end_a_404(client, village):
    for query, message in [("status=rented", "参数 status"), ("kind=castle", "参数 kind"), ("sort=price", "参数 sort"),
                           ("page=abc", "页码"), ("page=0", "页码")]:
        response = client.get(f"/v/testcun/parcels?{query}")
        page = response.get_data(as_text=True)
        assert response.status_code == 400, query
        assert "请求有误" in page and message in page and "Traceback" not in page
    assert client.get("/v/testcun/parcels?page=99").status_code == 404
    assert client.get("/v/testcun/parcels.doc").status_code == 404


# ── one parcel ──────────────────────────────────────────────────────────────────────────────

def test_parcel_page_shows_facts_outline_contracts_history_and_proof(client, demo):
    page = client.get("/v/lianban/parcels/LB-001").get_data(as_text=True)
    assert "LB-001" in page and "已出租" in page and "莲坂绿源农业发展有限公司" in page
    assert "/v/lianban/contracts/LB-LZ-2024-001" in page and "/v/lianban/contracts/LB-HT-2016-001" in page
    assert "已到期" in page and "履行中" in page  # the old household contract and the current one
    outline = ET.fromstring(re.search(r'<svg class="pm outline".*?</svg>', page, re.S).group(0))
    assert outline.find("polygon").get("class") == "st-leased"
    assert "修改历史" in page and "第 1 版" in page and "新建" in page
    assert "核验此记录" in page and "查看包含证明" in page and "叶子哈希" in page
    shop = client.get("/v/lianban/parcels/LB-F01").get_data(as_text=True)
    assert "85.50 ㎡" in shop and "店面" in shop and '<svg class="pm' not in shop  # no outline surveyed


def test_parcel_correction_shows_reason_and_readable_diff(client, backend, village):
    from portal.parcels.services import AssetInput, correct_asset

    square = [[0, 0], [100, 0], [100, 100], [0, 100]]
    correct_asset(backend, STAFF, village, "P1", AssetInput("P1", "东洋1号地", "land", "10.00", polygon=square),
                  "补测边界")
    correct_asset(backend, STAFF, village, "P1", AssetInput("P1", "东洋1号地", "land", "10.00", land_type="林地",
                                                            polygon=[[0, 0], [115, 0], [100, 100], [0, 100]]),
                  "按 2026 年实测图更正地类和边界")
    page = client.get("/v/testcun/parcels/P1").get_data(as_text=True)
    assert "第 3 版" in page and "更正" in page and "按 2026 年实测图更正地类和边界" in page
    assert "地类：" in page and "林地" in page
    assert "边界：" in page and "4 个角点，东西约 100 米" in page and "东西约 120 米" in page and "[[" not in page


def test_unknown_parcel_is_a_friendly_404(client, village):
    response = client.get("/v/testcun/parcels/NOPE")
    assert response.status_code == 404 and "没有编号为“NOPE”的资产" in response.get_data(as_text=True)
    assert client.get("/v/nowhere/parcels").status_code == 404
    assert client.get("/v/nowhere/map").status_code == 404


# ── the map ─────────────────────────────────────────────────────────────────────────────────

def test_map_links_every_drawn_parcel_once_small_fitted_and_north_up(client, backend, demo):
    page = client.get("/v/lianban/map").get_data(as_text=True)
    statuses = {r["number"]: r["status"] for r in client.get("/v/lianban/parcels.json").get_json()["rows"]}
    with backend.db.read() as session:
        drawn = {a.number: a for a in session.scalars(select(Asset)) if a.polygon}
    assert len(drawn) == 60
    svg = svg_of(page)
    assert svg.find("title").text and "role" in svg.attrib
    links: dict[str, list[ET.Element]] = {}
    for link in plot_links(svg):
        links.setdefault(link.get("href"), []).append(link)
    assert set(links) == {f"/v/lianban/parcels/{n}" for n in drawn}
    for number, asset in drawn.items():
        [link] = links[f"/v/lianban/parcels/{number}"]
        title = link.find("title").text
        assert number in title and asset.name in title and f"{asset.area:,.2f} 亩" in title
        assert {"leased": "已出租", "expiring": "租期将满", "vacant": "闲置"}[statuses[number]] in title
        assert link.find("polygon").get("class") == f"st-{statuses[number]}"
    assert sum(1 for _ in svg.iter("text")) >= 50  # numbers shown where they fit
    raw = re.search(r'<svg class="pm".*?</svg>', page, re.S).group(0)
    assert len(raw.encode("utf-8")) < 30_000
    assert "<script" not in page and "http" not in raw  # no script, no external file
    _, _, width, height = (int(v) for v in svg.get("viewBox").split())
    tops = {}
    for link in plot_links(svg):
        points = [tuple(map(int, p.split(","))) for p in link.find("polygon").get("points").split()]
        assert all(0 <= x <= width and 0 <= y <= height for x, y in points)
        tops[link.get("href").rsplit("/", 1)[1]] = min(y for _, y in points)
    assert tops["LB-051"] < tops["LB-001"]  # row 6 lies north of row 1


def test_map_text_table_lists_all_sixty_parcels_with_status_and_lessee(client, demo):
    page = client.get("/v/lianban/map").get_data(as_text=True)
    table = map_table(page)
    numbers = re.findall(r'href="/v/lianban/parcels/(LB-\d{3})"', table)
    assert sorted(numbers) == [f"LB-{i:03d}" for i in range(1, 61)]
    assert table.count("<tr") == 61  # heading row + 60 (each with its id, #p-LB-001)
    assert "莲坂绿源农业发展有限公司" in table and "闲置" not in table  # seed 004: no entrusted land lies idle
    assert "已出租" in page and "58 块" in page and "2 块" in page  # the legend counts
    for label in ("已出租", "租期将满", "招租中", "闲置", "已撤回"):
        assert label in page  # the legend keeps every status, tenders included


def test_map_of_a_village_without_surveyed_parcels_has_only_the_table(client, village):
    response = client.get("/v/testcun/map")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and '<svg class="pm"' not in page
    table = map_table(page)
    assert "P1" in table and "P2" in table and "S1" not in table


def test_withdrawn_and_terminated_show_on_list_and_map(client, backend, village, contract_input):
    from portal.contracts.services import create_contract, terminate_contract
    from portal.parcels.services import AssetInput, correct_asset, withdraw_asset

    square = [[0, 0], [100, 0], [100, 100], [0, 100]]
    correct_asset(backend, STAFF, village, "P1", AssetInput("P1", "东洋1号地", "land", "10.00", polygon=square), "补测边界")
    correct_asset(backend, STAFF, village, "P2", AssetInput("P2", "西洋2号地", "land", "5.50",
                                                            polygon=[[300, 0], [400, 0], [400, 80], [300, 80]]), "补测边界")
    create_contract(backend, STAFF, village, contract_input())
    rows = {r["number"]: r for r in client.get("/v/testcun/parcels.json").get_json()["rows"]}
    assert rows["P1"]["status"] == "leased" and rows["P1"]["lessee"] == "测试农业有限公司"

    terminate_contract(backend, STAFF, village, "HT-001", "2026-06-30", "承租方申请解除，经村民代表会议同意")
    rows = {r["number"]: r for r in client.get("/v/testcun/parcels.json").get_json()["rows"]}
    assert rows["P1"]["status"] == "vacant" and rows["P1"]["contract"] is None
    page = client.get("/v/testcun/parcels/P1").get_data(as_text=True)
    assert "闲置" in page and "已解除" in page and "HT-001" in page

    withdraw_asset(backend, STAFF, village, "P2", "重复登记")
    svg = svg_of(client.get("/v/testcun/map").get_data(as_text=True))
    classes = {a.get("href"): a.find("polygon").get("class") for a in plot_links(svg)}
    assert classes == {"/v/testcun/parcels/P1": "st-vacant", "/v/testcun/parcels/P2": "st-withdrawn"}
    page = client.get("/v/testcun/parcels/P2").get_data(as_text=True)
    assert "已撤回" in page and "重复登记" in page


# ── masking ─────────────────────────────────────────────────────────────────────────────────

def test_no_parcel_page_or_download_shows_personal_data(client, backend, demo):
    with backend.db.read() as session:
        people = session.scalars(select(Contract).where(Contract.lessee_kind == LesseeKind.PERSON)).all()
        names = {c.lessee_name for c in people}
        secrets = {c.lessee_id_number for c in people} | {c.lessee_phone for c in people}
        leased_by_people = sorted({item.asset.number for c in people for item in c.items})
    assert names and leased_by_people
    bodies = [client.get(url).get_data(as_text=True) for url in (
        "/v/lianban/parcels", "/v/lianban/parcels?page=2", "/v/lianban/parcels?page=3", "/v/lianban/parcels?page=4",
        "/v/lianban/parcels.json", "/v/lianban/map")]
    bodies.append(client.get("/v/lianban/parcels.csv").get_data().decode("utf-8-sig"))
    sheet = load_workbook(io.BytesIO(client.get("/v/lianban/parcels.xlsx").get_data())).active
    bodies.append(json.dumps([[c for c in row] for row in sheet.iter_rows(values_only=True)], ensure_ascii=False,
                             default=str))
    bodies += [client.get(f"/v/lianban/parcels/{n}").get_data(as_text=True) for n in leased_by_people]
    masked = [name[0] + "*" for name in names]
    assert any(m in bodies[-1] for m in masked)  # the masked form is there…
    for body in bodies:  # …the full one never
        assert not any(name in body for name in names)
        assert not any(secret and secret in body for secret in secrets)
        assert not ID_NUMBER.search(body) and not MOBILE.search(body)


# ── the map by touch: areas to enlarge, "find my land" ──────────────────────────────────────

def test_whole_map_offers_its_areas_and_each_area_enlarges_its_own_plots(client, demo):
    svg = svg_of(client.get("/v/lianban/map").get_data(as_text=True))
    areas = [a.get("href") for a in svg.iter("a") if a.get("class") == "pm-area"]
    assert areas and all(href.startswith("/v/lianban/map?area=") for href in areas)
    seen: list[str] = []
    for href in areas:
        page = client.get(href.split("#")[0]).get_data(as_text=True)
        enlarged = svg_of(page)
        assert "enlarged" in enlarged.get("class") and "返回全图" in page
        links = plot_links(enlarged)
        assert links and all(link.find("rect").get("class") == "pm-hit" for link in links)
        seen += [link.get("href") for link in links]
    assert sorted(seen) == sorted({link.get("href") for link in plot_links(svg)})  # every plot in one area
    assert client.get("/v/lianban/map?area=99").status_code == 400


def test_large_text_enlarges_the_plots_numbers_most_where_an_area_is_enlarged(client, demo):
    def numbers(url: str) -> tuple[int, set[str]]:
        svg = svg_of(client.get(url).get_data(as_text=True))
        group = next(g for g in svg.iter("g") if g.find("a") is not None and g.get("class") is None)
        return int(group.get("font-size")), {t.text for link in plot_links(svg) for t in link.iter("text")}

    (whole, whole_shown), (area, area_shown) = numbers("/v/lianban/map"), numbers("/v/lianban/map?area=1")
    client.get("/prefs/large-text?on=1&next=/")
    (large_whole, large_whole_shown), (large_area, large_area_shown) = (numbers("/v/lianban/map"),
                                                                        numbers("/v/lianban/map?area=1"))
    assert large_area >= 1.75 * area  # about the page's body text on a phone
    assert 1.25 * whole <= large_whole < large_area / area * whole  # less, not to hide the roads and rivers
    assert large_area_shown == area_shown and area_shown  # an enlarged area's plots still hold them all
    assert len(large_whole_shown) >= 0.8 * len(whole_shown)


def test_find_my_land_by_parcel_number(client, demo):
    for wanted in ("LB-012", "lb-012", "12", "012"):
        response = client.get(f"/v/lianban/map?find={wanted}")
        assert response.status_code == 302 and response.headers["Location"].endswith("/v/lianban/parcels/LB-012")
    page = client.get("/v/lianban/map?find=LB-999").get_data(as_text=True)
    assert "没有找到编号为“LB-999”的地块" in page and 'value="LB-999"' in page
