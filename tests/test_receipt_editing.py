"""Receipts entered in the staff workspace: the form, its scan upload kept with the draft, approval,
correction and withdrawal. Driven through the Flask test client on SQLite and PostgreSQL."""
from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
from types import SimpleNamespace

import pytest
from PIL import Image
from sqlalchemy import select

from portal.auditlog.files import MAX_FILE_BYTES
from portal.contracts.services import create_contract
from portal.drafts.models import Draft, DraftState
from portal.receipts.models import Receipt
from tests.conftest import STAFF
from tests.test_workspace import count, log_entries, login, only_draft, people  # noqa: F401  (fixture)

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
RECEIPT = {"number": "SK-2026-001", "amount": "¥1,234.50", "received_on": "2026年11月20日",
           "payer_name": "测试农业有限公司", "contract_number": "HT-001", "note": "2026 年度租金"}


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 60), (200, 180, 120)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def contract(backend, people, contract_input):
    create_contract(backend, STAFF, people, contract_input())
    return "HT-001"


def send(client, url="/staff/new/receipt", *, scan=None, action="submit", **changes):
    data = {**RECEIPT, **changes, "action": action}
    if scan is not None:
        data["scan"] = (io.BytesIO(scan[1]), scan[0])
    return client.post(url, data=data, content_type="multipart/form-data")


def field_error(page: str, field: str) -> str:
    found = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', page)
    return found.group(1) if found else ""


def approve(client, backend, draft_id):
    """Approves the draft as testcun's committee member; the log entry it made, as JSON."""
    login(client, "cun-committee")
    assert client.post(f"/committee/drafts/{draft_id}/approve").status_code == 302
    return SimpleNamespace(**json.loads(log_entries(backend, "testcun")[-1].line))


def test_a_receipt_with_its_scan_goes_from_draft_to_the_public_list_and_the_log(client, backend, contract):
    image = png()
    login(client, "cun-staff")
    form = client.get("/staff/new/receipt").get_data(as_text=True)
    assert '<option value="HT-001">HT-001 东洋1号地租赁合同</option>' in form and 'type="file"' in form
    assert send(client, scan=("收据.png", image)).status_code == 302
    draft = only_draft(backend)
    assert draft.state is DraftState.SUBMITTED and draft.fields["scan"] == hashlib.sha256(image).hexdigest()
    assert draft.title == "SK-2026-001 · 测试农业有限公司 · 1,234.50 元"
    assert count(backend, Receipt) == 0

    page = client.get(f"/staff/drafts/{draft.id}").get_data(as_text=True)
    assert f'<img class="scan" src="/staff/drafts/{draft.id}/files/scan"' in page
    served = client.get(f"/staff/drafts/{draft.id}/files/scan")
    assert served.status_code == 200 and served.data == image and served.mimetype == "image/png"
    assert served.headers["Cache-Control"] == "private, no-store"

    login(client, "cun-committee")
    review = client.get(f"/committee/drafts/{draft.id}").get_data(as_text=True)
    assert "1234.50" in review and f"/committee/drafts/{draft.id}/files/scan" in review
    assert client.get(f"/committee/drafts/{draft.id}/files/scan").data == image
    for who, status in (("other-staff", 404), ("other-committee", 404)):  # another village's draft
        login(client, who)
        assert client.get(f"/{who.split('-')[1]}/drafts/{draft.id}/files/scan").status_code == status
    client.post("/logout")
    anonymous = client.get(f"/staff/drafts/{draft.id}/files/scan")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]

    entry = approve(client, backend, draft.id)
    assert (entry.action, entry.actor) == ("receipt.create", "staff:cun-staff+committee:cun-committee")
    assert entry.data["amount"] == "1234.50" and entry.data["received_on"] == "2026-11-20"
    assert entry.data["contract"] == "HT-001"
    listed = client.get("/v/testcun/receipts").get_data(as_text=True)
    assert "SK-2026-001" in listed and "测试农业有限公司" in listed
    public_scan = client.get("/v/testcun/receipts/SK-2026-001/scan")  # a company's: public
    assert public_scan.status_code == 200 and entry.data["scan_sha256"] == hashlib.sha256(public_scan.data).hexdigest()
    published = client.get(f"/committee/drafts/{draft.id}").get_data(as_text=True)
    assert 'href="/v/testcun/receipts/SK-2026-001"' in published  # the draft links its published page


def test_a_persons_receipt_is_masked_and_money_and_dates_take_the_village_forms(client, backend, contract):
    login(client, "cun-staff")
    assert send(client, payer_name="王秀英", payer_is_person="y", amount="1234.5", received_on="2026-11-20",
                contract_number="").status_code == 302
    draft = only_draft(backend)
    page = client.get(f"/staff/drafts/{draft.id}").get_data(as_text=True)
    assert "王*英" in page  # the diff shows what will be public
    assert re.search(r"交款人为个人</th><td><ins>是</ins>", page)
    printed = subprocess.run(["pdftotext", "-layout", "-", "-"], input=client.get(f"/staff/drafts/{draft.id}.pdf").data,
                             capture_output=True, check=True).stdout.decode()
    assert re.search(r"交款人是个人\s*是", printed) and "True" not in printed
    entry = approve(client, backend, draft.id)
    assert entry.data["payer"] == {"is_person": True, "name": "王*英"} and entry.data["contract"] is None
    assert entry.private is not None and "王秀英" not in str(entry.data)
    login(client, "cun-staff")  # a saved "True" checkbox comes back ticked when corrected
    correction = client.get("/staff/receipt/SK-2026-001/correct").get_data(as_text=True)
    assert re.search(r'<input [^>]*checked[^>]*name="payer_is_person"', correction)


@pytest.mark.parametrize("changes, field, message", [
    ({"amount": "12,34.5x"}, "amount", "金额"),
    ({"amount": "-5"}, "amount", "金额"),
    ({"received_on": "2026-13-45"}, "received_on", "不是有效日期"),
    ({"number": ""}, "number", "请填写收据号"),
    ({"payer_name": ""}, "payer_name", "请填写交款人"),
    ({"contract_number": "HT-NONE"}, "contract_number", "HT-NONE"),
])
def test_each_bad_field_is_named_next_to_it_and_nothing_is_written(client, backend, contract, changes, field,
                                                                  message):
    login(client, "cun-staff")
    entries = len(log_entries(backend, "testcun"))
    response = send(client, **changes)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in field_error(page, field), page
    kept = "note" if "note" not in changes else "number"
    assert RECEIPT[kept] in page  # what was typed is kept
    assert count(backend, Draft) == 0 and len(log_entries(backend, "testcun")) == entries


@pytest.mark.parametrize("name, content, message", [
    ("收据.pdf", "这不是 PDF，只是改了名字的文本文件".encode(), "只能上传 PDF、JPG 或 PNG 文件"),
    ("收据.pdf", b"%PDF-" + b"0" * MAX_FILE_BYTES, "文件不能超过 10 MB"),
])
def test_a_scan_that_is_not_a_pdf_or_image_or_too_big_is_refused(client, backend, contract, name, content, message):
    login(client, "cun-staff")
    response = send(client, scan=(name, content), action="save")
    assert response.status_code == 400 and message in field_error(response.get_data(as_text=True), "scan")
    assert count(backend, Draft) == 0


def test_a_pdf_scan_is_offered_as_a_download_and_kept_when_the_draft_is_edited(client, backend, contract):
    login(client, "cun-staff")
    assert send(client, scan=("收据.pdf", PDF), action="save").status_code == 302
    draft = only_draft(backend)
    page = client.get(f"/staff/drafts/{draft.id}").get_data(as_text=True)
    assert "下载查看（PDF）" in page
    served = client.get(f"/staff/drafts/{draft.id}/files/scan")
    assert served.mimetype == "application/pdf" and served.headers["Content-Disposition"].startswith("attachment")
    assert "查看已上传的文件" in client.get(f"/staff/drafts/{draft.id}/edit").get_data(as_text=True)
    assert send(client, f"/staff/drafts/{draft.id}/edit", note="改了摘要").status_code == 302  # no new file
    draft = only_draft(backend)
    assert draft.fields["scan"] == hashlib.sha256(PDF).hexdigest() and draft.state is DraftState.SUBMITTED
    assert client.get(f"/staff/drafts/{draft.id}/files/nothing").status_code == 404


def test_correction_with_reason_and_diff_then_withdrawal(client, backend, contract):
    login(client, "cun-staff")
    send(client, scan=("收据.pdf", PDF))
    entry = approve(client, backend, only_draft(backend).id)

    login(client, "cun-staff")
    listed = client.get("/staff/records/receipt").get_data(as_text=True)
    assert "/staff/receipt/SK-2026-001/correct" in listed and "/staff/receipt/SK-2026-001/withdraw" in listed
    form = client.get("/staff/receipt/SK-2026-001/correct").get_data(as_text=True)
    assert 'value="1234.50"' in form and '<option selected value="HT-001">' in form
    no_reason = send(client, "/staff/receipt/SK-2026-001/correct", amount="1300")
    assert no_reason.status_code == 400 and "请填写更正或撤回的理由" in no_reason.get_data(as_text=True)
    assert send(client, "/staff/receipt/SK-2026-001/correct", amount="1300", reason="金额抄错").status_code == 302
    with backend.db.read() as session:
        draft = session.scalar(select(Draft).where(Draft.verb == "correct"))
    login(client, "cun-committee")
    page = client.get(f"/committee/drafts/{draft.id}").get_data(as_text=True)
    assert "<del>1234.50</del>" in page and "<ins>1300.00</ins>" in page
    corrected = approve(client, backend, draft.id)
    assert (corrected.action, corrected.version, corrected.reason) == ("receipt.correct", 2, "金额抄错")
    assert corrected.data["scan_sha256"] == entry.data["scan_sha256"]  # no new scan: the first stays

    login(client, "cun-staff")
    assert client.post("/staff/receipt/SK-2026-001/withdraw",
                       data={"action": "submit", "reason": "重复登记"}).status_code == 302
    with backend.db.read() as session:
        draft = session.scalar(select(Draft).where(Draft.verb == "withdraw"))
    withdrawn = approve(client, backend, draft.id)
    assert (withdrawn.action, withdrawn.reason, withdrawn.data["status"]) == ("receipt.withdraw", "重复登记", "withdrawn")
    assert "已撤回" in client.get("/v/testcun/receipts").get_data(as_text=True)


def test_receipts_are_written_by_the_villages_staff_only(client, backend, contract):
    login(client, "cun-committee")
    assert client.get("/staff/new/receipt").status_code == 403
    assert send(client).status_code == 403
    login(client, "other-staff")
    assert client.get("/staff/receipt/SK-2026-001/correct").status_code == 404  # not in their village
    assert count(backend, Draft) == 0
