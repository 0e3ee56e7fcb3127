"""Printed notices: every list and a contract as A4 PDF, read back with poppler and zbar.

The PDFs are fetched through the Flask test client like a villager's phone would, written to
files, and read back: the text (pdftotext), the fonts (pdffonts) and the QR code (pdftoppm +
zbarimg). Most tests run on SQLite only, because rendering is the slow part and does not depend
on the database; one runs on both.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.contracts import reads as contract_reads
from portal.contracts.models import Contract, LesseeKind
from portal.kernel.money import amount_in_words, format_money
from portal.parcels import reads as parcel_reads
from portal.publishing import pdf, pdf_cache, printing
from portal.publishing.formatting import cn_date
from portal.receipts.models import Receipt
from portal.kernel.clock import local_date, utc_now
from tests.test_pdf import CJK_FONT_NAMES

sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

PERSON_CONTRACT = "LB-HT-2016-003"  # a household with arrears: name masked, 大写 of the arrears
ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?![\dXx])")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def today():
    """Today in Beijing, as the pages use it."""
    return local_date(utc_now())


def _tool(name: str) -> str:
    """Path of a command-line tool the read-back needs; skip (fail in CI) when it is missing."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} not found: run scripts/bootstrap --test (installs poppler-utils and zbar-tools)"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return path


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def list_stems(app) -> list[str]:
    """The village's lists that take no other path parameter: contracts, arrears, receipts, …"""
    return sorted(rule.rule.removeprefix("/v/<code>/").removesuffix(".<fmt>")
                  for rule in app.url_map.iter_rules()
                  if rule.rule.startswith("/v/<code>/") and rule.rule.endswith(".<fmt>")
                  and rule.arguments == {"code", "fmt"})


def fetch_pdf(client, url: str, tmp_path: Path) -> Path:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    path = tmp_path / (re.sub(r"[^A-Za-z0-9.-]+", "_", url.strip("/")) + ".pdf")
    path.write_bytes(response.data)
    return path


def pdf_text(pdf: Path) -> str:
    return _run(_tool("pdftotext"), "-enc", "UTF-8", str(pdf), "-")


def flat(text: str) -> str:
    """Text without any whitespace, so phrases split over table lines still match."""
    return re.sub(r"\s+", "", text)


def page_count(pdf: Path) -> int:
    return int(re.search(r"Pages:\s+(\d+)", _run(_tool("pdfinfo"), str(pdf)))[1])


def qr_codes_on_last_page(pdf: Path, tmp_path: Path) -> list[str]:
    """The texts of the QR codes on the last page rendered at 150 dpi."""
    last = str(page_count(pdf))
    stem = tmp_path / f"{pdf.stem}-qr"
    _run(_tool("pdftoppm"), "-r", "150", "-png", "-f", last, "-l", last, "-singlefile", str(pdf), str(stem))
    return _run(_tool("zbarimg"), "--raw", "-q", f"{stem}.png").split()


def qr_on_last_page(pdf: Path, tmp_path: Path) -> str:
    """The text of the page's own QR code (the witness block's other code checks the log)."""
    return next(code for code in qr_codes_on_last_page(pdf, tmp_path) if "/audit/check?" not in code)


def log_state(client) -> tuple[int, str]:
    """(size, base64 root) from the village's signed checkpoint, as any villager can fetch it."""
    lines = client.get("/v/lianban/audit/checkpoint").get_data(as_text=True).splitlines()
    return int(lines[1]), lines[2]


def person_names(backend) -> set[str]:
    """Full names of every person in the demo village: lessees and payers."""
    with backend.db.read() as session:
        names = set(session.scalars(select(Contract.lessee_name).where(Contract.lessee_kind == LesseeKind.PERSON)))
        names |= set(session.scalars(select(Receipt.payer_name).where(Receipt.payer_is_person.is_(True))))
    assert names
    return names


def assert_masked(text: str, names: set[str]) -> None:
    leaked = sorted(name for name in names if name in text or name in flat(text))
    assert not leaked, f"full personal names in a PDF: {leaked}"
    assert not ID_NUMBER.search(text), ID_NUMBER.search(text)[0]
    assert not MOBILE.search(text), MOBILE.search(text)[0]


def assert_witnessed(text: str, client) -> None:
    """The witness block: the log size and root the page was printed at, and when."""
    size, root = log_state(client)
    assert f"审计日志：共{size:,}条" in flat(text)
    assert f"根哈希：{root}" in flat(text)
    assert "打印时间：" in text
    assert "演示数据" in text


def assert_cjk_font_embedded(pdf: Path) -> None:
    listing = _run(_tool("pdffonts"), str(pdf))
    fonts = [(line.split()[0], line.split()[-5]) for line in listing.splitlines()[2:] if len(line.split()) >= 7]
    assert fonts and all(emb == "yes" for _, emb in fonts), listing
    assert any(CJK_FONT_NAMES.search(name) for name, _ in fonts), listing


@sqlite_only
def test_contract_list_pdf_reads_back(client, backend, demo, tmp_path):
    pdf = fetch_pdf(client, "/v/lianban/contracts.pdf", tmp_path)
    text = pdf_text(pdf)
    listing = contract_reads.contracts_listing(backend, "lianban", today())

    assert "莲坂村（演示数据） 合同公开" in text
    assert f"公示日期：{listing.as_of.year}年{listing.as_of.month}月{listing.as_of.day}日" in flat(text)
    for row in listing.rows:  # every row, not one page of them
        assert row["number"] in text
    arrears = Decimal(listing.totals["arrears"])
    assert f"欠缴合计{format_money(arrears)}（{amount_in_words(arrears)}）" in flat(text)
    assert "¥500.00" in text
    assert f"第1页共{page_count(pdf)}页" in flat(text)
    assert_witnessed(text, client)


@sqlite_only
def test_every_list_has_a_pdf_naming_no_person(app, client, backend, demo, tmp_path):
    """Each /v/<code>/<list>.<fmt> route serves .pdf too, with its title and the witness block,
    and no person's name unmasked (the lists name every lessee and payer)."""
    names = person_names(backend)
    stems = list_stems(app)
    assert "contracts" in stems
    for stem in stems:
        html = client.get(f"/v/lianban/{stem}")
        assert b".pdf" in html.data, f"/v/lianban/{stem} offers no PDF download"
        text = pdf_text(fetch_pdf(client, f"/v/lianban/{stem}.pdf", tmp_path))
        assert "莲坂村（演示数据）" in text
        assert_witnessed(text, client)
        assert_masked(text, names)


@pytest.mark.parametrize("database_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)
def test_contract_pdf_reads_back(client, backend, demo, tmp_path):
    detail = contract_reads.contract_detail(backend, "lianban", PERSON_CONTRACT, today())
    pdf = fetch_pdf(client, f"/v/lianban/contracts/{PERSON_CONTRACT}.pdf", tmp_path)
    text = pdf_text(pdf)
    words = flat(text)

    assert detail.contract.title in text
    assert PERSON_CONTRACT in text
    assert detail.contract.lessee_public_name() in text
    assert detail.balance.arrears > 0
    assert f"欠缴合计{format_money(detail.balance.arrears)}（{amount_in_words(detail.balance.arrears)}）" in words
    first_year = detail.contract.schedule()[0].amount
    assert f"第1年{format_money(first_year)}（{amount_in_words(first_year)}）" in words
    assert detail.receipts
    laid_out = _run(_tool("pdftotext"), "-layout", "-enc", "UTF-8", str(pdf), "-").splitlines()
    for receipt in detail.receipts:  # one line each, ruled text (portal/publishing/text_table.py)
        line = next(line for line in laid_out if receipt.number in line)
        assert line.split() == [cn_date(receipt.received_on), receipt.number, format_money(receipt.amount), "有效"]
    assert "逾期" in text
    assert_witnessed(text, client)
    assert_cjk_font_embedded(pdf)


@sqlite_only
def test_qr_code_is_the_pages_own_address(app, client, demo, tmp_path):
    pdf = fetch_pdf(client, "/v/lianban/contracts.pdf?status=active&sort=number&page=2", tmp_path)
    url = "http://127.0.0.1:5000/v/lianban/contracts?status=active&sort=number"  # the page number is not kept
    assert qr_on_last_page(pdf, tmp_path) == url
    assert url in pdf_text(pdf)

    pdf = fetch_pdf(client, f"/v/lianban/contracts/{PERSON_CONTRACT}.pdf", tmp_path)
    assert qr_on_last_page(pdf, tmp_path) == f"http://127.0.0.1:5000/v/lianban/contracts/{PERSON_CONTRACT}"

    app.config["PUBLIC_BASE_URL"] = "https://sanzi.example.cn/"  # behind a proxy: the public name
    pdf = fetch_pdf(client, f"/v/lianban/contracts/{PERSON_CONTRACT}.pdf", tmp_path)
    assert qr_on_last_page(pdf, tmp_path) == f"https://sanzi.example.cn/v/lianban/contracts/{PERSON_CONTRACT}"


@sqlite_only
def test_contract_pdfs_carry_no_personal_data(client, backend, demo, tmp_path):
    names = person_names(backend)
    with backend.db.read() as session:  # contracts use one template: the first, the last and one in arrears
        people = list(session.scalars(select(Contract.number).where(Contract.lessee_kind == LesseeKind.PERSON)
                                      .order_by(Contract.number)))
    for number in {people[0], people[-1], PERSON_CONTRACT}:
        assert_masked(pdf_text(fetch_pdf(client, f"/v/lianban/contracts/{number}.pdf", tmp_path)), names)


def _render_forbidden(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("render_pdf called: the PDF should have come from the cache")

    monkeypatch.setattr(pdf, "render_pdf", refuse)


@sqlite_only
@pytest.mark.parametrize("url", ["/v/lianban/contracts.pdf", f"/v/lianban/contracts/{PERSON_CONTRACT}.pdf"])
def test_second_request_is_served_from_the_cache(client, demo, monkeypatch, url):
    started = time.perf_counter()
    first = client.get(url)
    rendered = time.perf_counter() - started
    _render_forbidden(monkeypatch)
    started = time.perf_counter()
    second = client.get(url)
    cached = time.perf_counter() - started
    print(f"\n{url}: first {rendered * 1000:.0f} ms (rendered), second {cached * 1000:.0f} ms (cache), "
          f"{len(first.data)} bytes")

    assert second.status_code == 200 and second.data == first.data
    assert second.headers["ETag"] == first.headers["ETag"]
    assert "no-cache" in second.headers["Cache-Control"]
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.data


@sqlite_only
def test_unchanged_contract_keeps_its_printed_copy_while_the_log_grows(client, backend, demo, monkeypatch):
    from portal.kernel.transaction import Actor
    from portal.receipts.services import ReceiptInput, record_receipt

    url = f"/v/lianban/contracts/{PERSON_CONTRACT}.pdf"
    first = client.get(url).data
    list_first = client.get("/v/lianban/contracts.pdf").data
    staff = Actor("demo-staff", "staff", village="lianban")
    record_receipt(backend, staff, "lianban", ReceiptInput(  # another contract's receipt grows the log
        number="SK-TEST-0001", amount="100.00", received_on=today(), payer_name="莲花山茶业有限公司",
        contract_number="LB-LZ-2024-005"))

    calls = []
    real = pdf.render_pdf
    monkeypatch.setattr(pdf, "render_pdf", lambda html, **kw: calls.append(1) or real(html, **kw))
    assert client.get(url).data == first  # same record version: the copy printed at the old checkpoint
    assert not calls
    assert client.get("/v/lianban/contracts.pdf").data != list_first  # the list is keyed by the log
    assert calls == [1]

    record_receipt(backend, staff, "lianban", ReceiptInput(  # a payment on this contract changes it
        number="SK-TEST-0002", amount="100.00", received_on=today(), payer_name="测试",
        payer_is_person=True, contract_number=PERSON_CONTRACT))
    assert client.get(url).data != first
    assert calls == [1, 1]


@sqlite_only
@pytest.mark.parametrize("query", ["", "?sheet=qr"])
def test_a_printed_contract_is_found_without_loading_its_page(client, demo, monkeypatch, query):
    """A copy already printed is found from the contract's version and its receipts' alone: the
    schedule, receipts, history and proof of its page are not read again."""
    url = f"/v/lianban/contracts/{PERSON_CONTRACT}.pdf{query}"
    first = client.get(url)
    assert first.status_code == 200

    def refuse(*args, **kwargs):
        raise AssertionError("contract_detail called: the stamp should have found the printed copy")

    monkeypatch.setattr(contract_reads, "contract_detail", refuse)
    second = client.get(url)
    assert second.status_code == 200 and second.data == first.data
    assert second.headers["Content-Disposition"] == first.headers["Content-Disposition"]


def test_cache_prunes_least_recently_used_files(tmp_path):
    cache = pdf_cache.PdfCache(tmp_path / "pdf-cache", max_bytes=2500)
    for n in range(3):
        cache.put(("k", n), bytes(1000))
        os.utime(cache.path(("k", n)), (n, n))
    assert cache.get(("k", 0)) is None  # oldest went when the third pushed past the cap
    assert cache.get(("k", 2)) == bytes(1000)
    assert not list((tmp_path / "pdf-cache").glob("*.tmp"))


@sqlite_only
def test_unknown_contract_pdf_is_a_friendly_404(client, village):
    response = client.get(f"/v/{village}/contracts/NO-SUCH.pdf")
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)


@sqlite_only
def test_chinese_file_name_is_sent_safely(app):
    with app.test_request_context("/v/testcun/contracts/合同一.pdf"):
        response = printing.pdf_response(b"%PDF-1.7", "testcun-合同一-v1.pdf")
    disposition = response.headers["Content-Disposition"]
    assert disposition.isascii() and "filename*=UTF-8''testcun-%E5%90%88" in disposition


# ── notices, plans and parcels: the same printed sheet as a contract ────────────────────────

NOTICE = "GG-2024-002"  # corrected once: version 2, with the reason
PLAN = "FA-2023-001"    # revised, commented, replied, voted on and adopted
PARCEL = "LB-001"       # surveyed, under a household contract long ago and a company's now


def _record_pdf_text(client, tmp_path, url: str, page: str) -> tuple[Path, str]:
    """The record's PDF, its text, and that its QR code leads to the record's page."""
    pdf = fetch_pdf(client, url, tmp_path)
    assert qr_on_last_page(pdf, tmp_path) == f"http://127.0.0.1:5000{page}"
    text = pdf_text(pdf)
    assert "审计日志" in text and f"http://127.0.0.1:5000{page}" in text
    assert_witnessed(text, client)
    assert f"第1页共{page_count(pdf)}页" in flat(text)
    return pdf, text


@sqlite_only
def test_notice_pdf_reads_back(client, backend, demo, tmp_path):
    from portal.notices import reads as notice_reads

    detail = notice_reads.notice_detail(backend, "lianban", NOTICE)
    page = f"/v/lianban/notices/{NOTICE}"
    assert f"{page}.pdf" in client.get(page).get_data(as_text=True)
    pdf, text = _record_pdf_text(client, tmp_path, f"{page}.pdf", page)
    words = flat(text)

    assert detail.notice.title in text and NOTICE in text and "财务公开" in text
    assert "发布日期：2024年4月10日" in words
    for line in detail.notice.body.splitlines():  # the full text, line by line as written
        assert flat(line) in words
    assert "3. 上级补助：35,000.00元\n" in text  # a line of its own, the corrected amount
    assert "第2版" in words and "上级补助金额录入错误，按记账凭证更正" in words
    assert_cjk_font_embedded(pdf)


@sqlite_only
def test_plan_pdf_reads_back_with_masked_commenters(client, backend, demo, tmp_path):
    from portal.plans import reads as plan_reads
    from portal.plans.models import PlanComment

    detail = plan_reads.plan_detail(backend, "lianban", PLAN, today())
    page = f"/v/lianban/plans/{PLAN}"
    assert f"{page}.pdf" in client.get(page).get_data(as_text=True)
    pdf, text = _record_pdf_text(client, tmp_path, f"{page}.pdf", page)
    words = flat(text)

    # adopted: the sheet's title no longer calls it a draft (征求意见稿), whatever the logged title says
    assert flat(detail.plan.shown_title) in words and PLAN in text and "征求意见稿" not in detail.plan.shown_title
    assert "征求意见期2023年8月1日至2023年9月20日" in words and "已通过" in text
    for line in detail.plan.body.splitlines():  # the current (revised) text in full
        assert flat(line) in words
    assert len(detail.comments) == 7
    for comment, _ in detail.comments:
        assert flat(comment.body) in words and flat(comment.reply) in words
        assert comment.commenter_public_name in text
    vote = detail.votes[0][0]
    for count in (vote.yes_count, vote.no_count, vote.abstain_count, vote.not_voted):
        assert f"{count}人{vote.share(count)}%" in words
    assert "同意41人91.1%" in words
    with backend.db.read() as session:
        names = set(session.scalars(select(PlanComment.commenter_name)))
    assert names and not [name for name in names if name in text or name in words]


@sqlite_only
def test_parcel_pdf_reads_back_with_outline_and_contracts(client, backend, demo, tmp_path):
    detail = parcel_reads.parcel_detail(backend, "lianban", PARCEL, today())
    page = f"/v/lianban/parcels/{PARCEL}"
    assert f"{page}.pdf" in client.get(page).get_data(as_text=True)
    pdf, text = _record_pdf_text(client, tmp_path, f"{page}.pdf", page)
    words = flat(text)

    assert flat(f"{PARCEL} {detail.asset.name}") in words and "已出租" in text
    assert "边界示意" in text and "上为北" in text
    assert len(detail.contracts) >= 2
    for contract in detail.contracts:
        assert contract.number in text and flat(contract.lessee_public_name()) in words
    assert "已到期" in text and "履行中" in text
    assert_masked(text, person_names(backend))

    shop = pdf_text(fetch_pdf(client, "/v/lianban/parcels/LB-F01.pdf", tmp_path))  # no outline surveyed
    assert "村部临街店面一号" in shop and "85.50" in shop and "边界示意" not in shop


@sqlite_only
@pytest.mark.parametrize("url", [f"/v/lianban/notices/{NOTICE}.pdf", f"/v/lianban/plans/{PLAN}.pdf",
                                 f"/v/lianban/parcels/{PARCEL}.pdf"])
def test_record_pdfs_are_served_from_the_cache(client, demo, monkeypatch, url):
    first = client.get(url)
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    _render_forbidden(monkeypatch)
    second = client.get(url)
    assert second.status_code == 200 and second.data == first.data
    assert second.headers["ETag"] == first.headers["ETag"]


@sqlite_only
def test_a_new_comment_renders_the_plan_pdf_again(client, backend, demo, monkeypatch):
    from portal.kernel.transaction import Actor
    from portal.plans.models import Plan
    from portal.plans.services import CommentInput, add_comment

    with backend.db.read() as session:  # the demo year's plan, open for comments
        number = session.scalars(select(Plan.number).where(Plan.number != PLAN)).one()
    url = f"/v/lianban/plans/{number}.pdf"
    first = client.get(url).data
    notice_first = client.get(f"/v/lianban/notices/{NOTICE}.pdf").data
    add_comment(backend, Actor("demo-villager", "villager"), "lianban", number, CommentInput(
        commenter_name="测试人", group_name="第一村民小组", body="打印测试意见", submitted_on=today()))
    calls = []
    real = pdf.render_pdf
    monkeypatch.setattr(pdf, "render_pdf", lambda html, **kw: calls.append(1) or real(html, **kw))
    assert client.get(f"/v/lianban/notices/{NOTICE}.pdf").data == notice_first  # unchanged notice: cached
    assert not calls
    assert client.get(url).data != first  # the plan's page shows the new comment
    assert calls == [1]


@sqlite_only
@pytest.mark.parametrize("kind", ["contracts", "notices", "plans", "parcels"])
def test_unknown_record_pdf_is_a_friendly_404(client, village, kind):
    response = client.get(f"/v/{village}/{kind}/NO-SUCH.pdf")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "页面不存在" in page and "NO-SUCH" in page and "Traceback" not in page
    assert client.get(f"/v/nowhere/{kind}/NO-SUCH.pdf").status_code == 404
