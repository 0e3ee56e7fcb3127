"""One lease followed on a phone from its tender notice to a household's dividend line, only by
the links the public pages offer, as a villager would: tender notice → bidders and rounds → award
→ contract → signing record → receipt → ledger income → the year's dividend list → the
household's own line through the check code printed on its payout slip."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from .conftest import assert_no_horizontal_overflow, console_errors, replaced, save_screenshot, serving

pytestmark = pytest.mark.browser


def _follow(driver, css: str, contains: str = "") -> str:
    """Opens the first link matching `css` (whose text holds `contains`); fails if there is none."""
    links = [a for a in driver.find_elements(By.CSS_SELECTOR, css) if contains in a.text]
    assert links, f"no link {css!r} with {contains!r} on {driver.current_url}"
    href = links[0].get_attribute("href")
    driver.get(href)
    assert not console_errors(driver)
    assert_no_horizontal_overflow(driver)
    return href


def _main(driver) -> str:
    return driver.find_element(By.TAG_NAME, "main").text


def test_one_lease_from_tender_notice_to_dividend_line(browser, tmp_path, demo_templates):
    slip: list[str] = []

    def fill(backend):
        from portal.dividends.models import DividendLine

        with backend.db.read() as session:
            line = session.scalar(select(DividendLine).where(DividendLine.household == "LB-H002"))
            slip.extend([line.check_code, line.head_name])

    with serving(tmp_path, fill, demo=demo_templates) as url:
        browser.get(url + "/v/lianban/")
        _follow(browser, "nav.sections a", "招租")
        _follow(browser, "main a[href$='/tenders/ZZ-2023-001']")
        notice = _main(browser)
        assert "底价" in notice and "轮次" in notice
        assert len(browser.find_elements(By.CSS_SELECTOR, "main table tbody tr")) >= 11  # every round
        assert "成交竞买人" in notice and "500.00" in notice
        save_screenshot(browser, "walk-1-tender")

        _follow(browser, "main a[href*='/contracts/']")  # the contract the award gave
        contract = _main(browser)
        assert "莲坂绿源农业发展有限公司" in contract and "ZZ-2023-001" in contract
        contract_url = browser.current_url
        save_screenshot(browser, "walk-2-contract")

        _follow(browser, "main a[href*='/signings/']")
        assert "签约" in _main(browser)
        _follow(browser, "main a[href*='/contracts/']")
        assert browser.current_url == contract_url

        receipts = [a for a in browser.find_elements(By.CSS_SELECTOR, "ul.receipts li")
                    if "2025年" in a.text]
        assert receipts, "no receipt of 2025 on the contract page"
        browser.get(receipts[0].find_element(By.TAG_NAME, "a").get_attribute("href"))
        assert "记入资金账" in _main(browser)
        save_screenshot(browser, "walk-3-receipt")

        _follow(browser, "main a[href*='/ledger/ZJ-']")
        entry = _main(browser)
        assert "租金收入" in entry or "收入" in entry
        _follow(browser, "p.crumbs a[href*='/ledger']")
        assert "对账" in _main(browser)
        save_screenshot(browser, "walk-4-ledger")

        _follow(browser, "p.reconciliation a", "分红")
        assert "分红" in _main(browser) and "LB-H002" in _main(browser)
        _follow(browser, "main a[href$='/dividends/check']")
        browser.find_element(By.ID, "check_code").send_keys(slip[0])
        before = browser.find_element(By.TAG_NAME, "main")
        browser.find_element(By.CSS_SELECTOR, "form.stack button[type=submit]").click()
        WebDriverWait(browser, 10).until(replaced(before))  # the answer's page
        line = _main(browser)
        assert slip[1] in line and "LB-H002" in line
        assert_no_horizontal_overflow(browser)
        save_screenshot(browser, "walk-5-dividend-line")
