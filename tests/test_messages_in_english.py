"""The services' messages in the reader's language: Chinese everywhere by default, and next to
the field in English when the reader switched (kernel/messages.py); the values they carry
(a field's name, a number) are filled in, and a message survives being sent between processes."""
from __future__ import annotations

import html
import pickle
import re

import pytest

from portal.kernel.errors import ValidationError
from portal.kernel.messages import Message, joined, say
from portal.kernel.validate import Checker, RowErrors

from .test_contract_editing import CONTRACT
from .test_workspace import NOTICE

CJK = re.compile(r"[\u4e00-\u9fff]")


def field_errors(response) -> dict[str, str]:
    """Each field's error, by the field's id (`<p class="field-error" id="<name>-error">`)."""
    page = response.get_data(as_text=True)
    return {name: html.unescape(text) for name, text in
            re.findall(r'<p class="field-error" id="([\w-]+)-error">([^<]*)</p>', page)}


def test_a_message_is_its_chinese_text_and_keeps_what_translates_it():
    message = say("%(label)s必须在 %(least)s 到 %(most)s 之间", label="面积（亩）", least=1, most=9)
    assert message == "面积（亩）必须在 1 到 9 之间" and isinstance(message, str)
    again = pickle.loads(pickle.dumps(ValidationError({"area": message})))
    assert isinstance(again.errors["area"], Message) and again.errors["area"].values == message.values
    english = {"%(label)s必须在 %(least)s 到 %(most)s 之间": "%(label)s must be between %(least)s and %(most)s",
               "面积（亩）": "Area (mu)"}
    assert message.render(lambda s: english.get(s, s)) == "Area (mu) must be between 1 and 9"
    assert say("没有翻译的%(x)s", x="面积（亩）").render(lambda s: english.get(s, s)) == "没有翻译的面积（亩）"
    both = joined([message, say("请填写金额")])
    assert both == "面积（亩）必须在 1 到 9 之间；请填写金额"
    assert pickle.loads(pickle.dumps(both)).render(lambda s: english.get(s, s)) == "Area (mu) must be between 1 and 9; 请填写金额"


def test_a_file_of_records_names_each_bad_one_in_either_language():
    rows = RowErrors("地块")
    check = Checker()
    check.area("area", "abc", "面积（亩）", unit="mu", maximum=9)
    rows.add(2, "DK-1", ValidationError(check.errors))
    with pytest.raises(ValidationError) as refused:
        rows.done()
    message = refused.value.errors["row-2"]
    assert message == "第 2 个地块（编号 DK-1）：面积（亩）必须是数字"
    assert isinstance(message, Message)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # pages alone: one database will do
def test_form_errors_next_to_the_field_follow_the_reader(client, auth, demo):
    assert auth.login().status_code == 302
    phone = {**NOTICE, "number": "GG-2026-901", "body": "联系 13812345678", "action": "submit"}
    chinese = field_errors(client.post("/staff/new/notice", data=phone))
    assert chinese["body"] == "公告正文会全文公开，请不要写手机号或身份证号"
    client.get("/prefs/lang/en?next=/staff/")
    english = field_errors(client.post("/staff/new/notice", data=phone))
    assert english["body"] == "The notice text is published in full: do not write a mobile or ID card number in it"
    bad = {**CONTRACT, "number": "HT-2026-901", "parcel_1": "NOPE-1", "end_date": "2025-01-01",
           "rent_rate": "12,34", "action": "submit"}
    errors = field_errors(client.post("/staff/new/contract", data=bad))
    assert errors, "the contract form showed no errors"
    for name, text in errors.items():
        assert not CJK.search(text.replace("NOPE-1", "")), (name, text)
    assert any("not a valid amount" in text for text in errors.values()), errors


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # pages alone: one database will do
def test_every_editor_form_has_its_labels_and_hints_in_english(client, auth, demo, backend):
    from portal.drafts.services import editable_types

    assert auth.login().status_code == 302
    client.get("/prefs/lang/en?next=/staff/")
    for entity, _ in editable_types(backend):
        page = client.get(f"/staff/new/{entity}").get_data(as_text=True)
        texts = [html.unescape(t) for t in re.findall(r'<label[^>]*>([^<]*)</label>', page)]
        texts += [html.unescape(t) for t in re.findall(r'<p class="hint" id="[\w-]+-hint">([^<]*)</p>', page)]
        assert texts, entity
        chinese = [t for t in texts if CJK.search(t)]
        assert not chinese, (entity, chinese)
