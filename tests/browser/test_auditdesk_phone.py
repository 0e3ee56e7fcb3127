"""The committee's desk and the findings pages on a phone (375×812): demo-committee opens the log,
the alerts, verifies now, records a finding and starts its fix; nothing overflows sideways."""
from __future__ import annotations

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from .conftest import assert_no_horizontal_overflow, console_errors, replaced, save_screenshot
from .test_contract_editing import login
from .test_pages import save_full_page

pytestmark = pytest.mark.browser
MAIN = "return document.querySelector('main') ? document.querySelector('main').textContent : ''"

DESK_PAGES = {"desk-home": "/committee/", "desk-log": "/committee/log", "desk-alerts": "/committee/alerts",
              "desk-findings": "/committee/findings/"}


def test_the_desk_and_findings_fit_a_phone(browser, live_server):
    login(browser, live_server, "demo-committee")
    for name, path in DESK_PAGES.items():
        browser.get(live_server + path)
        assert browser.find_element("tag name", "h1").text
        assert_no_horizontal_overflow(browser)
        save_screenshot(browser, name)
        save_full_page(browser, name)
    browser.get(live_server + "/committee/integrity")
    verify_now = browser.find_element("css selector", "main form button[type=submit]")
    verify_now.click()
    # the page before the click may already say 核验通过 (an earlier run): wait for the new page
    WebDriverWait(browser, 60).until(replaced(verify_now))
    WebDriverWait(browser, 60).until(lambda d: "核验通过" in d.execute_script(MAIN))
    assert_no_horizontal_overflow(browser)
    save_full_page(browser, "desk-integrity")

    browser.get(live_server + "/committee/findings/")
    for name, value in {"title": "公开栏收款凭证缺页", "description": "2025 年第三季度的收款凭证没有张贴。",
                        "records": "SK-2016-0017", "responsible": "报账员", "due_on": "2030-12-31"}.items():
        browser.find_element("name", name).send_keys(value)
    browser.find_element("css selector", "main form.stack button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda d: "/committee/findings/ZG-" in d.current_url)
    number = browser.current_url.rsplit("/", 1)[1]
    browser.find_element("name", "reason").send_keys("报账员已补贴凭证，监委会下周查看")
    browser.find_element("css selector", "main form.stack button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda d: "整改中" in d.execute_script(MAIN))
    assert_no_horizontal_overflow(browser)
    save_full_page(browser, "desk-finding")

    browser.delete_all_cookies()
    for name, path in {"findings": "/v/lianban/findings", "finding": f"/v/lianban/findings/{number}"}.items():
        browser.get(live_server + path)
        assert "整改" in browser.find_element("tag name", "main").text
        assert_no_horizontal_overflow(browser)
        assert console_errors(browser) == []
        save_full_page(browser, name)


# Every English word in the log's change tables that the browser split over two lines (not in
# a .token: a SHA-256 may break anywhere).
BROKEN_WORDS = """
const broken = [];
for (const cell of document.querySelectorAll('table.changes th, table.changes td')) {
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest('.token')) continue;  // a hash may break anywhere
    for (const word of node.data.matchAll(/[A-Za-z]{2,20}/g)) {
      const range = document.createRange();
      range.setStart(node, word.index);
      range.setEnd(node, word.index + word[0].length);
      const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (tops.size > 1) broken.push(word[0]);
    }
  }
}
return broken;"""


def test_the_log_in_english_breaks_no_word_on_a_phone(browser, live_server):
    """The change tables' columns are as wide as their words: "Landmark 7: Category", not
    "Landmar|k 7" (which a fixed layout of three equal columns did on a 375 px screen)."""
    login(browser, live_server, "demo-committee")
    browser.get(live_server + "/committee/log?lang=en")
    assert browser.find_element("tag name", "h1").text == "Audit log"
    assert "Landmark 7: Category" in browser.find_element("tag name", "main").text
    assert_no_horizontal_overflow(browser)
    broken = browser.execute_script(BROKEN_WORDS)
    assert broken == [], broken
    save_full_page(browser, "desk-log-en")
    # 长辈版: three columns of whole words no longer fit; a correction's rows stack (原值 over 新值)
    browser.get(live_server + "/prefs/large-text?on=1&next=/committee/log")
    assert "large-text" in browser.find_element("tag name", "html").get_attribute("class")
    assert_no_horizontal_overflow(browser)
    broken = browser.execute_script(BROKEN_WORDS)
    assert broken == [], broken
    save_full_page(browser, "desk-log-en-large")
    browser.get(live_server + "/prefs/large-text?on=0&next=/committee/log?lang=zh")  # as the next test reads
