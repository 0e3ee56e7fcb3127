"""Parcels and other assets edited in the staff workspace: outlines from pasted or uploaded GeoJSON,
each outline rule, corrections and withdrawals, and a village's parcel file imported as one draft
and published as one audited change.

Driven through the Flask test client on SQLite and PostgreSQL.
"""
from __future__ import annotations

import io
import json
import re

from sqlalchemy import select

from portal.drafts.models import Draft, DraftState
from portal.parcels.models import Asset

from .test_workspace import count, log_entries, login, people  # noqa: F401  (the fixture)

# 0.0012° × 0.0005° near 118.1°E 24.6°N: 122 m × 56 m once projected = 6,832 ㎡ = 10.248 亩
LONLAT = [[118.1, 24.6], [118.1012, 24.6], [118.1012, 24.6005], [118.1, 24.6005], [118.1, 24.6]]
FEATURE = json.dumps({"type": "Feature", "properties": {"name": "新地块"},
                      "geometry": {"type": "Polygon", "coordinates": [LONLAT]}})
PARCEL = {"number": "DK-101", "name": "东洋新垦地", "kind": "land", "area": "10.2480", "land_type": "耕地",
          "location": "第一村民小组", "coordinates": "wgs84", "polygon": FEATURE}


def ring(x, y, w=60, h=74):
    """A rectangle in map metres, closed: 60 × 74 m = 4,440 ㎡ = 6.66 亩."""
    return [[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]]


def feature(properties, coordinates):
    return {"type": "Feature", "properties": properties, "geometry": {"type": "Polygon", "coordinates": [coordinates]}}


def upload(data: dict, name: str = "parcels.geojson"):
    return (io.BytesIO(json.dumps(data, ensure_ascii=False).encode()), name)


def errors_by_field(page: str) -> dict[str, str]:
    return dict(re.findall(r'<p class="field-error" id="([\w-]+)-error">([^<]*)</p>', page))


def test_a_pasted_outline_is_previewed_submitted_and_approved(client, backend, people):
    login(client, "cun-staff")
    preview = client.post("/staff/new/asset", data={**PARCEL, "action": "preview"})
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and '<svg class="pm outline"' in page
    assert "10.25 亩" in page and "按边界计算" in page and "相差" not in page
    assert "4 个角点，东西约 120 米、南北约 60 米（起点 611406,2722191）" in page
    assert count(backend, Draft) == 0

    assert client.post("/staff/new/asset", data={**PARCEL, "action": "submit"}).status_code == 302
    with backend.db.read() as session:
        draft = session.scalar(select(Draft))
    login(client, "cun-committee")
    review = client.get(f"/committee/drafts/{draft.id}").get_data(as_text=True)
    assert '<svg class="pm outline"' in review and "GeoJSON，" in review and "118.1012" not in review
    assert client.post(f"/committee/drafts/{draft.id}/approve").status_code == 302

    with backend.db.read() as session:
        asset = session.scalar(select(Asset).where(Asset.number == "DK-101"))
    assert asset.polygon == [[611406, 2722191], [611528, 2722192], [611528, 2722248], [611406, 2722247]]
    entry = log_entries(backend, people)[-1]
    assert (entry.action, entry.actor) == ("asset.create", "staff:cun-staff+committee:cun-committee")
    assert '"area":"10.248"' in entry.line  # four places kept, trailing zero dropped
    assert "10.248 亩" in client.get("/v/testcun/parcels/DK-101").get_data(as_text=True)


def test_the_outline_preview_gives_areas_in_the_readers_language(client, people):
    login(client, "cun-staff")
    page = client.post("/staff/new/asset?lang=en", data={**PARCEL, "action": "preview"}).get_data(as_text=True)
    assert "10.248 mu" in page and "10.25 mu" in page and "亩" not in page
    assert '<th scope="row">Area unit</th><td><ins>mu</ins></td>' in page  # the code's word, in English


def test_an_uploaded_file_corrects_the_outline_with_a_diff_and_a_reason_then_withdrawal(client, backend, people):
    login(client, "cun-staff")
    form = client.get("/staff/asset/P1/correct").get_data(as_text=True)
    assert 'value="10.00"' in form and "本村地图坐标（米）" in form
    outline = {"type": "FeatureCollection", "features": [feature({}, ring(100, 200, 90, 74))]}  # 6,660 ㎡ = 9.99 亩
    fields = {"number": "P1", "name": "东洋1号地", "kind": "land", "area": "10.00", "coordinates": "local",
              "polygon": "", "polygon_file": upload(outline, "p1.json")}
    no_reason = client.post("/staff/asset/P1/correct", data={**fields, "action": "submit"},
                            content_type="multipart/form-data")
    page = no_reason.get_data(as_text=True)
    assert no_reason.status_code == 400 and "请填写更正或撤回的理由" in page
    assert "[[100,200],[190,200]" in page.replace(" ", "")  # the file's text is kept in the form

    fields["polygon_file"] = upload(outline, "p1.json")
    diff = client.post("/staff/asset/P1/correct", data={**fields, "reason": "补画边界", "action": "preview"},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "<del>—</del></td><td><ins>4 个角点，东西约 90 米、南北约 70 米（起点 100,200）</ins>" in diff
    fields["polygon_file"] = upload(outline, "p1.json")
    assert client.post("/staff/asset/P1/correct", data={**fields, "reason": "补画边界", "action": "submit"},
                       content_type="multipart/form-data").status_code == 302
    draft_id = client.get("/staff/").get_data(as_text=True).split("/staff/drafts/", 1)[1].split('"', 1)[0]
    login(client, "cun-committee")
    client.post(f"/committee/drafts/{draft_id}/approve")
    entry = log_entries(backend, people)[-1]
    assert (entry.action, entry.version, entry.reason) == ("asset.correct", 2, "补画边界")
    assert json.loads(entry.line)["data"]["polygon"] == [[100, 200], [190, 200], [190, 274], [100, 274]]

    login(client, "cun-staff")
    assert client.post("/staff/asset/P2/withdraw", data={"reason": "重复登记", "action": "submit"}).status_code == 302
    with backend.db.read() as session:
        draft = session.scalar(select(Draft).where(Draft.verb == "withdraw"))
    login(client, "cun-committee")
    client.post(f"/committee/drafts/{draft.id}/approve")
    assert log_entries(backend, people)[-1].action == "asset.withdraw"


BAD_OUTLINES = [
    ("LineString", json.dumps({"type": "LineString", "coordinates": [[0, 0], [50, 0]]}), "边界须是面（Polygon），这里是线"),
    ("two parcels", json.dumps({"type": "FeatureCollection", "features": [feature({}, ring(0, 0))] * 2}),
     "文件里有 2 个地块"),
    ("unclosed", json.dumps({"type": "Polygon", "coordinates": [ring(0, 0)[:-1]]}), "边界没有闭合"),
    ("bow-tie", json.dumps({"type": "Polygon", "coordinates": [[[0, 0], [60, 74], [60, 0], [0, 74], [0, 0]]]}),
     "边界自相交"),
    ("collinear", json.dumps({"type": "Polygon", "coordinates": [[[0, 0], [30, 30], [60, 60], [0, 0]]]}),
     "都在一条直线上"),
    ("metres as degrees", json.dumps({"type": "Polygon", "coordinates": [ring(500, 300)]}), "不是经纬度"),
    ("not JSON", "{\"type\": \"Polygon\", \"coordinates\": [[[0, 0],", "不是有效的 GeoJSON"),
]


def test_each_outline_rule_is_shown_next_to_the_outline_and_nothing_is_written(client, backend, people):
    login(client, "cun-staff")
    entries = len(log_entries(backend, people))
    for case, text, message in BAD_OUTLINES:
        coordinates = "wgs84" if case == "metres as degrees" else "local"
        response = client.post("/staff/new/asset", data={**PARCEL, "area": "6.66", "coordinates": coordinates,
                                                        "polygon": text, "action": "submit"})
        assert response.status_code == 400, case
        assert message in errors_by_field(response.get_data(as_text=True)).get("polygon", ""), case

    local = {**PARCEL, "coordinates": "local", "polygon": json.dumps({"type": "Polygon", "coordinates": [ring(0, 0)]})}
    five_places = client.post("/staff/new/asset", data={**local, "area": "6.66001", "name": "", "action": "submit"})
    assert errors_by_field(five_places.get_data(as_text=True)) == {"area": "面积（亩）最多保留 4 位小数",
                                                                   "name": "请填写名称"}
    absurd = client.post("/staff/new/asset", data={**local, "area": "66.6", "action": "submit"})
    assert "相差 10.0 倍" in errors_by_field(absurd.get_data(as_text=True))["polygon"]
    both = client.post("/staff/new/asset", data={**PARCEL, "name": "", "polygon": BAD_OUTLINES[2][1],
                                                "coordinates": "local", "action": "submit"})
    assert set(errors_by_field(both.get_data(as_text=True))) == {"name", "polygon"}  # every fault at once
    assert count(backend, Draft) == 0 and len(log_entries(backend, people)) == entries

    # a third off is said, not refused: the committee sees it too
    warned = client.post("/staff/new/asset", data={**local, "area": "5", "action": "preview"})
    assert warned.status_code == 200
    assert "按边界计算约 6.66 亩，填写的面积是 5.00 亩，相差 33%，请核对" in warned.get_data(as_text=True)


def test_a_parcel_file_is_checked_whole_then_published_in_one_approval(client, backend, people):
    login(client, "cun-staff")
    page = client.get("/staff/asset/import").get_data(as_text=True)
    assert "整个文件检查无误才会保存" in page and 'name="reason"' in page
    entries = len(log_entries(backend, people))
    bad = {"type": "FeatureCollection", "features": [
        feature({"编号": "DK-1", "名称": "一号", "面积": 6.66}, ring(0, 0)),
        feature({"编号": "DK-2", "名称": "二号", "面积": 66.6}, ring(100, 0)),
        feature({"编号": "DK-3", "名称": "蝴蝶", "面积": "1"}, [[0, 0], [60, 74], [60, 0], [0, 74], [0, 0]]),
        feature({"编号": "DK-1", "名称": "重号", "面积": 6.66}, ring(300, 0)),
        feature({"编号": "P1", "名称": "已有", "面积": 6.66}, ring(400, 0)),
        feature({"number": "DK-6", "area": 6.123456}, ring(500, 0)),
        {"type": "Feature", "properties": {"编号": "DK-7", "名称": "线", "面积": 1},
         "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}},
    ]}
    refused = client.post("/staff/asset/import", data={"coordinates": "local", "reason": "录入地块清册",
                                                      "file": upload(bad), "action": "submit"},
                          content_type="multipart/form-data")
    assert refused.status_code == 400
    listed = re.findall(r'<li class="field-error">([^<]*)</li>', refused.get_data(as_text=True))
    assert listed == [
        "第 2 个地块（编号 DK-2）：按边界计算约 6.66 亩，填写的面积是 66.60 亩，相差 10.0 倍：边界文件或面积必有一处有误（坐标类型是否选对？）",
        "第 3 个地块（编号 DK-3）：边界自相交：第 1–2 点之间的边与第 3–4 点之间的边相交或重叠；请按边界顺序（顺时针或逆时针）排列各点",
        "第 4 个地块（编号 DK-1）：编号与第 1 个重复",
        "第 5 个地块（编号 P1）：编号“P1”已存在",
        "第 6 个地块（编号 DK-6）：请填写名称；面积（亩）最多保留 4 位小数",
        "第 7 个地块（编号 DK-7）：边界须是面（Polygon），这里是线",
    ]
    assert count(backend, Draft) == 0 and count(backend, Asset) == 3 and len(log_entries(backend, people)) == entries
    not_json = client.post("/staff/asset/import", data={"coordinates": "local", "reason": "x", "action": "submit",
                                                       "file": (io.BytesIO(b"\xff\xfe"), "x.geojson")},
                           content_type="multipart/form-data")
    assert "文件不是 UTF-8 编码的文本" in errors_by_field(not_json.get_data(as_text=True))["file"]

    good = {"type": "FeatureCollection", "features": [
        feature({"编号": f"DK-{i}", "名称": f"{i}号地", "面积": "6.66", "地类": "耕地", "类别": "地块"}, ring(100 * i, 0))
        for i in range(1, 4)]}
    no_reason = client.post("/staff/asset/import", data={"coordinates": "local", "reason": "", "file": upload(good),
                                                        "action": "submit"}, content_type="multipart/form-data")
    assert "请填写导入的理由" in errors_by_field(no_reason.get_data(as_text=True))["reason"]
    assert client.post("/staff/asset/import", data={"coordinates": "local", "reason": "录入 2026 年地块清册",
                                                   "file": upload(good), "action": "submit"},
                       content_type="multipart/form-data").status_code == 302
    with backend.db.read() as session:
        draft = session.scalar(select(Draft))
    assert (draft.verb, draft.state, draft.title, len(draft.batch)) == (
        "import", DraftState.SUBMITTED, "parcels.geojson（3 条）", 3)
    assert client.get(f"/staff/drafts/{draft.id}/edit").status_code == 409

    login(client, "cun-committee")
    review = client.get(f"/committee/drafts/{draft.id}").get_data(as_text=True)
    assert "导入的记录（3 条）" in review and '<svg class="pm"' in review and review.count('<tr id="row-') == 3
    assert client.post(f"/committee/drafts/{draft.id}/approve").status_code == 302

    new = log_entries(backend, people)[entries:]
    assert [(e.action, e.reason, e.actor) for e in new] == [
        ("asset.create", "录入 2026 年地块清册", "staff:cun-staff+committee:cun-committee")] * 3
    assert count(backend, Asset) == 6
    with backend.db.read() as session:
        published = session.get(Draft, draft.id)
    assert published.state is DraftState.PUBLISHED and published.published_seq == new[0].seq


def test_parcel_pages_refuse_the_wrong_role_and_another_village(client, backend, people):
    login(client, "cun-committee")
    assert client.get("/staff/asset/import").status_code == 403
    assert client.post("/staff/new/asset", data={**PARCEL, "action": "submit"}).status_code == 403
    login(client, "other-staff")
    assert client.get("/staff/asset/P1/correct").status_code == 404  # P1 is testcun's
    assert client.get("/staff/notice/import").status_code == 404     # notices have no file import
    assert count(backend, Draft) == 0
