"""Public pages on the demo: readable without login, personal data masked, history and proof shown."""
from __future__ import annotations

import json
import re

from sqlalchemy import select

from portal.contracts.models import Contract, LesseeKind
from portal.publishing.formatting import html_datetime

# Bounded by non-hex characters, so hashes in the log are not mistaken for ID numbers.
ID_NUMBER = re.compile(r"(?<![0-9a-fA-F])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dX]"
                       r"(?![0-9a-fA-F])")
MOBILE = re.compile(r"(?<![0-9a-fA-F])1[3-9]\d{9}(?![0-9a-fA-F])")


def test_home_lists_the_demo_village(client, demo):
    page = client.get("/").get_data(as_text=True)
    assert "莲坂村" in page and "演示数据" in page


def test_village_home_shows_totals_news_qr_and_how_to_verify(client, demo):
    response = client.get("/v/lianban/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for words in ("在租土地", "2026年应收租金", "累计欠租", "待答复的意见", "最新变动", "一村一码", "如何核验", "<svg"):
        assert words in page
    newest = json.loads(client.get("/v/lianban/audit/entries.jsonl").data.splitlines()[-1])
    news = page.split('<ol class="news">')[1].split("</ol>")[0]
    assert news.count("<li>") == 8 and html_datetime(newest["ts"]) in news  # what is new, newest first
    assert "记入日志" in news
    assert page.count('class="sections"') == 1 and "/v/lianban/arrears" in page


def test_contract_page_shows_schedule_history_and_proof(client, demo):
    page = client.get("/v/lianban/contracts/LB-LZ-2024-001").get_data(as_text=True)
    assert "缴款计划" in page and "修改历史" in page and "联系电话录入错误" in page
    assert "第 2 版" in page and "核验此记录" in page
    assert "个人信息（不公开" in page  # the phone changed: said, not shown


def test_no_public_page_shows_personal_data(client, backend, demo):
    with backend.db.read() as session:
        people = session.scalars(select(Contract).where(Contract.lessee_kind == LesseeKind.PERSON)).all()
        numbers = [c.number for c in people]
        names = {c.lessee_name for c in people}
        secrets = {c.lessee_id_number for c in people} | {c.lessee_phone for c in people}
    pages = [client.get("/v/lianban/").get_data(as_text=True)]
    pages += [client.get(f"/v/lianban/contracts/{n}").get_data(as_text=True) for n in numbers]
    for path in ("/v/lianban/audit/entries.jsonl", "/v/lianban/feed.atom", "/v/lianban/arrears",
                 "/v/lianban/receipts", "/v/lianban/parcels", "/v/lianban/map", "/v/lianban/search?q=LB"):
        pages.append(client.get(path).get_data(as_text=True))
    for page in pages:
        assert not ID_NUMBER.search(page)
        assert not MOBILE.search(page)
        assert not any(name in page for name in names)
        assert not any(secret in page for secret in secrets)


def test_unknown_contract_and_village_get_friendly_404(client, demo):
    for url in ("/v/lianban/contracts/NOPE", "/v/nowhere/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "页面不存在" in response.get_data(as_text=True) or "没有" in response.get_data(as_text=True)
