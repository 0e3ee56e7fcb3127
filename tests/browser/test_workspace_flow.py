"""A staff member and a committee member on their phones: a record drafted, submitted, approved,
then found on the public site and in the log — in headless Chromium at 375×812."""
from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from .conftest import assert_no_horizontal_overflow, console_errors, save_screenshot, serving

pytestmark = pytest.mark.browser
PASSWORD = "demo-2026"


@pytest.fixture(scope="module")
def writable_server(tmp_path_factory, demo_templates) -> Iterator[str]:
    """A demo village of its own, since these tests change it."""
    with serving(tmp_path_factory.mktemp("workspace"), None, demo=demo_templates) as url:
        yield url


def log_in(driver, base: str, username: str) -> None:
    driver.delete_all_cookies()
    driver.get(base + "/login")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form.stack button[type=submit]"))


def click_and_wait(driver, element) -> None:
    """Clicks a link or button and waits until the next page has replaced this one and loaded
    (a mark left on this page's window is gone)."""
    driver.execute_script("window.__before_click = true;")
    element.click()
    WebDriverWait(driver, 15).until(lambda d: d.execute_script(
        "return window.__before_click === undefined && document.readyState === 'complete';"))


def fill(driver, values: dict[str, str]) -> None:
    for name, value in values.items():
        element = driver.find_element(By.NAME, name)
        if element.tag_name == "select":
            element.find_element(By.CSS_SELECTOR, f"option[value='{value}']").click()
        else:
            element.clear()
            element.send_keys(value)


def check_page(driver, name: str) -> None:
    assert console_errors(driver) == []
    assert_no_horizontal_overflow(driver)
    save_screenshot(driver, name)


def approve_latest(driver, base: str, title: str) -> None:
    log_in(driver, base, "demo-committee")
    assert driver.current_url.endswith("/committee/")
    check_page(driver, "workspace-committee-home")
    click_and_wait(driver, driver.find_element(By.PARTIAL_LINK_TEXT, title))
    assert "批准发布" in driver.page_source
    check_page(driver, "workspace-committee-draft")
    click_and_wait(driver, driver.find_element(By.XPATH, "//button[normalize-space()='批准发布']"))
    assert "已批准并发布" in driver.find_element(By.CSS_SELECTOR, ".flash").text


def last_entry(base: str) -> dict:
    with urllib.request.urlopen(base + "/v/lianban/audit/entries.jsonl") as response:
        return json.loads(response.read().decode().strip().splitlines()[-1])


def test_staff_drafts_a_notice_the_committee_approves_it_and_villagers_see_it(browser, writable_server):
    base = writable_server
    log_in(browser, base, "demo-staff")
    assert browser.current_url.endswith("/staff/")
    check_page(browser, "workspace-staff-home")
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, "新建公告"))
    fill(browser, {"number": "GG-2026-101", "title": "东洋埔 3 号地招租公告", "category": "tender",
                   "published_on": "2026年11月24日",
                   "body": "东洋埔 3 号地 12.5 亩对外公开招租。\n底价每亩每年 500 元，保证金 5000 元。"})
    check_page(browser, "workspace-notice-form")
    click_and_wait(browser, browser.find_element(By.XPATH, "//button[@value='submit']"))
    assert "已提交，等待监委会审核" in browser.find_element(By.CSS_SELECTOR, ".flash").text
    check_page(browser, "workspace-notice-submitted")

    approve_latest(browser, base, "东洋埔 3 号地招租公告")

    browser.delete_all_cookies()
    browser.get(base + "/v/lianban/notices/GG-2026-101")
    assert "东洋埔 3 号地招租公告" in browser.find_element(By.TAG_NAME, "h1").text
    assert "保证金 5000 元" in browser.page_source
    check_page(browser, "workspace-notice-public")
    entry = last_entry(base)
    assert (entry["action"], entry["entity_id"] is not None) == ("notice.create", True)
    assert entry["actor"] == "staff:demo-staff+committee:demo-committee"
    assert entry["data"]["title"] == "东洋埔 3 号地招租公告"
