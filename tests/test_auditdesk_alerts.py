"""告警 on the committee's desk: each kind found on the demo village (and on what a test adds),
each linked to its record; own village and committee only; a fixed number of statements."""
from __future__ import annotations

import re

import pytest

from portal.receipts.services import ReceiptInput, correct_receipt, record_receipt

from .conftest import DEMO_STAFF
from .test_auditdesk_log import login, page
from .test_query_counts import counting


def section(html: str, kind: str) -> str:
    return html.split(f'<section aria-labelledby="{kind}">', 1)[1].split("</section>", 1)[0]


def total(html: str, kind: str) -> int:
    return int(re.search(r"（(\d+)）</h2>", section(html, kind)).group(1))


def test_every_kind_of_alert_is_found_and_linked(client, backend, demo):
    receipt = ReceiptInput(number="SK-ALERT-1", amount="800.00", received_on="2010-03-01", payer_name="测试付款人",
                           contract_number="LB-HT-2016-017", note="补录")
    record_receipt(backend, DEMO_STAFF, demo, receipt)
    receipt.amount, receipt.received_on = "80.00", "2010-03-01"
    correct_receipt(backend, DEMO_STAFF, demo, "SK-ALERT-1", receipt, "金额多写了一个零")
    login(client, "demo-committee")
    html = page(client, "/committee/alerts")
    assert total(html, "expiring") >= 1 and "/v/lianban/contracts/" in section(html, "expiring")
    overdue = section(html, "overdue")
    assert "LB-HT-2016-017" in overdue and 'href="/v/lianban/contracts/LB-HT-2016-017"' in overdue
    receipts = section(html, "receipts")
    assert "SK-ALERT-1" in receipts and "不在合同 LB-HT-2016-017 的期限" in receipts
    assert 'href="/v/lianban/receipts/SK-ALERT-1"' in receipts
    corrected = section(html, "corrected")
    assert "SK-ALERT-1" in corrected and "800.00 → 80.00" in corrected and "金额多写了一个零" in corrected
    backdated = section(html, "backdated")
    assert total(html, "backdated") > 0 and "/v/lianban/receipts/" in backdated
    bursts = section(html, "bursts")  # the demo was entered in one go
    assert "demo-staff" in bursts and "/committee/log?actor=demo-staff" in bursts
    burst_link = re.search(r'href="(/committee/log\?actor=demo-staff[^"]*)"', bursts).group(1).replace("&amp;", "&")
    assert "符合条件的" in page(client, burst_link)
    home = page(client, "/committee/")
    assert "逾期未缴的租金" in home and "/committee/alerts" in home


@pytest.mark.parametrize("username", ["demo-staff", "demo-township"])
def test_alerts_are_for_committee_members_only(client, demo, username):
    login(client, username)
    assert client.get("/committee/alerts").status_code == 403


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_alerts_page_costs_a_fixed_number_of_statements(client, backend, demo):
    login(client, "demo-committee")
    page(client, "/committee/alerts")
    with counting(backend.db.engine) as before:
        page(client, "/committee/alerts")
    for i in range(5):
        record_receipt(backend, DEMO_STAFF, demo, ReceiptInput(
            number=f"SK-Q-{i}", amount="10.00", received_on="2012-01-01", payer_name="测试",
            contract_number="LB-HT-2016-017"))
    with counting(backend.db.engine) as after:
        page(client, "/committee/alerts")
    assert len(after) == len(before) <= 20, after
