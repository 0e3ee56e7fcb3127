"""核对公告: a villager types the size and root printed on a notice and learns, from the server's
consistency proof, whether today's log still holds the log the notice was printed at. Also the
printed side: every sheet carries size, root, the key's fingerprint and a QR of this check."""
from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest

from audit.note import key_fingerprint

from .test_printing import fetch_pdf, flat, pdf_text, qr_codes_on_last_page

CHECK = "/v/lianban/audit/check"


def _state(client) -> tuple[int, str]:
    lines = client.get("/v/lianban/audit/checkpoint").get_data(as_text=True).splitlines()
    return int(lines[1]), lines[2]


def _root_at(client, size: int) -> str:
    proof = client.get(f"/v/lianban/audit/proof/consistency?old={size}").get_json()
    return base64.b64encode(bytes.fromhex(proof["old_root"])).decode()


def _check(client, size: object, root: str) -> str:
    response = client.get(CHECK, query_string={"size": size, "root": root})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_notice_printed_earlier_is_consistent_with_todays_log(client, demo):
    size, _ = _state(client)
    page = _check(client, 100, _root_at(client, 100))
    assert "<h2>一致</h2>" in page
    assert f"公告打印时日志共 100 条；今天共 {size:,} 条" in page and f"之后新增了 {size - 100:,} 条" in page


def test_todays_own_checkpoint_is_consistent(client, demo):
    size, root = _state(client)
    # Typed with spaces and a line break, as read off paper.
    page = _check(client, size, f" {root[:20]} \n{root[20:]}")
    assert "<h2>一致</h2>" in page and "之后新增了 0 条" in page


def test_a_root_that_is_not_the_logs_says_what_to_do_and_whom_to_tell(client, demo):
    wrong = base64.b64encode(hashlib.sha256(b"rewritten").digest()).decode()
    page = _check(client, 100, wrong)
    assert "<h2>对不上</h2>" in page and _root_at(client, 100) in page and wrong in page
    assert "村务监督委员会" in page and "镇纪委" in page


def test_a_notice_with_more_entries_than_today_is_reported(client, demo):
    size, root = _state(client)
    page = _check(client, size + 5, root)
    assert "<h2>对不上</h2>" in page and f"只有 {size:,} 条" in page


@pytest.mark.parametrize(("size", "root", "field"), [
    ("abc", "", "size"), ("-1", "", "size"), ("1" * 19, "", "size"), ("1" * 5000, "", "size"),
    ("12,34", "", "size"), ("1,2345", "", "size"), ("1.398", "", "size"), (",123", "", "size"),
    ("10", "not base64!", "root"), ("10", base64.b64encode(b"short").decode(), "root"),
    ("10", "A" * 500, "root"), ("10", "<script>alert(1)</script>", "root"),
])
def test_bad_input_gets_a_message_next_to_the_field(client, demo, size, root, field):
    page = _check(client, size, root)
    assert f'id="{field}-error"' in page
    assert "<h2>一致</h2>" not in page and "<h2>对不上</h2>" not in page
    assert "<script>alert" not in page


def test_a_nul_byte_is_refused_before_the_page(client, demo):
    assert client.get(CHECK, query_string={"size": "12\x00", "root": "x"}).status_code == 400


def test_the_empty_form_and_an_unknown_village(client, demo):
    page = client.get(CHECK).get_data(as_text=True)
    assert "审计日志条数" in page and "根哈希" in page and "field-error" not in page
    assert client.get("/v/nosuch/audit/check").status_code == 404


def test_the_village_page_links_to_the_check(client, demo):
    assert CHECK in client.get("/v/lianban/").get_data(as_text=True)


def test_a_printed_sheet_carries_what_the_check_needs(client, demo, backend, tmp_path):
    pdf = fetch_pdf(client, "/v/lianban/contracts/LB-LZ-2024-001.pdf", tmp_path)
    text = flat(pdf_text(pdf))
    size, root = _state(client)
    assert f"审计日志：共{size:,}条" in text and f"根哈希：{root}" in text
    assert "门户签名公钥指纹：" + key_fingerprint(backend.signer.verifier_key).replace(" ", "") in text
    codes = qr_codes_on_last_page(pdf, tmp_path)
    check = next(code for code in codes if "/audit/check?" in code)
    query = parse_qs(urlsplit(check).query)
    assert query == {"size": [str(size)], "root": [root]}
    assert "<h2>一致</h2>" in _check(client, query["size"][0], query["root"][0])
    # typed off the paper as printed (1,398), or with a Chinese keyboard's full-width digits and comma
    printed = text.split("审计日志：共", 1)[1].split("条", 1)[0]
    assert size >= 1000 and "," in printed
    full_width = printed.translate(str.maketrans("0123456789,", "０１２３４５６７８９，"))
    for typed in (printed, full_width, printed.replace(",", " ")):
        assert "<h2>一致</h2>" in _check(client, typed, root), typed
