"""Search, statistics, the Atom feed, conditional GET, 长辈版 and the language switch."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from portal.receipts.services import ReceiptInput, record_receipt

from .conftest import DEMO_STAFF

ATOM = "{http://www.w3.org/2005/Atom}"


def test_search_finds_contract_numbers_lessees_and_parcels(client, demo):
    page = client.get("/v/lianban/search?q=LB-LZ-2024-003").get_data(as_text=True)
    assert "/v/lianban/contracts/LB-LZ-2024-003" in page
    page = client.get("/v/lianban/search?q=茶业").get_data(as_text=True)
    assert "莲花山茶业有限公司" in page


def test_search_cannot_find_a_person_by_full_name(client, backend, demo):
    from sqlalchemy import select

    from portal.contracts.models import Contract, LesseeKind

    with backend.db.read() as session:
        person = session.scalars(select(Contract).where(Contract.lessee_kind == LesseeKind.PERSON)).first()
    page = client.get(f"/v/lianban/search?q={person.lessee_name}").get_data(as_text=True)
    assert "找到 0 条记录" in page
    assert "周*珠" in page  # the hint: names are masked, search the masked form


def test_too_long_search_is_a_friendly_400(client, demo):
    assert client.get("/v/lianban/search?q=" + "字" * 51).status_code == 400


def test_home_search_filters_villages(client, demo):
    assert "莲坂村" in client.get("/?q=莲花镇").get_data(as_text=True)
    assert "莲坂村" not in client.get("/?q=不存在").get_data(as_text=True)


def test_stats_count_published_items_and_visits_without_cookies(client, demo):
    for _ in range(3):
        client.get("/v/lianban/contracts")
    response = client.get("/v/lianban/stats")
    page = response.get_data(as_text=True)
    assert "合同：27 条" in page and "页面访问" in page
    size = int(client.get("/v/lianban/audit/checkpoint").get_data(as_text=True).splitlines()[1])
    assert size >= 1000 and f"审计日志</dt><dd>{size:,} 条" in page  # grouped as the notices print it
    assert "1 次" in page  # three views of one list by one client; this page counts once it is answered
    assert "Set-Cookie" not in response.headers


def test_feed_is_valid_atom_with_newest_change_first(client, demo):
    response = client.get("/v/lianban/feed.atom")
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 50
    updated = [e.find(f"{ATOM}updated").text for e in entries]
    assert updated == sorted(updated, reverse=True)
    withdrawal = next(e for e in entries if "SK-DUP-0001" in e.find(f"{ATOM}title").text
                      and "撤回" in e.find(f"{ATOM}title").text)
    assert "同一笔款项重复录入" in withdrawal.find(f"{ATOM}content").text


def test_unchanged_page_costs_a_304_and_a_change_makes_it_fresh(client, backend, demo):
    first = client.get("/v/lianban/arrears")
    etag = first.headers["ETag"]
    assert client.get("/v/lianban/arrears", headers={"If-None-Match": etag}).status_code == 304
    record_receipt(backend, DEMO_STAFF, "lianban", ReceiptInput(
        number="SK-NEW", amount="1.00", received_on="2026-11-20", payer_name="莲花山茶业有限公司"))
    fresh = client.get("/v/lianban/arrears", headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.headers["ETag"] != etag


def test_large_text_switch_works_without_javascript(client, demo):
    response = client.get("/prefs/large-text?on=1&next=/v/lianban/")
    assert response.status_code == 302 and response.headers["Location"] == "/v/lianban/"
    assert 'class="large-text"' in client.get("/v/lianban/").get_data(as_text=True)
    client.get("/prefs/large-text?on=0&next=//evil.example/")
    assert 'class="large-text"' not in client.get("/v/lianban/").get_data(as_text=True)


def test_language_switch_goes_back_to_the_same_page(client, demo):
    response = client.get("/prefs/lang/en?next=/v/lianban/contracts")
    assert response.headers["Location"] == "/v/lianban/contracts"
    assert 'lang="en"' in client.get("/v/lianban/contracts").get_data(as_text=True)
    assert client.get("/prefs/lang/fr").status_code == 404


def test_list_pages_are_gzipped_and_small(client, demo):
    import gzip

    response = client.get("/v/lianban/contracts", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in response.headers["Vary"]
    assert "合同公开" in gzip.decompress(response.data).decode("utf-8")
    css = client.get("/static/portal.css", headers={"Accept-Encoding": "gzip"})
    assert len(response.data) + len(css.data) < 50 * 1024
    assert client.get("/v/lianban/contracts").headers.get("Content-Encoding") is None


def test_a_body_compressed_again_is_the_same_gzip_of_each_page(app, client, demo):
    import gzip

    app.config["PAGE_CACHE"] = False  # every request renders and compresses (or reuses) anew
    for url in ("/v/lianban/contracts", "/v/lianban/receipts", "/v/lianban/contracts", "/v/lianban/receipts"):
        packed = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert packed.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(packed.data) == client.get(url).data


def test_a_cached_page_is_replaced_as_soon_as_the_log_moves(client, backend, demo):
    before = client.get("/v/lianban/receipts?year=2026").get_data(as_text=True)
    assert client.get("/v/lianban/receipts?year=2026").get_data(as_text=True) == before  # served again
    record_receipt(backend, DEMO_STAFF, "lianban", ReceiptInput(
        number="SK-CACHE-1", amount="12.34", received_on="2026-11-21", payer_name="莲花山茶业有限公司"))
    after = client.get("/v/lianban/receipts?year=2026").get_data(as_text=True)
    assert "SK-CACHE-1" in after and "SK-CACHE-1" not in before


def test_pages_of_a_logged_in_user_are_not_served_to_others(app, demo):
    staff, anonymous = app.test_client(), app.test_client()
    staff.post("/login", data={"username": "demo-staff", "password": "demo-2026"})
    assert "演示报账员" in staff.get("/v/lianban/arrears").get_data(as_text=True)
    assert "演示报账员" not in anonymous.get("/v/lianban/arrears").get_data(as_text=True)
    assert "演示报账员" in staff.get("/v/lianban/arrears").get_data(as_text=True)
