"""Every record's page opens with one plain sentence computed from the record (in Chinese and in
English), marked up so a screen reader reads it first; the 小微权力清单 links each step of a
power to the records it produced; downloads hold real dates and numbers and a 合计 row."""
from __future__ import annotations

import io
import re
from datetime import datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portal.complaints.models import Complaint
from portal.kernel.errors import ValidationError
from portal.kernel.transaction import SYSTEM
from portal.ledger.models import LedgerEntry
from portal.villages.models import Village
from portal.villages.services import VillageInput, create_village

sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
SUMMARY = re.compile(r'<h1>.*?</h1>\s*<p class="summary" id="summary"[^>]*>(.*?)</p>', re.S)
HAN = re.compile(r"[\u3400-\u9fff]")


def record_pages(backend) -> dict[str, tuple[str, tuple[str, ...]]]:
    """A page of each record type of the demo, with words its summary must say."""
    with backend.db.read() as session:
        maintenance = session.scalar(select(LedgerEntry.number).where(LedgerEntry.category == "maintenance"))
        complaint = session.scalar(select(Complaint.number).order_by(Complaint.number))
    return {
        "contract": ("/v/lianban/contracts/LB-LZ-2024-001", ("莲坂村把", "亩租给", "每年租金 ¥", "2024年1月1日至2038年12月31日")),
        "contract-arrears": ("/v/lianban/contracts/LB-HT-2016-003", ("租给", "欠缴 ¥", "逾期")),
        "parcel": ("/v/lianban/parcels/LB-001", ("是村集体的地块", "亩")),
        "notice": ("/v/lianban/notices/GG-2023-005", ("莲坂村于", "2023年10月9日", "招租公告")),
        "plan": ("/v/lianban/plans/FA-2023-001", ("已于", "2023年9月28日", "通过")),
        "tender": ("/v/lianban/tenders/ZZ-2023-001", ("公开招租", "底价每亩每年 ¥450.00", "成交")),
        "signing": ("/v/lianban/signings/QY-2023-001", ("2023年12月28日", "当面签订合同")),
        "ledger_entry": (f"/v/lianban/ledger/{maintenance}", ("村集体支出 ¥9,800.00", "维修工程", "依据会议")),
        "meeting": ("/v/lianban/meetings/HY-2025-001", ("召开", "应到", "赞成")),
        "dividend": ("/v/lianban/dividends/2025", ("2025年度分红", "可分配 ¥", "户")),
        "complaint": (f"/v/lianban/complaints/{complaint}", ("收到的", "现在")),
        "receipt": ("/v/lianban/receipts/SK-2016-0017", ("村集体收到", "¥")),
        "entrustment": ("/v/lianban/entrustments/WT-2023-001", ("承包地委托莲坂村统一流转", "流转租金 ¥", "已付到 2025 年度")),
        "finding": (f"/v/lianban/findings/ZG-{backend.today().year}-001", ("监委会发现的问题", "前整改", "现在")),
    }


def _summary(page: str) -> str:
    found = SUMMARY.search(page)
    assert found, "no summary right after the heading"
    return re.sub(r"<[^>]+>", "", found.group(1))


@sqlite_only
def test_every_record_page_opens_with_its_summary_in_chinese_and_english(client, backend, demo):
    pages = record_pages(backend)
    english = {}
    for name, (path, words) in pages.items():
        page = client.get(path).get_data(as_text=True)
        text = _summary(page)
        assert all(w in text for w in words), (name, text)
        assert page.count('id="summary"') == 1 and "static/readaloud.js" in page
        # read in this order: summary, then the facts and amounts, then the newest change
        assert page.index('id="summary"') < page.index("data-read>") < page.index('<h2 id="history">')
    client.get("/prefs/lang/en?next=/")
    for name, (path, _words) in pages.items():
        page = client.get(path).get_data(as_text=True)
        found = SUMMARY.search(page)
        assert found, name
        outside_names = re.sub(r'<span lang="zh-CN">.*?</span>', "", found.group(1))
        english[name] = re.sub(r"<[^>]+>", "", outside_names)
        assert not HAN.search(english[name]), (name, english[name])
    assert "leases" in english["contract"] and "a year" in english["contract"]
    assert "owes" in english["contract-arrears"]


@sqlite_only
def test_the_powers_page_links_each_step_to_the_records_it_produced(client, demo):
    response = client.get("/v/lianban/powers")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for power in ("集体资产出租", "工程项目", "资金支出", "集体收益分配", "低保评定"):
        assert f">{power}</h2>" in page
    lease = page.split('<h2 id="lease">')[1].split("</details>")[0]  # the newest tender's case
    steps = re.findall(r"<li>\s*<p class=\"step-name\"><strong>(.*?)</strong>", lease)
    assert steps[0] == "拟定方案，征求村民意见" and steps[-1] == "按期收租、开收据" and len(steps) == 9
    links = re.findall(r'href="(/v/lianban/[^"]+)"', lease)
    kinds = {re.sub(r"/v/lianban/(\w+)/.*", r"\1", link) for link in links}
    assert {"plans", "notices", "tenders", "contracts", "signings", "receipts"} <= kinds, links
    assert "/v/lianban/plans/FA-2023-001#votes" in links and "/v/lianban/notices/GG-2023-005" in links
    for link in dict.fromkeys(link.split("#")[0] for link in links):
        assert client.get(link).status_code == 200, link
    project = page.split('<h2 id="project">')[1].split("</section>")[0]
    assert "/v/lianban/meetings/HY-2025-001" in project and "/v/lianban/ledger/funds/JJ-001" in project
    assert "本站不保存低保对象的个人信息" in page
    assert 'href="/v/lianban/powers"' in client.get("/v/lianban/").get_data(as_text=True)
    assert client.get("/v/nowhere/powers").status_code == 404


@sqlite_only
def test_spreadsheets_hold_dates_as_dates_counts_as_numbers_and_a_totals_row(client, demo):
    sheet = load_workbook(io.BytesIO(client.get("/v/lianban/arrears.xlsx").data)).active
    rows = list(sheet.iter_rows(values_only=True))
    heads = rows[2]
    days, oldest = heads.index("逾期天数"), heads.index("最早欠缴期")
    body = rows[3:-1]
    assert body and all(isinstance(r[days], int) for r in body)
    assert all(isinstance(r[oldest], datetime) for r in body)
    total = rows[-1]
    assert any(str(v).startswith("合计") for v in total if v is not None)
    money = [i for i, v in enumerate(total) if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool)]
    assert money and all(total[i] == pytest.approx(sum(float(r[i] or 0) for r in body)) for i in money)
    assert sheet.cell(row=4, column=days + 1).number_format == "0"
    plans = load_workbook(io.BytesIO(client.get("/v/lianban/plans.xlsx").data)).active
    titles = {r[0]: r[1] for r in plans.iter_rows(min_row=4, values_only=True)}
    assert titles["FA-2023-001"] == "莲坂村土地集中流转方案"  # adopted: no longer a 征求意见稿


def test_the_supervisory_phone_is_checked_and_kept_out_of_the_state_when_empty(backend):
    with pytest.raises(ValidationError) as refused:
        create_village(backend, SYSTEM, VillageInput(code="badphone", name="甲村", township="乙镇",
                                                     supervisor_phone="<script>"))
    assert "supervisor_phone" in refused.value.errors
    plain = create_village(backend, SYSTEM, VillageInput(code="nophone", name="甲村", township="乙镇"))
    assert "supervisor_phone" not in plain.public_state()
    with_phone = create_village(backend, SYSTEM, VillageInput(code="phone", name="丙村", township="乙镇",
                                                             supervisor_phone="0592-7100001"))
    assert with_phone.public_state()["supervisor_phone"] == "0592-7100001"
    with backend.db.read() as session:
        assert session.scalar(select(Village.supervisor_phone).where(Village.code == "nophone")) == ""
