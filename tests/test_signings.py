"""Signing records (签约), on SQLite and PostgreSQL: entered by staff with the signed scan and
photos, approved by the committee, public with names masked; every file is stored by its
SHA-256 and that hash is in the log entry, so the file served is provably the file signed; a
person's signed contract stays private; bad input is refused with a message and writes nothing."""
from __future__ import annotations

import hashlib
import io
import json

import pytest

from portal.contracts.services import create_contract, withdraw_contract
from portal.kernel.errors import ValidationError
from portal.signings.models import Signing
from portal.signings.services import SigningInput, correct_signing, record_signing
from tests.conftest import STAFF
from tests.test_receipt_editing import PDF, approve, field_error, png
from tests.test_workspace import count, log_entries, login, only_draft, people  # noqa: F401  (fixture)

SIGNING = {"number": "QY-2026-001", "contract_number": "HT-001", "signed_on": "2026年3月1日",
           "place": "村委会二楼会议室（全程直播）", "lessor_role": "村委会主任", "lessor_name": "王建国",
           "lessee_role": "法定代表人", "lessee_name": "陈志远",
           "witnesses": "监委会主任 张三明\n村民代表 李秀英", "stream_url": "https://live.example.cn/lianban/20260301",
           "video_sha256": "ab" * 32, "note": "签约全程直播，村民代表 12 人到场"}


@pytest.fixture
def contract(backend, people, contract_input):
    create_contract(backend, STAFF, people, contract_input())
    return "HT-001"


def send(client, url="/staff/new/signing", *, files=None, action="submit", **changes):
    data = {**SIGNING, **changes, "action": action}
    for name, (filename, content) in (files or {}).items():
        data[name] = (io.BytesIO(content), filename)
    return client.post(url, data=data, content_type="multipart/form-data")


def signing_input(**changes) -> SigningInput:
    fields = {k: v for k, v in SIGNING.items()}
    fields.update(changes)
    return SigningInput(**fields)


def test_a_signing_goes_from_draft_to_public_with_every_file_hash_in_the_log(client, backend, contract):
    login(client, "cun-staff")
    photo = png()
    sent = send(client, files={"contract_scan": ("合同.pdf", PDF), "photo_1": ("签约.png", photo),
                               "photo_2": ("合影.png", photo)})
    assert sent.status_code == 302, field_error(sent.get_data(as_text=True), "contract_number")
    draft = only_draft(backend)
    review = client.get(f"/committee/drafts/{draft.id}")
    login(client, "cun-committee")
    review = client.get(f"/committee/drafts/{draft.id}").get_data(as_text=True)
    assert "王*国" in review and "王建国" not in review and "张*明" in review  # masked for the committee too
    entry = approve(client, backend, draft.id)
    assert entry.action == "signing.create" and entry.actor == "staff:cun-staff+committee:cun-committee"
    data = entry.data
    assert data["lessor"] == {"role": "村委会主任", "name": "王*国"}
    assert data["witnesses"] == [{"role": "监委会主任", "name": "张*明"}, {"role": "村民代表", "name": "李*英"}]
    assert data["contract_scan_sha256"] == hashlib.sha256(PDF).hexdigest()
    assert len(data["photo_sha256"]) == 2 and data["video"] == {"sha256": "ab" * 32}
    assert entry.private is not None and "王建国" not in json.dumps(entry.data, ensure_ascii=False)
    client.post("/logout")
    page = client.get("/v/testcun/signings/QY-2026-001").get_data(as_text=True)
    assert "王*国" in page and "王建国" not in page and "陈*远" in page and "李*英" in page
    assert 'href="https://live.example.cn/lianban/20260301" rel="nofollow noopener noreferrer"' in page
    for sha256 in (data["contract_scan_sha256"], *data["photo_sha256"]):
        served = client.get(f"/v/testcun/signings/QY-2026-001/files/{sha256}")
        assert served.status_code == 200 and hashlib.sha256(served.data).hexdigest() == sha256  # the file signed
        assert sha256 in page
    assert client.get(f"/v/testcun/signings/QY-2026-001/files/{'0' * 64}").status_code == 404
    assert 'href="/v/testcun/signings/QY-2026-001"' in client.get("/v/testcun/contracts/HT-001").get_data(as_text=True)
    listed = client.get("/v/testcun/signings").get_data(as_text=True)
    assert "/v/testcun/signings/QY-2026-001" in listed and "监委会主任 张*明" in listed
    csv = client.get("/v/testcun/signings.csv").get_data(as_text=True)
    assert "QY-2026-001" in csv and "王建国" not in csv and "张三明" not in csv


def test_a_persons_signed_contract_is_for_the_village_staff_only(client, backend, people, contract_input):
    create_contract(backend, STAFF, people, contract_input(lessee_kind="person", lessee_name="赵大海",
                                                           lessee_id_number="11010519491231002X"))
    signing = record_signing(backend, STAFF, people, signing_input(contract_scan=PDF, photos=[png()]))
    scan, photo = signing.contract_scan_sha256, signing.photo_sha256[0]
    anonymous = client.get(f"/v/testcun/signings/QY-2026-001/files/{scan}")
    assert anonymous.status_code == 403
    assert client.get(f"/v/testcun/signings/QY-2026-001/files/{photo}").status_code == 200
    page = client.get("/v/testcun/signings/QY-2026-001").get_data(as_text=True)
    assert f"/files/{scan}" not in page and scan in page  # the hash is public, the file is not
    login(client, "other-staff")
    assert client.get(f"/v/testcun/signings/QY-2026-001/files/{scan}").status_code == 403
    login(client, "cun-committee")
    assert client.get(f"/v/testcun/signings/QY-2026-001/files/{scan}").status_code == 403
    login(client, "cun-staff")
    own = client.get(f"/v/testcun/signings/QY-2026-001/files/{scan}")
    assert own.status_code == 200 and own.headers["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"stream_url": "javascript:alert(1)"}, "stream_url", "须以 http:// 或 https:// 开头"),
    ({"stream_url": 'https://x.cn/"><script>alert(1)</script>'}, "stream_url", "须以 http:// 或 https:// 开头"),
    ({"video_sha256": "xyz"}, "video_sha256", "64 位十六进制"),
    ({"witnesses": "监委会主任 " + "张" * 60}, "witnesses", "职务 姓名"),
    ({"contract_number": "HT-404"}, "contract_number", "没有编号为“HT-404”的合同"),
    ({"signed_on": "2026-02-30"}, "signed_on", "不是有效日期"),
    ({"lessor_name": ""}, "lessor_name", "请填写发包方签字人"),
    ({"place": "地点\x00"}, "place", "控制字符"),
])
def test_bad_input_is_refused_with_a_message_and_writes_nothing(backend, people, contract, changes, field, message):
    with pytest.raises(ValidationError) as refused:
        record_signing(backend, STAFF, people, signing_input(**changes))
    assert message in refused.value.errors[field]
    assert count(backend, Signing) == 0


def test_one_signing_per_contract_a_withdrawn_contract_none_and_corrections_keep_the_files(
        backend, people, contract):
    first = record_signing(backend, STAFF, people, signing_input(contract_scan=PDF, photos=[png(), png()]))
    with pytest.raises(ValidationError) as twice:
        record_signing(backend, STAFF, people, signing_input(number="QY-2026-002"))
    assert "已有签约记录 QY-2026-001" in twice.value.errors["contract_number"]
    with pytest.raises(ValidationError):
        correct_signing(backend, STAFF, people, "QY-2026-001", signing_input(place="村部"), "")
    corrected = correct_signing(backend, STAFF, people, "QY-2026-001", signing_input(place="村部大院"), "地点写错了")
    assert corrected.contract_scan_sha256 == first.contract_scan_sha256 and corrected.photo_sha256 == first.photo_sha256
    assert corrected.version == 2
    withdraw_contract(backend, STAFF, people, "HT-001", "录入重复")
    with pytest.raises(ValidationError) as withdrawn:
        correct_signing(backend, STAFF, people, "QY-2026-001", signing_input(place="村部"), "再改")
    assert "已撤回，不能登记签约" in withdrawn.value.errors["contract_number"]


def test_only_the_villages_staff_write_signings_and_xss_stays_text(client, backend, people, contract):
    login(client, "cun-committee")
    assert send(client).status_code == 403
    login(client, "cun-staff")
    attack = '<img src=x onerror=alert(1)>'
    assert send(client, place=attack, note=attack).status_code == 302
    login(client, "cun-committee")
    assert client.post(f"/committee/drafts/{only_draft(backend).id}/approve").status_code == 302
    page = client.get("/v/testcun/signings/QY-2026-001").get_data(as_text=True)
    assert attack not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert [e.action for e in log_entries(backend, "testcun")][-1] == "signing.create"


def test_audit_verify_checks_every_photo_of_a_signing(backend, people, contract, runner):
    from portal.auditlog.files import path_for

    signing = record_signing(backend, STAFF, people, signing_input(contract_scan=PDF, photos=[png()]))
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    path_for(backend.files_dir, signing.photo_sha256[0]).unlink()  # a photo deleted behind the portal's back
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and signing.photo_sha256[0][:16] in result.output
