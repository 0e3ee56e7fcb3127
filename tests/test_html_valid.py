"""Every public page is valid HTML: the W3C Nu Html Checker (vnu) finds no error in it.

The pages of the demo village are fetched with the Flask test client in Chinese, in English and
in 长辈版, written to a temporary folder and checked by one run of vnu (a Java program that
takes seconds to start). ``scripts/bootstrap --test`` installs it (npm's vnu-jar, in .venv/vnu);
without it or Java the test is skipped, or fails when CI=true.
"""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from portal.kernel.clock import local_date, utc_now

from .conftest import REPO_ROOT

# Complaints are numbered by the year they are filed in: the demo's by the clock of this run.
YEAR = local_date(utc_now()).year
VNU_JAR = Path(os.environ.get("VNU_JAR") or REPO_ROOT / ".venv/vnu/node_modules/vnu-jar/build/dist/vnu.jar")

# One of every kind of page in the README's "Pages and endpoints", with the status it answers.
PAGES = [
    ("/", 200),
    ("/?q=莲花镇", 200),
    ("/v/lianban/", 200),
    ("/v/lianban/contracts", 200),
    ("/v/lianban/contracts?sort=area&page=2", 200),
    ("/v/lianban/contracts/LB-HT-2016-017", 200),  # a household with arrears
    ("/v/lianban/contracts/LB-HT-2016-001", 200),  # corrected: a history of versions
    ("/v/lianban/contracts/LB-LZ-2024-004", 200),  # a company, escalating rent
    ("/v/lianban/contracts/LB-FW-2024-002", 200),  # 保底加分成 with declared revenues
    ("/v/lianban/contracts/LB-FW-2025-003", 200),  # 无偿使用, naming its meeting
    ("/v/lianban/entrustments", 200),
    ("/v/lianban/entrustments/WT-2023-001", 200),
    ("/v/lianban/meetings/HY-2023-001", 200),  # the tenders and contracts that follow it
    ("/v/lianban/arrears", 200),
    ("/v/lianban/receipts", 200),
    ("/v/lianban/receipts?year=2016", 200),
    ("/v/lianban/signings", 200),
    ("/v/lianban/signings/QY-2023-002", 200),
    ("/v/lianban/parcels", 200),
    ("/v/lianban/parcels/LB-001", 200),
    ("/v/lianban/parcels/LB-F01", 200),
    ("/v/lianban/map", 200),
    ("/v/lianban/map?area=5", 200),
    ("/v/lianban/map?find=LB-999", 200),
    ("/v/lianban/receipts/SK-2016-0017", 200),
    ("/v/lianban/notices", 200),
    ("/v/lianban/notices/GG-2024-002", 200),  # corrected
    ("/v/lianban/notices/GG-WORD", 200),  # a body pasted from Word (sanitized HTML), added by the test
    ("/v/lianban/tenders", 200),
    ("/v/lianban/tenders/ZZ-2023-001", 200),  # an open auction, 11 rounds, awarded
    ("/v/lianban/tenders/ZZ-2023-002", 200),  # sealed bids with a refused reveal
    ("/v/lianban/plans", 200),
    ("/v/lianban/plans/FA-2023-001", 200),
    ("/v/lianban/plans/FA-2023-001/comments", 200),
    ("/v/lianban/search?q=茶业", 200),
    ("/v/lianban/search?q=没有这个", 200),
    ("/v/lianban/stats", 200),
    ("/township/lianhua/ranking", 200),  # 每季一晾晒, public
    (f"/township/lianhua/ranking?q={YEAR}Q1", 200),
    ("/township/lianhua/ranking?q=2026Q9", 400),  # a clear message instead
    ("/v/lianban/powers", 200),  # 小微权力清单
    ("/v/lianban/audit/check", 200),  # 核对公告: the empty form
    ("/v/lianban/audit/check?size=100&root=x", 200),  # with a message next to the field
    ("/v/lianban/audit/check?size=100&root=47DEQpj8HBSa%2B%2FTImW%2B5JCeuQeRkm5NMpJWZG3hSuFU%3D", 200),  # 对不上
    ("/v/lianban/complaints", 200),
    ("/v/lianban/complaints?status=resolved", 200),
    (f"/v/lianban/complaints/TS-{YEAR}-0001", 200),  # the demo's answered and resolved one
    ("/v/lianban/complaints/new", 200),
    ("/v/lianban/complaints/new?about=contract:LB-LZ-2024-001", 200),
    ("/v/lianban/complaints/new?about=contract:NO-SUCH", 400),
    ("/v/lianban/complaints/ABCD-EFGH-JK23", 200),  # its filer's page, answered: the verdict form
    ("/v/lianban/complaints/ABCD-EFGH-JK24", 404),
    ("/v/lianban/ledger", 200),
    ("/v/lianban/ledger?year=2025", 200),
    ("/v/lianban/ledger/ZJ-2025-0001", 200),  # a rent booked from its receipt
    ("/v/lianban/ledger/funds/JJ-001", 200),
    ("/v/lianban/meetings", 200),
    ("/v/lianban/findings", 200),
    ("/v/lianban/findings?status=rectifying", 200),
    (f"/v/lianban/findings/ZG-{YEAR}-001", 200),  # being rectified: a history of two versions
    ("/v/lianban/findings/ZG-0000-000", 404),
    ("/v/lianban/meetings/HY-2026-001", 200),
    ("/v/lianban/dividends", 200),
    ("/v/lianban/dividends/2025", 200),
    ("/v/lianban/dividends/2025?page=20", 200),
    ("/v/lianban/dividends/check", 200),
    ("/login", 200),
    ("/v/lianban/contracts/NO-SUCH", 404),
    ("/v/lianban/contracts?page=x", 400),
    ("/v/lianban/contracts%00", 400),  # a NUL byte
]
# Pages of the village's staff, fetched logged in as demo-staff: (URL, file to upload or None for
# a GET, status): the import page, a check's report of problems and a check's summary to confirm.
STAFF_PAGES = [
    ("/staff/import", None, 200),
    ("/staff/import/contracts", "bad", 400),
    ("/staff/import/all", "good", 200),
]


def _staff_upload(kind: str) -> bytes:
    from .importfiles import SHEETS, excel_typed, xlsx
    from .test_imports import BAD_CONTRACTS

    if kind == "bad":
        return xlsx(("合同", BAD_CONTRACTS))
    return xlsx(*((SHEETS[k], excel_typed(k)) for k in ("parcels", "contracts", "receipts")))

# Signed-in pages (the workspaces), fetched after `_prepare_drafts` made draft 1 (saved) and
# draft 2 (submitted), both notices.
SIGNED_IN_PAGES = {
    "demo-staff": [
        ("/staff/", 200),
        ("/staff/new/notice", 200),
        ("/staff/new/signing", 200),
        ("/staff/signing/QY-2023-001/correct", 200),
        ("/staff/drafts/1", 200),
        ("/staff/drafts/1/edit", 200),
        ("/staff/records/notice", 200),
        ("/staff/notice/GG-2024-002/correct", 200),
        ("/staff/notice/GG-2024-002/withdraw", 200),
        ("/staff/new/tender", 200),
        ("/staff/records/tender", 200),
        ("/staff/tenders/ZZ-2023-001/desk", 200),
        ("/staff/tender/ZZ-2023-001/object", 200),
        ("/account/password", 200),
    ],
    "demo-committee": [
        ("/committee/", 200),
        ("/committee/complaints/", 200),
        (f"/committee/complaints/TS-{YEAR}-0002", 200),  # assigned to demo-committee: the answer form
        ("/committee/drafts/2", 200),
        ("/committee/log", 200),
        ("/committee/log?kind=contract&action=correct", 200),
        ("/committee/log?page=3", 200),
        ("/committee/log?start=2026-02-30", 400),
        ("/committee/integrity", 200),
        ("/committee/alerts", 200),
        ("/committee/findings/", 200),
        (f"/committee/findings/ZG-{YEAR}-001", 200),
        (f"/committee/findings/ZG-{YEAR}-002", 200),
        ("/township/", 403),
    ],
    "demo-township": [
        ("/township/", 200),
        ("/township/?sort=-arrears", 200),
        ("/township/?sort=nonsense", 400),
        ("/township/v/lianban", 200),
        ("/township/accounts", 200),
        ("/township/villages/new", 200),
        ("/township/villages/lianban/accounts/new", 200),
        ("/township/accounts/demo-staff/password", 200),
        ("/township/accounts/demo-staff/disable", 200),
        ("/township/accounts/demo-staff/enable", 200),
    ],
}
NOTICE_DRAFT = {"number": "GG-2026-090", "title": "校验用公告", "category": "affairs",
                "published_on": "2026-11-20", "body": "第一段。\n第二段。"}


def _prepare_drafts(app) -> None:
    client = app.test_client()
    assert client.post("/login", data={"username": "demo-staff", "password": "demo-2026"}).status_code == 302
    assert client.post("/staff/new/notice", data={**NOTICE_DRAFT, "action": "save"}).status_code == 302
    assert client.post("/staff/new/notice", data={**NOTICE_DRAFT, "number": "GG-2026-091",
                                                  "action": "submit"}).status_code == 302
    # a bad form, as staff see it with its errors
    assert client.post("/staff/new/notice", data={**NOTICE_DRAFT, "title": "", "action": "submit"}).status_code == 400
    _prepare_complaint(app)


def _prepare_complaint(app) -> None:
    """A complaint with a known tracking code, answered by demo-committee (its filer's page then
    asks whether it is resolved)."""
    from unittest import mock

    villager = app.test_client()
    with mock.patch("portal.complaints.services.new_tracking_code", return_value="ABCD-EFGH-JK23"):
        filed = villager.post("/v/lianban/complaints/new", data={"kind": "complaint", "body": "校验用投诉"})
    assert filed.status_code == 302, filed.get_data(as_text=True)
    from sqlalchemy import func, select

    from portal.complaints.models import Complaint

    with app.extensions["portal"].db.read() as session:
        number = session.scalar(select(Complaint.number).where(Complaint.id == select(func.max(Complaint.id))
                                                               .scalar_subquery()))
    committee = app.test_client()
    assert committee.post("/login", data={"username": "demo-committee", "password": "demo-2026"}).status_code == 302
    for data in ({"step": "assign", "assignee": "demo-committee"}, {"step": "reply", "reply": "校验用答复"}):
        assert committee.post(f"/committee/complaints/{number}", data=data).status_code == 302


def _vnu() -> list[str]:
    """The command that runs vnu; skip (fail in CI) when it or Java is missing."""
    java = shutil.which("java")
    if java is None or not VNU_JAR.is_file():
        message = ("the W3C Nu Html Checker needs Java and vnu.jar "
                   f"({'found' if VNU_JAR.is_file() else 'missing'}: {VNU_JAR}); "
                   "run scripts/bootstrap --test to install both")
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return [java, "-jar", str(VNU_JAR), "--format", "json", "--stdout"]


def _reader(app, mode: str, username: str | None = None):
    """A fresh reader: Chinese, English (first page asked with ?lang=en), or 长辈版; signed in as
    `username` when given."""
    client = app.test_client()
    if username:
        assert client.post("/login", data={"username": username, "password": "demo-2026"}).status_code == 302
    if mode == "large":
        assert client.get("/prefs/large-text?on=1&next=/").status_code == 302
    return client


def _with_lang(url: str, mode: str) -> str:
    if mode != "en":
        return url
    return url + ("&" if "?" in url else "?") + "lang=en"


def _fetch_all(app, folder: Path) -> dict[str, str]:
    """Writes every page in every mode into `folder`; returns file name → URL (and mode)."""
    import io

    written: dict[str, str] = {}
    def keep(mode: str, i: int, url: str, response, status: int, username: str | None) -> None:
        assert response.status_code == status, (mode, url, response.status_code)
        assert response.mimetype == "text/html", (mode, url)
        page = response.get_data(as_text=True)
        expected_lang = "en" if mode == "en" else "zh-CN"
        assert f'<html lang="{expected_lang}"' in page, (mode, url)
        slug = re.sub(r'[^A-Za-z0-9]+', '-', url).strip('-') or 'home'
        name = f"{mode}-{username or 'public'}-{i:02d}-{slug}.html"
        (folder / name).write_text(page, encoding="utf-8")
        written[name] = f"{url} [{mode}{', ' + username if username else ''}]"

    _prepare_drafts(app)
    readers = [(None, PAGES), *SIGNED_IN_PAGES.items()]
    for mode, (username, pages) in ((m, r) for m in ("zh", "en", "large") for r in readers):
        client = _reader(app, mode, username)
        for i, (url, status) in enumerate(pages):
            keep(mode, i, url, client.get(_with_lang(url, mode)), status, username)
    for mode in ("zh", "en", "large"):
        staff = _reader(app, mode, "demo-staff")
        for i, (url, upload, status) in enumerate(STAFF_PAGES, 100):
            if upload is None:
                response = staff.get(_with_lang(url, mode))
            else:
                response = staff.post(_with_lang(url, mode), data={"file": (io.BytesIO(_staff_upload(upload)), "a.xlsx")},
                                      content_type="multipart/form-data")
            keep(mode, i, url, response, status, "demo-staff")
    return written


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_public_page_passes_the_nu_html_checker(app, backend, demo, tmp_path):
    from portal.notices.services import NoticeInput, create_notice

    from .conftest import DEMO_STAFF
    from .test_sanitizer import WORD_PASTE

    command = _vnu()
    create_notice(backend, DEMO_STAFF, demo, NoticeInput(number="GG-WORD", title="招租公告", category="tender",
                                                         body=WORD_PASTE, published_on="2024-04-10"))
    folder = tmp_path / "pages"
    folder.mkdir()
    _assert_valid(command, folder, _fetch_all(app, folder))


# The signed-in workspace pages (GET, and forms shown again after 预览 or with errors), as
# demo-staff and demo-committee see them: (who, method, URL, form data, expected status).
CONTRACT_FORM = {"number": "LB-HT-2027-001", "title": "北洋地块租赁", "lessee_kind": "person", "lessee_name": "林小梅",
                 "lessee_id_number": "11010519491231002X", "parcel_1": "LB-031", "area_1": "1.5",
                 "start_date": "2028-01-01", "end_date": "2032-12-31", "rent_rate": "500", "rent_unit": "mu_year",
                 "escalation_percent": "5", "escalation_every_years": "2", "payment_interval_months": "6"}
PARCEL_FORM = {"number": "LB-101", "name": "新垦地", "kind": "land", "area": "6.66", "coordinates": "local",
               "polygon": '{"type":"Polygon","coordinates":[[[0,0],[60,0],[60,74],[0,74],[0,0]]]}'}
WORKSPACE_PAGES = [
    ("demo-staff", "GET", "/staff/", None, 200),
    ("demo-staff", "GET", "/staff/new/contract", None, 200),
    ("demo-staff", "GET", "/staff/new/asset", None, 200),
    ("demo-staff", "GET", "/staff/new/notice", None, 200),
    ("demo-staff", "GET", "/staff/new/ledger_entry", None, 200),
    ("demo-staff", "GET", "/staff/new/fund", None, 200),
    ("demo-staff", "GET", "/staff/new/meeting", None, 200),
    ("demo-staff", "GET", "/staff/new/entrustment", None, 200),
    ("demo-staff", "GET", "/staff/entrustment/WT-2023-001/pay", None, 200),
    ("demo-staff", "GET", "/staff/contract/LB-FW-2024-002/declare", None, 200),
    ("demo-staff", "GET", "/staff/new/dividend_plan", None, 200),
    ("demo-staff", "GET", "/staff/dividend_plan/FH-2025/pay", None, 200),
    ("demo-staff", "GET", "/staff/asset/import", None, 200),
    ("demo-staff", "GET", "/staff/records/contract", None, 200),
    ("demo-staff", "GET", "/staff/records/asset", None, 200),
    ("demo-staff", "GET", "/staff/contract/LB-LZ-2024-001/correct", None, 200),
    ("demo-staff", "GET", "/staff/contract/LB-LZ-2024-001/terminate", None, 200),
    ("demo-staff", "GET", "/staff/asset/LB-001/correct", None, 200),
    ("demo-staff", "POST", "/staff/new/contract", {**CONTRACT_FORM, "action": "preview"}, 200),
    ("demo-staff", "POST", "/staff/new/contract", {**CONTRACT_FORM, "rent_rate": "x", "area_2": "1",
                                                   "action": "submit"}, 400),
    ("demo-staff", "POST", "/staff/new/asset", {**PARCEL_FORM, "action": "preview"}, 200),
    ("demo-staff", "POST", "/staff/new/asset", {**PARCEL_FORM, "polygon": "{", "action": "submit"}, 400),
    ("demo-staff", "POST", "/staff/contract/LB-LZ-2024-001/correct",
     {**CONTRACT_FORM, "number": "LB-LZ-2024-001", "reason": "更正单价", "action": "preview"}, 200),
    ("demo-staff", "POST", "/staff/new/contract", {**CONTRACT_FORM, "action": "submit"}, 302),
    ("demo-staff", "GET", "/staff/drafts/1", None, 200),
    ("demo-staff", "POST", "/staff/asset/import", lambda: _parcel_file("LB-001"), 400),
    ("demo-staff", "POST", "/staff/asset/import", lambda: _parcel_file("LB-101"), 302),
    ("demo-committee", "GET", "/committee/", None, 200),
    ("demo-committee", "GET", "/committee/drafts/1", None, 200),
    ("demo-committee", "GET", "/committee/drafts/2", None, 200),
]


def _parcel_file(first: str) -> dict[str, object]:
    """The import form with a file of two parcels, the first numbered `first` (LB-001 is taken)."""
    features = [{"type": "Feature", "properties": {"编号": number, "名称": "新垦地", "面积": "6.66"},
                 "geometry": {"type": "Polygon", "coordinates": [[[x, 0], [x + 60, 0], [x + 60, 74], [x, 74], [x, 0]]]}}
                for number, x in ((first, 3000), ("LB-102", 3100))]
    content = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode()
    return {"coordinates": "local", "reason": "补录地块", "action": "submit", "file": (io.BytesIO(content), "new.geojson")}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_workspace_pages_pass_the_nu_html_checker(app, demo, tmp_path):
    command = _vnu()
    folder = tmp_path / "workspace"
    folder.mkdir()
    client, who, written = app.test_client(), None, {}
    for i, (user, method, url, data, status) in enumerate(WORKSPACE_PAGES):
        if user != who:
            client.post("/logout")
            assert client.post("/login", data={"username": user, "password": "demo-2026"}).status_code == 302
            who = user
        response = client.open(url, method=method, data=data() if callable(data) else data)
        assert response.status_code == status, (user, method, url, response.status_code)
        if status == 302:
            continue
        name = f"ws-{i:02d}-{re.sub(r'[^A-Za-z0-9]+', '-', url).strip('-')}.html"
        (folder / name).write_text(response.get_data(as_text=True), encoding="utf-8")
        written[name] = f"{method} {url} [{user}]"
    _assert_valid(command, folder, written)


def _assert_valid(command: list[str], folder: Path, written: dict[str, str]) -> None:
    """Runs vnu once over the written pages; fails listing every error (warnings are printed)."""
    run = subprocess.run(command + sorted(str(folder / name) for name in written),
                         capture_output=True, text=True, timeout=600)
    try:
        messages = json.loads(run.stdout)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"vnu gave no JSON report (exit {run.returncode}): {run.stdout[:500]} {run.stderr[:500]}")

    errors, warnings = [], []
    for message in messages:
        name = Path(message.get("url", "")).name
        line = (f"{written.get(name, name)} {name}:{message.get('lastLine', '?')}: "
                f"{message.get('message', '')} «{message.get('extract', '').strip()}»")
        (warnings if message.get("subType") == "warning" or message["type"] == "info" else errors).append(line)
    print(f"\nvnu: {len(written)} pages, {len(errors)} errors, {len(warnings)} warnings")
    for line in warnings:
        print("warning:", line)
    for line in errors:
        print("error:", line)
    assert not errors, f"{len(errors)} vnu errors:\n" + "\n".join(errors)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_time_values_and_page_language_are_right_without_the_checker(client, demo):
    """What vnu found once, checked also where it is not installed: <time datetime> to the
    millisecond at most, and lang="en" from the very request that asks for English."""
    page = client.get("/v/lianban/contracts/LB-HT-2016-001?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page
    values = re.findall(r'datetime="([^"]*)"', page)
    assert values and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", v) for v in values), values
    assert '<html lang="zh-CN">' in client.get("/v/lianban/?lang=zh").get_data(as_text=True)
