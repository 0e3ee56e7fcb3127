"""What a village's staff keep of the village itself: the supervisory committee's phone (监督电话,
printed on every bulletin-board sheet) and the landmarks of the parcel map (地标). Each change is
published at once as a new version of the village in its log; the map draws the landmarks."""
from __future__ import annotations

import json
import re

import pytest
from markupsafe import escape
from sqlalchemy import select

from portal.kernel.errors import NotFound, PermissionDenied, ValidationError
from portal.kernel.transaction import Actor
from portal.parcels import landmark_drawing, plane
from portal.parcels.services import AssetInput, create_asset
from portal.villages.landmarks import landmarks_of
from portal.villages.models import Village
from portal.villages.services import LandmarkInput, change_supervisor_phone, remove_landmark, save_landmark
from tests.conftest import DEMO_STAFF, REPO_ROOT, STAFF
from tests.test_parcels_map import svg_of
from tests.test_printing import fetch_pdf, flat, pdf_text, sqlite_only
from tests.test_workspace import log_entries, login, people  # noqa: F401  (fixture)

DEMO_COMMITTEE = Actor("demo-committee", "committee", village="lianban")
OTHER_STAFF = Actor("other-staff", "staff", village="othercun")
ROAD = {"kind": "road", "name": "东洋路", "points": "0,150 400,150"}


def demo_login(client, username: str) -> None:
    client.post("/logout")
    assert client.post("/login", data={"username": username, "password": "demo-2026"}).status_code == 302


def village_row(backend, code: str) -> Village:
    with backend.db.read() as session:
        return session.scalar(select(Village).where(Village.code == code))


def last_entry(backend, code: str) -> dict:
    return json.loads(log_entries(backend, code)[-1].line)


def errors_of(page: str) -> list[str]:
    return re.findall(r'<p class="field-error"[^>]*>([^<]+)</p>', page)


# ── 监督电话 ──────────────────────────────────────────────────────────────────────────────────

@sqlite_only
def test_staff_change_of_the_phone_is_logged_and_printed_on_the_next_sheet(client, backend, demo, tmp_path):
    assert "0592-7100001" in flat(pdf_text(fetch_pdf(client, "/v/lianban/notices/GG-2023-005.pdf", tmp_path)))
    version = village_row(backend, "lianban").version
    demo_login(client, "demo-staff")
    form = client.get("/staff/settings").get_data(as_text=True)
    assert 'value="0592-7100001"' in form and "更正理由" in form
    changed = client.post("/staff/settings", data={"supervisor_phone": " 0592 710-0099 ", "reason": "监委会换届"})
    assert changed.status_code == 302
    entry = last_entry(backend, "lianban")
    assert (entry["action"], entry["actor"], entry["reason"], entry["version"]) == (
        "village.correct", "staff:demo-staff", "监委会换届", version + 1)
    assert entry["data"]["supervisor_phone"] == "0592 710-0099" and entry["data"]["name"] == "莲坂村（演示数据）"
    assert "0592 710-0099" in client.get("/staff/settings").get_data(as_text=True)
    for url in ("/v/lianban/notices/GG-2023-005.pdf", "/v/lianban/arrears.pdf"):  # the cached copies are not served
        words = flat(pdf_text(fetch_pdf(client, url, tmp_path)))
        assert "监督电话：0592710-0099（村务监督委员会）" in words and "0592-7100001" not in words, url  # spaces gone
    result = client.application.test_cli_runner().invoke(args=["audit", "verify", "--village", "lianban"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("phone, reason, message", [
    ("0592<script>", "换届", "监督电话只能写数字、空格和连字符（例如 0592-7100001）"),
    ("电话 7100001", "换届", "监督电话只能写数字、空格和连字符（例如 0592-7100001）"),
    ("", "换届", "请填写监督电话"),
    ("0592-7100002", "", "请填写更正/撤回原因"),
    ("0592-7100001", "再填一次", "没有任何改动，无需更正"),
])
def test_a_bad_phone_is_refused_with_a_clear_message_and_nothing_changes(client, backend, demo, phone, reason,
                                                                         message):
    entries = len(log_entries(backend, "lianban"))
    demo_login(client, "demo-staff")
    refused = client.post("/staff/settings", data={"supervisor_phone": phone, "reason": reason})
    assert refused.status_code == 400
    assert message in refused.get_data(as_text=True)
    assert "<script>" not in refused.get_data(as_text=True)
    assert len(log_entries(backend, "lianban")) == entries
    assert village_row(backend, "lianban").supervisor_phone == "0592-7100001"


def test_the_phone_is_refused_to_other_roles_other_villages_and_without_csrf(app, client, backend, demo):
    entries = len(log_entries(backend, "lianban"))
    assert client.get("/staff/settings").status_code == 302  # to the login page
    demo_login(client, "demo-committee")
    assert client.get("/staff/settings").status_code == 403
    assert client.post("/staff/settings", data={"supervisor_phone": "110", "reason": "x"}).status_code == 403
    for actor in (DEMO_COMMITTEE, OTHER_STAFF, Actor("demo-township", "township")):
        with pytest.raises(PermissionDenied):
            change_supervisor_phone(backend, actor, "lianban", "0592-7100002", "换届")
    demo_login(client, "demo-staff")
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/staff/settings", data={"supervisor_phone": "0592-7100002", "reason": "换届"}).status_code == 400
    assert len(log_entries(backend, "lianban")) == entries
    assert village_row(backend, "lianban").supervisor_phone == "0592-7100001"


# ── 地标 on the map ────────────────────────────────────────────────────────────────────────────

def test_demo_map_draws_its_landmarks_over_the_whole_map_its_areas_and_the_legend(client, demo):
    page = client.get("/v/lianban/map").get_data(as_text=True)
    svg = svg_of(page)
    classes = [el.get("class") for el in svg.iter()]
    for kind in ("lm-road", "lm-river", "lm-canal", "lm-bridge"):
        assert kind in classes
    assert classes.count("lm-mark") == 3  # 村委会, school, temple
    names = {t.text for t in svg.iter("text") if (t.get("class") or "").startswith("lm-name")}
    assert names == {"莲坂路", "莲溪", "东干渠", "莲溪桥", "莲坂村村委会", "莲坂小学", "陈氏宗祠"}
    legend = re.search(r'<ul class="legend landmarks".*?</ul>', page, re.S).group(0)
    for word in ("村委会", "学校", "桥", "祠堂庙宇", "道路", "河流", "水渠", "莲坂村村委会", "东干渠"):
        assert word in legend
    # every area shows the landmarks within it; the bridge's area names road, river and bridge
    seen: set[str] = set()
    for href in [a.get("href") for a in svg.iter("a") if a.get("class") == "pm-area"]:
        enlarged = svg_of(client.get(href.split("#")[0]).get_data(as_text=True))
        shown = {t.text for t in enlarged.iter("text") if (t.get("class") or "").startswith("lm-name")}
        if "莲溪桥" in shown:
            assert {"莲坂路", "莲溪"} <= shown
        seen |= shown
    assert seen == names


def test_landmark_names_cover_no_other_name_symbol_or_the_map_edge(client, demo):
    for url in ("/v/lianban/map", "/v/lianban/map?area=5"):
        svg = svg_of(client.get(url).get_data(as_text=True))
        _, _, width, height = (int(v) for v in svg.get("viewBox").split())
        size = int(next(g for g in svg.iter("g") if g.get("class") == "lm").get("font-size"))
        boxes = [landmark_drawing.label_box((int(t.get("x")), int(t.get("y"))), t.text, size) for t in svg.iter("text")
                 if (t.get("class") or "").startswith("lm-name")]
        assert boxes
        for i, box in enumerate(boxes):
            assert 0 <= box[0] and 0 <= box[1] and box[2] <= width and box[3] <= height, url
            assert not any(plane.overlaps(box, other) for other in boxes[i + 1:]), url


def test_large_text_and_english_enlarge_the_names_and_translate_the_kinds(client, demo):
    def name_size() -> float:
        svg = svg_of(client.get("/v/lianban/map").get_data(as_text=True))
        return int(next(g for g in svg.iter("g") if g.get("class") == "lm").get("font-size"))

    normal = name_size()
    client.get("/prefs/large-text?on=1&next=/")
    assert name_size() >= 1.25 * normal
    client.get("/prefs/lang/en?next=/")
    page = client.get("/v/lianban/map").get_data(as_text=True)
    legend = re.search(r'<ul class="legend landmarks".*?</ul>', page, re.S).group(0)
    for word in ("Village committee", "School", "Bridge", "Road", "River", "Canal"):
        assert f"<span>{word}</span>" in legend
    assert '<span lang="zh-CN">莲坂村村委会</span>' in legend  # a name stays a name, marked Chinese


def test_staff_add_change_and_remove_landmarks_each_logged(client, backend, people):
    create_asset(backend, STAFF, people, AssetInput(number="P9", name="南洋9号地", kind="land", area="10.00",
                                                    polygon=[[0, 0], [100, 0], [100, 66], [0, 66]]))
    login(client, "cun-staff")
    listed = client.get("/staff/landmarks").get_data(as_text=True)
    assert "还没有地标" in listed and "东西 0 到 100，南北 0 到 66" in listed
    assert client.post("/staff/landmarks/new", data=ROAD).status_code == 302
    entry = last_entry(backend, people)
    assert (entry["action"], entry["actor"], entry["version"]) == ("village.landmark", "staff:cun-staff", 2)
    assert entry["data"]["landmarks"] == {"1": {"kind": "road", "name": "东洋路", "points": [[0, 150], [400, 150]]}}
    assert client.post("/staff/landmarks/new", data={"kind": "office", "name": "测试村村委会",
                                                     "points": "５０，８０"}).status_code == 302  # full-width
    assert client.post("/staff/landmarks/1", data={**ROAD, "points": "0,70\n120,70", "reason": "按实测改"}
                       ).status_code == 302
    entry = last_entry(backend, people)
    assert entry["reason"] == "按实测改" and entry["data"]["landmarks"]["1"]["points"] == [[0, 70], [120, 70]]
    assert entry["data"]["landmarks"]["2"] == {"kind": "office", "name": "测试村村委会", "points": [[50, 80]]}
    page = client.get(f"/v/{people}/map").get_data(as_text=True)
    assert "东洋路" in page and "测试村村委会" in page and 'class="lm-road"' in page
    form = client.get("/staff/landmarks/1").get_data(as_text=True)
    assert "0,70 120,70" in form and 'value="东洋路"' in form
    listed = client.get("/staff/landmarks").get_data(as_text=True)
    assert 'href="/staff/landmarks/1/remove"' in listed and 'action="/staff/landmarks/1/remove"' not in listed
    confirm = client.get("/staff/landmarks/1/remove").get_data(as_text=True)  # which one, and why: asked first
    assert "删除地标" in confirm and "东洋路" in confirm and "0,70 120,70" in confirm and "确认删除" in confirm
    assert [m.number for m in landmarks_of(village_row(backend, people).landmarks)] == [1, 2]
    refused = client.post("/staff/landmarks/1/remove", data={"reason": "很" * 501})
    assert refused.status_code == 400 and len(landmarks_of(village_row(backend, people).landmarks)) == 2
    done = client.post("/staff/landmarks/1/remove", data={"reason": "道路已改名"}, follow_redirects=True)
    assert "地标“东洋路”已从地块图上删除" in done.get_data(as_text=True)
    entry = last_entry(backend, people)
    assert entry["reason"] == "道路已改名"
    assert entry["data"]["landmarks"] == {"2": {"kind": "office", "name": "测试村村委会", "points": [[50, 80]]}}
    assert [m.number for m in landmarks_of(village_row(backend, people).landmarks)] == [2]
    assert client.get("/staff/landmarks/1").status_code == 404
    assert client.post("/staff/landmarks/1/remove").status_code == 404
    assert client.get("/staff/landmarks/1/remove").status_code == 404
    assert "东洋路" not in client.get(f"/v/{people}/map").get_data(as_text=True)
    result = client.application.test_cli_runner().invoke(args=["audit", "verify", "--village", people])
    assert result.exit_code == 0, result.output


def test_the_committee_log_shows_a_landmark_change_in_words(client, backend, people):
    login(client, "cun-staff")
    assert client.post("/staff/landmarks/new", data=ROAD).status_code == 302
    assert client.post("/staff/landmarks/1", data={**ROAD, "points": "0,70 40,72 80,71 120,70",
                                                   "reason": "按实测改"}).status_code == 302
    assert client.post("/staff/landmarks/new", data={"kind": "school", "name": "测试小学",
                                                     "points": "710,740"}).status_code == 302
    client.post("/logout")
    login(client, "cun-committee")
    log = client.get("/committee/log").get_data(as_text=True)
    assert "landmarks.1" not in log
    assert '<th scope="row">地标 1：类别</th>' in log and "<ins>道路</ins>" in log
    assert "<del>2 个点：0,150 → 400,150</del>" in log
    assert "<ins>4 个点：0,70 → 40,72 → 80,71 → …（另 1 个）</ins>" in log
    english = client.get("/committee/log?lang=en").get_data(as_text=True)
    assert '<th scope="row">Landmark 1: Category</th>' in english and "<ins>Road</ins>" in english
    assert "<ins>4 points: 0,70 → 40,72 → 80,71 → … (1 more)</ins>" in english
    assert "<ins>1 个点：710,740</ins>" in log
    assert "<ins>1 point: 710,740</ins>" in english and "(s)" not in english


@pytest.mark.parametrize("fields, field, message", [
    ({"kind": ""}, "kind", "请选择地标的类别"),
    ({"kind": "castle"}, "kind", "请选择地标的类别"),
    ({"name": ""}, "name", "请填写地标名称"),
    ({"name": "很" * 31}, "name", "地标名称不能超过 30 个字（现有 31 个）"),
    ({"points": ""}, "points", "请填写位置（坐标，单位米，如 710,740）"),
    ({"points": "东边 100 米"}, "points", "位置要写成“东,北”坐标（单位米），如 710,740；一条线写几个点，用空格隔开"),
    ({"points": "1,2,3,4"}, "points", "位置要写成“东,北”坐标（单位米），如 710,740；一条线写几个点，用空格隔开"),
    ({"points": "10,10"}, "points", "道路和河渠要写 2 到 50 个点（现有 1 个）"),
    ({"points": "10,10 10,10"}, "points", "相邻两个点不能相同"),
    ({"points": "0,0 99999999,0"}, "points", "坐标超出范围：每个数不能超过 10000000 米"),
    ({"kind": "school", "points": "0,0 10,10"}, "points", "这类地标只写一个点（现有 2 个）"),
])
def test_a_bad_landmark_is_refused_next_to_its_field_and_nothing_changes(client, backend, people, fields, field,
                                                                         message):
    login(client, "cun-staff")
    entries = len(log_entries(backend, people))
    refused = client.post("/staff/landmarks/new", data={**ROAD, **fields})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert re.search(rf'<p class="field-error" id="{field}-error">{re.escape(message)}</p>', page), errors_of(page)
    assert len(log_entries(backend, people)) == entries and village_row(backend, people).landmarks == []


def test_landmarks_are_refused_to_other_roles_other_villages_and_without_csrf(app, client, backend, people):
    save_landmark(backend, STAFF, people, LandmarkInput(**ROAD))
    entries = len(log_entries(backend, people))
    login(client, "cun-committee")
    for url in ("/staff/landmarks", "/staff/landmarks/new", "/staff/landmarks/1", "/staff/landmarks/1/remove"):
        assert client.get(url).status_code == 403, url
    assert client.post("/staff/landmarks/new", data=ROAD).status_code == 403
    assert client.post("/staff/landmarks/1/remove").status_code == 403
    login(client, "other-staff")  # their own village has no landmark 1, and theirs is the only one they see
    assert "东洋路" not in client.get("/staff/landmarks").get_data(as_text=True)
    assert client.post("/staff/landmarks/1", data=ROAD).status_code == 404
    assert client.post("/staff/landmarks/1/remove").status_code == 404
    assert client.get("/staff/landmarks/1/remove").status_code == 404
    for actor in (OTHER_STAFF, Actor("cun-committee", "committee", village=people), Actor("t", "township")):
        with pytest.raises(PermissionDenied):
            save_landmark(backend, actor, people, LandmarkInput(**ROAD))
        with pytest.raises(PermissionDenied):
            remove_landmark(backend, actor, people, 1)
    with pytest.raises(NotFound):
        save_landmark(backend, STAFF, people, LandmarkInput(**ROAD), number=7)
    login(client, "cun-staff")
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/staff/landmarks/new", data=ROAD).status_code == 400
    assert client.post("/staff/landmarks/1/remove").status_code == 400
    assert len(log_entries(backend, people)) == entries


def test_xss_corpus_in_landmark_names_is_shown_as_text(client, backend, demo):
    lines = (REPO_ROOT / "tests/data/xss/payloads.txt").read_text(encoding="utf-8").splitlines()
    payloads = [p.strip() for p in lines if p.strip() and len(p.strip()) <= 30][::12][:20]
    stored = []
    for payload in payloads:
        try:
            save_landmark(backend, DEMO_STAFF, demo, LandmarkInput("office", payload, "707,900"))
        except ValidationError as refused:  # a control character: refused, never stored
            assert all("控制字符" in m for m in refused.errors.values()), refused.errors
        else:
            stored.append(payload)
    assert len(stored) >= 10 and any("<script" in p.lower() for p in stored)
    demo_login(client, "demo-staff")
    for url in ("/v/lianban/map", "/staff/landmarks"):
        html = client.get(url).get_data(as_text=True)
        if url.endswith("/map"):
            svg_of(html)  # still well-formed XML
        for payload in stored:
            assert str(escape(payload)) in html, (payload, url)
            if set(payload) & set("<>\"'&"):
                assert payload not in html, (payload, url)
        lowered = html.lower()
        assert lowered.count("<script") == lowered.count('<script src="/static/'), url
    for mark in landmarks_of(village_row(backend, demo).landmarks):
        if mark.name not in stored:
            continue
        html = client.get(f"/staff/landmarks/{mark.number}/remove").get_data(as_text=True)  # asks before removing
        assert str(escape(mark.name)) in html
        if set(mark.name) & set("<>\"'&"):
            assert mark.name not in html, mark.name
        assert html.lower().count("<script") == html.lower().count('<script src="/static/')
