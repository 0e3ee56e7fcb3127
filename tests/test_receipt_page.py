"""A receipt's own page (/v/<code>/receipts/<number>): what was paid, when and by whom (masked),
every correction and the withdrawal with its reason, the in-browser check, and the links to it
from the receipt list, the contract, search and "最新变动"."""
from __future__ import annotations

import re

from portal.contracts.services import create_contract
from portal.receipts.services import correct_receipt, record_receipt, withdraw_receipt

from .conftest import STAFF
from .test_receipt_and_asset_services import receipt


def _history(page: str) -> str:
    return page.split('<h2 id="history">')[1].split("</ol>")[0]


def test_a_receipt_page_shows_its_facts_in_plain_words_and_the_check(client, backend, village, contract_input):
    create_contract(backend, STAFF, village, contract_input())
    record_receipt(backend, STAFF, village, receipt(note="2024 年租金"))
    response = client.get("/v/testcun/receipts/SK-1")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    summary = re.search(r'<p class="summary"[^>]*>(.*?)</p>', page, re.S).group(1)
    assert "测试农业有限公司" in summary and "¥5,000.00" in summary and "2024年1月5日" in summary
    assert 'href="/v/testcun/contracts/HT-001"' in page and "2024 年租金" in page
    assert "核验此记录" in page and 'id="browser-verify"' in page and "/v/testcun/audit/bundle/" in page
    assert "static/verify.js" in page and "<del>" not in page


def test_a_corrected_then_withdrawn_receipt_shows_both_reasons_and_is_struck_through(
        client, backend, village, contract_input):
    create_contract(backend, STAFF, village, contract_input())
    record_receipt(backend, STAFF, village, receipt())
    correct_receipt(backend, STAFF, village, "SK-1", receipt(amount="4000.00"), "金额录入错误")
    withdraw_receipt(backend, STAFF, village, "SK-1", "款项已退回")
    page = client.get("/v/testcun/receipts/SK-1").get_data(as_text=True)
    history = _history(page)
    assert "金额录入错误" in history and "款项已退回" in history
    assert history.index("款项已退回") < history.index("金额录入错误")  # newest first
    assert "¥5,000.00" in history or "5000.00" in history  # the old amount, shown as changed
    assert "此收据已撤回" in page and re.search(r"<del><span class=\"nw\">¥4,000.00</span></del>", page)
    listing = client.get("/v/testcun/receipts").get_data(as_text=True)
    assert 'href="/v/testcun/receipts/SK-1"' in listing
    assert re.search(r"<del><span class=\"nw\">¥4,000.00</span></del>", listing)
    contract = client.get("/v/testcun/contracts/HT-001").get_data(as_text=True)
    assert 'href="/v/testcun/receipts/SK-1"' in contract and "<del>" in contract


def test_a_persons_receipt_page_never_shows_the_full_name(client, backend, village, contract_input):
    create_contract(backend, STAFF, village, contract_input())
    record_receipt(backend, STAFF, village, receipt(payer_name="周建珠", payer_is_person=True))
    page = client.get("/v/testcun/receipts/SK-1").get_data(as_text=True)
    assert "周建珠" not in page and "周*珠" in page


def test_search_and_news_link_to_the_receipt_page_with_amount_and_date(client, backend, village, contract_input):
    create_contract(backend, STAFF, village, contract_input())
    record_receipt(backend, STAFF, village, receipt())
    found = client.get("/v/testcun/search?q=SK-1").get_data(as_text=True)
    hit = found.split('<ul class="records">')[1].split("</ul>")[0]
    assert 'href="/v/testcun/receipts/SK-1"' in hit and "¥5,000.00" in hit and "2024年1月5日" in hit
    home = client.get("/v/testcun/").get_data(as_text=True)
    news = home.split('<ol class="news">')[1].split("</ol>")[0]
    assert 'href="/v/testcun/receipts/SK-1"' in news
    assert "东洋1号地租赁合同" in news  # what a change is about, not only its code


def test_an_unknown_receipt_is_a_404_in_words(client, village):
    response = client.get("/v/testcun/receipts/SK-404")
    assert response.status_code == 404 and "SK-404" in response.get_data(as_text=True)


def test_receipt_page_in_english(client, backend, village, contract_input):
    create_contract(backend, STAFF, village, contract_input())
    record_receipt(backend, STAFF, village, receipt())
    page = client.get("/v/testcun/receipts/SK-1?lang=en").get_data(as_text=True)
    main = page.split("<main>")[1].split("</main>")[0]
    assert 'lang="en"' in page and "Receipt" in main and "5 Jan 2024" in main
