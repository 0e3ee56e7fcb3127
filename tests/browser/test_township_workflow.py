"""The township's workflow in a phone-sized headless Chromium: log in, create a village (a
mistake first, shown next to its field), give it a staff account, which then logs in and changes
its password. Screenshots land in screenshots/township-*.png (the README shows them)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from .conftest import assert_no_horizontal_overflow, console_errors, save_screenshot, serving
from .test_pages import save_full_page

pytestmark = pytest.mark.browser
HEADER = "return document.querySelector('header') ? document.querySelector('header').textContent : ''"


@pytest.fixture(scope="module")
def township_server(tmp_path_factory) -> Iterator[str]:
    """A portal of its own (the demo's live server stays untouched): one village, one officer."""
    from portal.accounts.models import Role
    from portal.accounts.services import UserInput, create_user
    from portal.kernel.transaction import SYSTEM
    from portal.villages.services import VillageInput, create_village

    def fill(backend) -> None:
        create_village(backend, SYSTEM, VillageInput("dongcun", "东村", "莲花镇", "同安区"))
        create_user(backend, SYSTEM, UserInput("zhen-li", "李镇干部", "township pass 1", Role.TOWNSHIP))

    with serving(tmp_path_factory.mktemp("township"), fill) as url:
        yield url


def fill(browser, values: dict[str, str]) -> None:
    for name, value in values.items():
        field = browser.find_element("name", name)
        if field.tag_name == "select":
            field.find_element("css selector", f"option[value='{value}']").click()
        else:
            field.clear()
            field.send_keys(value)
    browser.find_element("css selector", "main button[type=submit]").click()


def wait_for(browser, text: str) -> None:
    WebDriverWait(browser, 10).until(lambda d: text in d.execute_script("return document.body.textContent"))


def check_page(browser, name: str) -> None:
    # a refused form answers 400, which Chromium reports; nothing else may be
    assert [e for e in console_errors(browser) if "status of 400" not in e] == []
    assert_no_horizontal_overflow(browser)
    small = browser.execute_script("""
        return [...document.querySelectorAll('main a, main button, main input, main select, nav a')]
          .filter(e => e.offsetParent !== null && e.type !== 'hidden')
          .map(e => [e.textContent.trim().slice(0, 20) || e.name, e.getBoundingClientRect().height])
          .filter(([t, h]) => h < 44);""")
    assert small == [], small
    save_screenshot(browser, f"township-{name}")
    save_full_page(browser, f"township-{name}")


def test_the_township_creates_a_village_and_its_staff_who_then_logs_in(browser, township_server):
    browser.get(township_server + "/login?next=/township/")
    fill(browser, {"username": "zhen-li", "password": "township pass 1"})
    wait_for(browser, "镇工作台")
    check_page(browser, "home")

    browser.get(township_server + "/township/villages/new")
    fill(browser, {"code": "Xi Cun", "name": "西村", "township": "莲花镇"})
    wait_for(browser, "村编码只能用小写字母")
    assert browser.find_element("name", "name").get_attribute("value") == "西村"  # kept
    check_page(browser, "village-error")
    fill(browser, {"code": "xicun"})
    wait_for(browser, "已建立 西村（xicun）")

    browser.get(township_server + "/township/villages/xicun/accounts/new")
    fill(browser, {"username": "xicun-staff", "display_name": "王报账", "role": "staff",
                   "password": "first pass 1", "confirm": "first pass 1"})
    wait_for(browser, "已建立账号 xicun-staff")
    check_page(browser, "home-after")
    browser.get(township_server + "/township/accounts/xicun-staff/disable")
    check_page(browser, "disable")

    browser.delete_all_cookies()
    browser.get(township_server + "/login")
    fill(browser, {"username": "xicun-staff", "password": "first pass 1"})
    WebDriverWait(browser, 10).until(lambda d: "王报账" in d.execute_script(HEADER))
    browser.get(township_server + "/account/password")
    fill(browser, {"old_password": "first pass 1", "new_password": "my own pass 1", "confirm": "my own pass 2"})
    wait_for(browser, "两次输入的新密码不一致")
    check_page(browser, "password-error")
    fill(browser, {"old_password": "first pass 1", "new_password": "my own pass 1", "confirm": "my own pass 1"})
    wait_for(browser, "密码已修改")
    browser.get(township_server + "/township/")
    assert "没有权限" in browser.find_element("tag name", "h1").text
