"""Typed service inputs: each field takes form text or the converted value alike, bad input is
refused with every message at once (and no message a valid field did not earn), and the checked
values reach the rows unchanged. SQLite and PostgreSQL."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from portal.accounts.models import Role
from portal.accounts.services import UserInput, create_user
from portal.auditlog import store as audit_log
from portal.kernel.errors import ValidationError
from portal.kernel.transaction import SYSTEM
from portal.kernel.validate import Checker
from portal.notices.services import NoticeInput, create_notice
from portal.parcels.services import AssetInput, create_asset
from portal.plans.services import (
    CommentInput,
    PlanInput,
    VoteInput,
    add_comment,
    correct_plan,
    create_plan,
    record_vote,
)
from portal.villages.services import VillageInput, create_village

from .conftest import STAFF


def last_data(backend, log: str = "testcun") -> dict:
    with backend.db.read() as session:
        return json.loads(list(audit_log.iter_lines(session, log))[-1])["data"]


def refused(call, *args) -> dict[str, str]:
    with pytest.raises(ValidationError) as err:
        call(*args)
    return err.value.errors


# -- the checker ---------------------------------------------------------------------------------

def test_checker_result_gives_the_values_once_every_check_passed():
    check = Checker()
    assert check.result(check.day("day", "2026-01-31", "日期")) == date(2026, 1, 31)


def test_checker_result_raises_every_message_collected():
    check = Checker()
    day = check.day("day", "昨天", "日期")
    check.text("name", "", "姓名", max_len=10)
    with pytest.raises(ValidationError) as err:
        check.result(day)
    assert err.value.errors == {"day": "日期“昨天”不是有效日期，请写成 2026-01-31 或 2026年1月31日", "name": "请填写姓名"}


def test_checker_result_without_values_or_messages_is_a_bug_not_a_user_error():
    with pytest.raises(AssertionError):
        Checker().result(None)


# -- form text or converted values ---------------------------------------------------------------

def test_plan_and_comment_dates_as_text_or_date_are_the_same(backend, village):
    create_plan(backend, STAFF, village, PlanInput("FA-1", "方案", "正文", "2024-03-01", "2024-03-31"))
    as_text = last_data(backend)
    create_plan(backend, STAFF, village, PlanInput("FA-2", "方案", "正文", date(2024, 3, 1), date(2024, 3, 31)))
    assert last_data(backend) == as_text | {"number": "FA-2"}

    comment = add_comment(backend, STAFF, village, "FA-2", CommentInput("张三", "意见", submitted_on=date(2024, 3, 2),
                                                                          on_behalf="村民口述，村干部代录"))
    assert comment.submitted_on == date(2024, 3, 2)


def test_vote_counts_as_text_or_int_are_the_same(backend, village):
    create_plan(backend, STAFF, village, PlanInput("FA-1", "方案", "正文", "2024-03-01", "2024-03-31"))
    record_vote(backend, STAFF, village, "FA-1", VoteInput("村民代表会议", "是否同意", "2024-04-08",
                                                          "45", "41", "2", "2", "通过"))
    as_text = last_data(backend)
    record_vote(backend, STAFF, village, "FA-1", VoteInput("村民代表会议", "是否同意", date(2024, 4, 8),
                                                          45, 41, 2, 2, "通过"))
    assert last_data(backend) == as_text | {"number": 2}
    assert {k: as_text[k] for k in ("eligible", "yes", "no", "abstain")} == {
        "eligible": 45, "yes": 41, "no": 2, "abstain": 2}


def test_asset_area_as_text_or_decimal_and_notice_date_as_text_or_date(backend, village):
    asset = create_asset(backend, STAFF, village, AssetInput("P9", "南洋9号地", "land", Decimal("3.25"),
                                                             polygon=[[0, 0], [50, 0], [50, 40]]))
    assert asset.area == Decimal("3.25") and asset.polygon == [[0, 0], [50, 0], [50, 40]]
    notice = create_notice(backend, STAFF, village, NoticeInput("GG-1", "通知", "affairs", "正文\r\n第二行",
                                                                date(2024, 4, 10)))
    assert notice.published_on == date(2024, 4, 10) and notice.body == "正文\n第二行"


# -- every message at once, and no message a valid field did not earn ----------------------------

def test_an_unusable_date_is_reported_alone_and_with_the_missing_reason(backend, village):
    assert refused(create_plan, backend, STAFF, village, PlanInput("FA-1", "方案", "正文", "三月", "2024-03-31")) == {
        "comment_from": "征求意见开始日期“三月”不是有效日期，请写成 2026-01-31 或 2026年1月31日"}
    create_plan(backend, STAFF, village, PlanInput("FA-1", "方案", "正文", "2024-03-01", "2024-03-31"))
    assert refused(correct_plan, backend, STAFF, village, "FA-1",
                   PlanInput("FA-1", "方案", "正文", "2024-03-01", ""), "") == {
        "comment_until": "请填写征求意见截止日期", "reason": "请填写更正/撤回原因"}


def test_a_vote_with_an_unusable_date_still_has_its_tallies_checked(backend, village):
    create_plan(backend, STAFF, village, PlanInput("FA-1", "方案", "正文", "2024-03-01", "2024-03-31"))
    assert refused(record_vote, backend, STAFF, village, "FA-1",
                   VoteInput("会议", "事项", "", 10, 8, 2, 1, "通过")) == {
        "held_on": "请填写表决日期", "total": "同意、反对、弃权合计 11 票，超过了应参加表决的 10 人"}


def test_an_asset_of_unknown_kind_is_measured_in_square_metres(backend, village):
    assert refused(create_asset, backend, STAFF, village, AssetInput("P9", "", "pond", "2000000")) == {
        "name": "请填写名称", "kind": "类别“pond”不在可选范围内", "area": "面积（平方米）必须在 0.01 到 1000000 之间"}


def test_a_notice_of_unknown_category_and_date_gets_both_messages(backend, village):
    assert refused(create_notice, backend, STAFF, village, NoticeInput("GG-1", "通知", "gossip", "正文", "4月")) == {
        "category": "公告类别“gossip”不在可选范围内",
        "published_on": "发布日期“4月”不是有效日期，请写成 2026-01-31 或 2026年1月31日"}


# -- villages and accounts -----------------------------------------------------------------------

def test_a_village_is_created_from_its_input_and_bad_input_gets_every_message(backend, village):
    created = create_village(backend, SYSTEM, VillageInput(" dongshan ", "东山村", "测试镇", county="测试县"))
    assert (created.code, created.name, created.county, created.is_demo) == ("dongshan", "东山村", "测试县", False)
    assert refused(create_village, backend, SYSTEM, VillageInput("东山", "", "测试镇")) == {
        "code": "村编码只能用小写字母、数字和连字符，以字母开头，2–32 个字符（例如 lianban）", "name": "请填写村名"}
    assert refused(create_village, backend, SYSTEM, VillageInput("dongshan", "东山村", "测试镇")) == {
        "code": "村编码“dongshan”已被使用"}


def test_an_account_takes_its_role_as_text_or_role(backend, village):
    staff = create_user(backend, SYSTEM, UserInput("cun-staff", "报账员", "correct horse", "staff", village))
    township = create_user(backend, SYSTEM, UserInput("zhen-officer", "农经站", "correct horse", Role.TOWNSHIP))
    assert (staff.role, staff.village_id is not None) == (Role.STAFF, True)
    assert (township.role, township.village_id) == (Role.TOWNSHIP, None)
    assert refused(create_user, backend, SYSTEM, UserInput("cun-boss", "村长", "correct horse", "boss")) == {
        "role": "角色“boss”不在可选范围内"}
    assert refused(create_user, backend, SYSTEM, UserInput("cun-2", "监委", "correct horse", "committee")) == {
        "village": "村干部和监委会成员必须属于一个村"}


def test_service_errors_survive_a_trip_between_processes():
    """A worker process (multiprocessing) hands errors back pickled: they must arrive intact."""
    import pickle

    from portal.kernel.errors import NotFound, PermissionDenied, ValidationError

    error = pickle.loads(pickle.dumps(ValidationError({"amount": "金额不能为负", "number": "请填写收据号"})))
    assert isinstance(error, ValidationError)
    assert error.errors == {"amount": "金额不能为负", "number": "请填写收据号"}
    assert str(error) == "金额不能为负；请填写收据号"
    for other in (NotFound("没有编号为“X”的合同"), PermissionDenied("只能修改本村的收据")):
        assert str(pickle.loads(pickle.dumps(other))) == str(other)
