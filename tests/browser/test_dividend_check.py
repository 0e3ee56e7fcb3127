"""A household checks its dividend with the code on its slip, on a phone (a plain form, no script)."""
from __future__ import annotations

import pytest
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from .conftest import assert_no_horizontal_overflow, save_screenshot, serving

pytestmark = pytest.mark.browser


def test_household_types_its_code_and_sees_its_own_line(browser, tmp_path, demo_templates):
    codes: list[str] = []

    def fill(backend):
        from portal.dividends.models import DividendLine

        with backend.db.read() as session:
            line = session.scalar(select(DividendLine).where(DividendLine.household == "LB-H002"))
            codes.extend([line.check_code, line.head_name])

    with serving(tmp_path, fill, demo=demo_templates) as url:
        # a plain form POST: the page has no script of its own
        browser.get(url + "/v/lianban/dividends/check")
        field = browser.find_element("id", "check_code")
        field.send_keys(codes[0][:4] + "-" + codes[0][4:8].lower() + " " + codes[0][8:])
        browser.find_element("css selector", "form.stack button[type=submit]").click()
        WebDriverWait(browser, 60).until(lambda d: d.find_elements("css selector", "section.card"))  # the answer page
        text = browser.find_element("tag name", "main").text
        assert codes[1] in text and "LB-H002" in text and "一致" in text
        assert_no_horizontal_overflow(browser)
        save_screenshot(browser, "dividend-check-found")
        browser.get(url + "/v/lianban/dividends/check")
        browser.find_element("id", "check_code").send_keys("AAAA-BBBB-CCCC")
        browser.find_element("css selector", "form.stack button[type=submit]").click()
        WebDriverWait(browser, 60).until(lambda d: d.find_elements("css selector", "p.error"))
        text = browser.find_element("tag name", "main").text
        assert "没有找到这个核对码" in text and codes[1] not in text
