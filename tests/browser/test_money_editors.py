"""A receipt with its scan and a vote with its signed forms, entered by demo-staff on a 375 px
phone, approved by demo-committee, then found on the public site and in the log."""
from __future__ import annotations

import io
import json
import urllib.request

import pytest
from PIL import Image
from selenium.webdriver.support.ui import Select, WebDriverWait

from .conftest import assert_no_horizontal_overflow, console_errors, save_screenshot
from .test_pages import save_full_page

pytestmark = pytest.mark.browser
HEADER = "return document.querySelector('header') ? document.querySelector('header').textContent : ''"
H1 = "return document.querySelector('h1') ? document.querySelector('h1').textContent : ''"


def log_in(driver, base: str, username: str, name: str) -> None:
    driver.get(base + "/login")
    driver.find_element("name", "username").send_keys(username)
    driver.find_element("name", "password").send_keys("demo-2026")
    driver.find_element("css selector", "main button[type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: name in d.execute_script(HEADER))


def log_out(driver) -> None:
    driver.find_element("css selector", "header form button").click()
    WebDriverWait(driver, 10).until(lambda d: "工作人员登录" in d.execute_script(HEADER))


def fill(driver, values: dict[str, str]) -> None:
    for name, value in values.items():
        field = driver.find_element("name", name)
        if field.tag_name == "select":
            Select(field).select_by_value(value)
        else:
            field.clear()
            field.send_keys(value)


def submit(driver, heading: str) -> None:
    driver.find_element("css selector", "button[value=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: heading in d.execute_script(H1))


def looks_right(driver, name: str) -> None:
    assert console_errors(driver) == []
    assert_no_horizontal_overflow(driver)
    save_screenshot(driver, name)  # the viewport: at the #anchor the page was opened at
    save_full_page(driver, name)


def test_a_receipt_and_a_vote_with_their_scans_from_staff_to_the_public_site(browser, live_server, tmp_path):
    scan = tmp_path / "收据.png"
    image = io.BytesIO()
    Image.new("RGB", (600, 800), (250, 245, 230)).save(image, format="PNG")
    scan.write_bytes(image.getvalue())
    forms = tmp_path / "签字表.pdf"
    forms.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

    log_in(browser, live_server, "demo-staff", "演示报账员")
    for url, name in (("/staff/comments/new", "staff-comment-on-behalf"), ("/staff/replies/FA-2026-001/2", "staff-reply")):
        browser.get(live_server + url)
        looks_right(browser, name)
    browser.get(live_server + "/staff/new/receipt")
    fill(browser, {"number": "LB-SK-2026-900", "amount": "¥1,234.50", "received_on": "2026年11月20日",
                   "payer_name": "莲坂农业发展有限公司", "contract_number": "LB-LZ-2024-001", "note": "2026 年度租金"})
    browser.find_element("name", "scan").send_keys(str(scan))
    looks_right(browser, "staff-receipt-form")
    submit(browser, "LB-SK-2026-900")
    assert browser.execute_script("const i = document.querySelector('img.scan'); return i && i.naturalWidth") == 600
    looks_right(browser, "staff-receipt-draft")

    browser.get(live_server + "/staff/new/consent_vote")
    fill(browser, {"plan": "FA-2023-001", "question": "是否同意流转方案（修改稿）的实施细则", "held_on": "2023-10-08",
                   "eligible": "398", "yes": "350", "no": "30", "abstain": "10", "result": "通过"})
    browser.find_element("name", "forms").send_keys(str(forms))
    browser.find_element("css selector", "button[value=save]").click()
    WebDriverWait(browser, 10).until(lambda d: "草稿已保存" in d.page_source)
    browser.find_element("link text", "修改").click()
    WebDriverWait(browser, 10).until(lambda d: "计票核对" in d.page_source)
    assert "87.9%" in browser.page_source
    looks_right(browser, "staff-vote-form")
    submit(browser, "FA-2023-001")

    log_out(browser)
    log_in(browser, live_server, "demo-committee", "演示监委会主任")
    for title in ("LB-SK-2026-900", "同意 350/398（87.9%）"):
        browser.find_element("partial link text", title).click()
        WebDriverWait(browser, 10).until(lambda d: "批准发布" in d.page_source)
        looks_right(browser, "committee-" + ("receipt" if title.startswith("LB") else "vote"))
        browser.find_element("xpath", "//button[text()='批准发布']").click()
        WebDriverWait(browser, 10).until(lambda d: "已批准并发布" in d.page_source)

    browser.get(live_server + "/v/lianban/receipts?year=2026")
    assert "LB-SK-2026-900" in browser.page_source
    browser.get(live_server + "/v/lianban/plans/FA-2023-001#vote-2")
    assert "87.9%" in browser.page_source and "查看扫描件" in browser.page_source  # signed in: the link
    looks_right(browser, "plan-vote-committee")
    log_out(browser)
    browser.get(live_server + "/v/lianban/plans/FA-2023-001#vote-2")
    assert "87.9%" in browser.page_source and "查看扫描件" not in browser.page_source
    looks_right(browser, "plan-vote-public")

    with urllib.request.urlopen(live_server + "/v/lianban/audit/entries.jsonl") as response:
        lines = [json.loads(line) for line in response.read().decode().splitlines()]
    receipt = next(e for e in lines if e["action"] == "receipt.create" and e["data"]["number"] == "LB-SK-2026-900")
    assert receipt["actor"] == "staff:demo-staff+committee:demo-committee" and receipt["data"]["scan_sha256"]
    vote = [e for e in lines if e["action"] == "consent_vote.create"][-1]
    assert vote["data"]["yes"] == 350 and vote["data"]["forms_sha256"]
