"""A villager files a complaint about a contract on a phone, demo-committee assigns and answers it,
and the villager reads the answer by the tracking code and says it is resolved — headless
Chromium at 375×812, screenshots of every page."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from selenium.webdriver.common.by import By

from .conftest import serving
from .test_workspace_flow import check_page, click_and_wait, fill, log_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_templates) -> Iterator[str]:
    """A demo village of its own, since this test files and answers a complaint."""
    with serving(tmp_path_factory.mktemp("complaints"), None, demo=demo_templates) as url:
        yield url


def test_a_villager_files_a_complaint_the_committee_answers_and_the_villager_reads_it(browser, server):
    base = server
    browser.delete_all_cookies()
    browser.get(base + "/v/lianban/contracts/LB-LZ-2024-002")
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, "我要反映问题/投诉"))
    assert "合同 LB-LZ-2024-002" in browser.page_source
    check_page(browser, "complaint-new")
    fill(browser, {"body": "第二片区承租公司在机耕路上堆放农资，拖拉机过不去，请督促清理。", "name": "陈美玲",
                   "phone": "13900001111"})
    click_and_wait(browser, browser.find_element(By.XPATH, "//button[normalize-space()='提交']"))
    code = browser.find_element(By.CSS_SELECTOR, ".tracking").text
    tracking_page = browser.current_url
    assert tracking_page.endswith("/v/lianban/complaints/" + code)
    assert "陈*玲" in browser.page_source and "13900001111" not in browser.page_source
    check_page(browser, "complaint-tracking-filed")

    log_in(browser, base, "demo-committee")
    check_page(browser, "complaint-committee-home")
    click_and_wait(browser, browser.find_element(By.PARTIAL_LINK_TEXT, "第二片区承租公司"))
    assert "13900001111" in browser.page_source  # the committee sees how to call back
    fill(browser, {"assignee": "demo-committee"})
    click_and_wait(browser, browser.find_element(By.XPATH, "//button[normalize-space()='分派']"))
    fill(browser, {"reply": "监委会已联系承租公司，农资已于当日清走，机耕路已畅通。"})
    check_page(browser, "complaint-committee-answer")
    click_and_wait(browser, browser.find_element(By.XPATH, "//button[normalize-space()='公开答复']"))
    assert "答复已公开" in browser.find_element(By.CSS_SELECTOR, ".flash").text

    browser.delete_all_cookies()
    browser.get(base + "/v/lianban/complaints")
    fill(browser, {"tracking": code.replace("-", "").lower()})
    click_and_wait(browser, browser.find_element(By.XPATH, "//button[normalize-space()='查看']"))
    assert browser.current_url == tracking_page
    assert "机耕路已畅通" in browser.page_source and "监委会成员" in browser.page_source
    check_page(browser, "complaint-tracking-answered")
    browser.find_element(By.CSS_SELECTOR, "input[name=resolved][value=yes]").click()
    click_and_wait(browser, browser.find_element(By.XPATH, "//form[contains(@action, 'verdict')]//button"))
    assert "已解决" in browser.find_element(By.CSS_SELECTOR, ".badge").text
    check_page(browser, "complaint-tracking-resolved")
    browser.get(base + "/v/lianban/complaints")
    assert "机耕路已畅通" in browser.page_source and code not in browser.page_source
    check_page(browser, "complaints-public-list")
