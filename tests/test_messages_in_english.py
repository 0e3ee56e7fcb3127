"""The services' messages in the reader's language: Chinese everywhere by default, and next to
the field in English when the reader switched (kernel/messages.py); the values they carry
(a field's name, a number) are filled in, and a message survives being sent between processes."""
from __future__ import annotations

import ast
import html
import json
import pickle
import re
from datetime import date
from pathlib import Path

import pytest

from portal.kernel.errors import ValidationError
from portal.kernel.messages import Message, from_data, joined, say, to_data
from portal.kernel.validate import Checker, RowErrors
from portal.ledger.services import FundInput, create_fund
from portal.tenders.services import create_tender

from .conftest import STAFF
from .test_auditdesk_log import login as desk_login
from .test_auditdesk_log import page
from .test_auditdesk_verify import REPAIR, TAMPER, verify_now
from .test_contract_editing import CONTRACT
from .test_integrity import direct
from .test_tenders import Clock, bidders_with_deposit, tender_input
from .test_workspace import NOTICE, login, people  # noqa: F401  (fixture)

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


# Calls whose message reaches a reader: an error a page shows, a flash, an abort's text, a file's
# or a row's problem, a problem of the integrity check.
SHOWN = {"ValidationError", "NotFound", "PermissionDenied", "ServiceError", "fail", "flash", "abort",
         "GeometryError", "FileRefused", "Problem", "problem"}
PORTAL = Path(__file__).resolve().parent.parent / "portal"


def _called(node: ast.AST) -> str:
    func = node.func if isinstance(node, ast.Call) else None
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        # report.add(...): a problem of `audit verify`, shown on the committee's desk
        return "report.add" if func.attr == "add" and getattr(func.value, "id", "") == "report" else func.attr
    return ""


def chinese_only_messages(source: str, name: str = "<source>") -> list[str]:
    """Where `source` hands a reader Chinese text that no catalog can translate: an f-string with
    Chinese in it, or a Chinese literal not wrapped in say()/N_(), passed (directly, or inside a
    dict or a conditional) to one of the calls in SHOWN."""
    tree = ast.parse(source, name)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr) and not isinstance(parents.get(node), ast.JoinedStr):
            text = "".join(part.value for part in node.values if isinstance(part, ast.Constant))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and not isinstance(parents.get(node), ast.JoinedStr):
            text = node.value
        else:
            continue
        if not CJK.search(text):
            continue
        up = parents.get(node)
        while up is not None and not isinstance(up, (ast.stmt, ast.Call)):
            up = parents.get(up)
        if isinstance(up, ast.Call) and (_called(up) in SHOWN or _called(up) == "report.add"):
            found.append(f"{name}:{node.lineno}: {text[:60]}")
    return found


def test_the_scan_catches_a_chinese_only_message():
    caught = chinese_only_messages(
        'raise ValidationError({"amount": f"出价须不低于{least}"})\n'
        'check.fail("x", "没有翻译")\n'
        'flash(f"已答复 {n}" if ok else "已退回")\n'
        'abort(400, f"页码“{raw}”无效")\n'
        'report.add(f"seq={seq}: 序号不对")\n')
    assert sorted(line.split(":")[1] for line in caught) == ["1", "2", "3", "3", "4", "5"]
    assert chinese_only_messages(
        'raise ValidationError({"amount": say("出价须不低于 %(least)s", least=least)})\n'
        'check.fail("x", say("没有翻译"))\nflash(N_("已退回"))\nlog.info(f"核对 {n} 条")\n'
        'problems.add(f"第 {n} 行")\n') == []


def test_every_message_for_readers_in_the_portal_can_be_translated():
    """A Chinese f-string (or bare literal) given to an error, a flash or an abort shows Chinese to
    an English reader: build it with say() (kernel/messages.py) and add its English to the
    catalog. The command-line tools (cli.py, migrate.py) speak Chinese only, like every CLI here."""
    found = []
    for path in sorted(PORTAL.rglob("*.py")):
        found += chinese_only_messages(path.read_text(encoding="utf-8"), str(path.relative_to(PORTAL.parent)))
    assert found == []


def test_a_message_kept_as_data_comes_back_whole():
    message = say("%(where)s: %(problem)s", where=say("合同 %(number)s", number="HT-1"),
                  problem=joined([say("第 %(seq)s 期不对", seq=3), "另一个问题"]))
    again = from_data(json.loads(json.dumps(to_data(message), ensure_ascii=False)))
    assert again == message and isinstance(again, Message)
    english = {"%(where)s: %(problem)s": "%(where)s: %(problem)s", "合同 %(number)s": "Contract %(number)s",
               "第 %(seq)s 期不对": "Instalment %(seq)s is wrong", "另一个问题": "Another problem"}
    assert again.render(lambda s: english.get(s, s)) == "Contract HT-1: Instalment 3 is wrong; Another problem"
    assert from_data("一行旧的文字") == "一行旧的文字" and from_data({"pattern": "坏的 %(x)s", "values": {}}) == "坏的 %(x)s"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # pages alone: one database will do
def test_a_bad_bid_and_a_bad_ledger_entry_are_refused_in_the_readers_language(client, backend, people):
    backend.clock = clock = Clock()
    create_tender(backend, STAFF, people, tender_input())
    bidders_with_deposit(backend, people, "ZZ-001", [("company", "甲农业有限公司"), ("person", "张三华")])
    create_fund(backend, STAFF, people, FundInput("JJ-001", "小公维金", "property_fee", "0.1", "0.8", "小区公共维修"))
    clock.to(date(2026, 12, 10))
    login(client, "cun-staff")
    low = {"bidder": "1", "amount": "490"}
    chinese = client.post("/staff/tenders/ZZ-001/bid", data=low).get_data(as_text=True)
    assert "出价 ¥490.00 低于底价 ¥500.00" in chinese
    client.get("/prefs/lang/en?next=/staff/")
    english = client.post("/staff/tenders/ZZ-001/bid", data=low)
    assert english.status_code == 400
    assert "The bid of ¥490.00 is below the reserve price of ¥500.00" in html.unescape(english.get_data(as_text=True))
    assert client.post("/staff/tenders/ZZ-001/bid", data={"bidder": "1", "amount": "500"}).status_code == 302
    again = html.unescape(client.post("/staff/tenders/ZZ-001/bid", data={"bidder": "1", "amount": "600"})
                          .get_data(as_text=True))
    assert "Bidder no. 1 already has the highest bid" in again and "不能自己加价" not in again
    short = html.unescape(client.post("/staff/tenders/ZZ-001/bid", data={"bidder": "2", "amount": "505"})
                          .get_data(as_text=True))
    assert "is not enough: the last round's ¥500.00 plus the increment of ¥10.00 makes at least ¥510.00" in short

    bad = {"number": "ZJ-901", "direction": "income", "category": "maintenance", "amount": "100",
           "booked_on": "2026-11-20", "counterparty": "某某维修部", "fund_number": "JJ-001", "action": "submit"}
    errors = field_errors(client.post("/staff/new/ledger_entry", data=bad))
    assert errors["category"] == "“Maintenance works” is not a category of Income", errors
    assert errors["fund_number"].startswith("Income is not paid out of a special fund"), errors
    assert not any(CJK.search(text) for text in errors.values()), errors


def _unescaped(client, url: str) -> str:
    return html.unescape(page(client, url))


def test_alerts_and_integrity_problems_follow_the_reader_while_the_cli_stays_chinese(client, runner, backend, demo):
    desk_login(client, "demo-committee")
    client.get("/prefs/lang/en?next=/committee/")
    alerts = _unescaped(client, "/committee/alerts")
    assert "days overdue" in alerts and "已逾期" not in alerts
    assert "Contract LB-HT-2016-017" in alerts and "合同 LB-HT-2016-017" not in alerts
    assert re.search(r"Entries \d+–\d+: \d+ entries in \d+ minutes", alerts)

    direct(backend, TAMPER)
    try:
        found = html.unescape(verify_now(client))
        assert "LB-HT-2016-001" in found and "the database content differs from what log seq=" in found
        assert "被直接修改" not in found
        daily = runner.invoke(args=["audit", "verify-all"])
        assert daily.exit_code == 1 and "被直接修改" in daily.output, daily.output  # the CLI speaks Chinese
        client.get("/prefs/lang/zh?next=/committee/")
        assert "数据库中的内容与日志 seq=" in page(client, "/committee/integrity")
    finally:
        direct(backend, REPAIR)
