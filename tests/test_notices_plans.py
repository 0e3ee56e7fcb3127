"""Notices (公告), plans for comment (方案公示), comments, replies and votes: services and pages,
on SQLite and PostgreSQL."""
from __future__ import annotations

import io
import json
import re
import zipfile
from collections import Counter
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.auditlog import store as audit_log
from portal.auditlog.integrity import verify_log
from portal.auditlog.models import AuditEntry, PrivateRecord
from portal.demo_notices import CONSOLIDATION_COMMENTS
from portal.kernel.errors import NotFound, PermissionDenied, ValidationError
from portal.kernel.transaction import Actor
from portal.notices.models import Notice
from portal.kernel.history import line_diff
from portal.notices.services import (
    NoticeInput,
    correct_notice,
    create_notice,
    notice_input_from,
    withdraw_notice,
)
from portal.plans.models import Plan, PlanComment
from portal.publishing.sanitizer import ALLOWED_TAGS, clean_html, looks_like_html
from portal.plans.services import (
    CommentInput,
    PlanInput,
    VoteInput,
    add_comment,
    adopt_plan,
    correct_plan,
    correct_vote,
    create_plan,
    plan_input_from,
    record_vote,
    reply_to_comment,
    withdraw_comment,
)
from portal.villages.models import Village

from .conftest import STAFF

COMMITTEE = Actor("test-committee", "committee", village="testcun")
VILLAGER = Actor("villager", "villager")
PAYLOADS = Path(__file__).parent / "data" / "xss" / "payloads.txt"


def notice(**changes) -> NoticeInput:
    values = dict(number="GG-2024-001", title="2024年第一季度财务公开", category="finance",
                  body="一、收入\n租金 1,000.00 元", published_on="2024-04-10")
    values.update(changes)
    return NoticeInput(**values)


def plan(**changes) -> PlanInput:
    values = dict(number="FA-2024-001", title="土地流转方案（征求意见稿）", body="一、租金\n每亩每年450元",
                  comment_from="2024-03-01", comment_until="2024-03-31")
    values.update(changes)
    return PlanInput(**values)


def vote(**changes) -> VoteInput:
    values = dict(meeting="村民代表会议", question="是否同意土地流转方案", held_on="2024-04-08", eligible=45,
                  yes=41, no=2, abstain=2, result="通过")
    values.update(changes)
    return VoteInput(**values)


def comment(**changes) -> CommentInput:
    values = dict(commenter_name="欧阳秀英", group_name="第三村民小组", body="租金太低，建议提高。",
                  commenter_phone="13912345678", submitted_on="2024-03-05")
    values.update(changes)
    return CommentInput(**values)


def entries(backend, log="testcun") -> list[dict]:
    with backend.db.read() as session:
        return [json.loads(line) for line in audit_log.iter_lines(session, log)]


def counts(backend) -> tuple[int, ...]:
    with backend.db.read() as session:
        return tuple(session.scalar(select(func.count()).select_from(model))
                     for model in (Notice, Plan, PlanComment, AuditEntry))


# -- notices -----------------------------------------------------------------------------------

def test_notice_create_correct_withdraw_each_log_a_version_with_its_reason(backend, village):
    created = create_notice(backend, STAFF, village, notice())
    fixed = notice_input_from(created)
    fixed.body = "一、收入\n租金 1,200.00 元"
    correct_notice(backend, STAFF, village, "GG-2024-001", fixed, "金额录入错误，按凭证更正")
    withdrawn = withdraw_notice(backend, STAFF, village, "GG-2024-001", "重复发布")
    log = [e for e in entries(backend) if e["entity"] == "notice"]
    assert [(e["action"], e["version"], e["reason"]) for e in log] == [
        ("notice.create", 1, None), ("notice.correct", 2, "金额录入错误，按凭证更正"), ("notice.withdraw", 3, "重复发布")]
    assert log[1]["data"]["body"] == "一、收入\n租金 1,200.00 元" and log[2]["data"]["status"] == "withdrawn"
    assert all(e["entity_id"] == str(created.id) and e["private"] is None for e in log)
    assert withdrawn.version == 3
    with pytest.raises(ValidationError, match="已撤回"):
        correct_notice(backend, STAFF, village, "GG-2024-001", fixed, "再改")


def test_form_line_breaks_are_stored_as_plain_newlines(backend, village):
    created = create_notice(backend, STAFF, village, notice(body="第一行\r\n第二行\r第三行"))
    assert created.body == "第一行\n第二行\n第三行"


BAD_NOTICES = [
    (dict(published_on="2024-02-30"), "published_on", "不是有效日期"),
    (dict(published_on=""), "published_on", "请填写发布日期"),
    (dict(category="gossip"), "category", "不在可选范围内"),
    (dict(title=""), "title", "请填写公告标题"),
    (dict(title="标" * 201), "title", "不能超过 200 个字"),
    (dict(body="字" * 5001), "body", "不能超过 5000 个字"),
    (dict(body="含有\x07控制字符"), "body", "控制字符"),
    (dict(number="GG/2024/1"), "number", "只能用字母、数字和连字符"),
]


def test_bad_notice_input_is_refused_with_a_message_and_nothing_written(backend, village):
    before = counts(backend)
    for changes, field, message in BAD_NOTICES:
        with pytest.raises(ValidationError) as err:
            create_notice(backend, STAFF, village, notice(**changes))
        assert message in err.value.errors.get(field, ""), (changes, err.value.errors)
    assert counts(backend) == before


def test_a_notice_dated_in_the_future_is_refused(backend, village):
    tomorrow = backend.today() + timedelta(days=1)
    with pytest.raises(ValidationError) as err:
        create_notice(backend, STAFF, village, notice(published_on=tomorrow.isoformat()))
    assert "不能晚于今天" in err.value.errors["published_on"]


def test_notice_correction_needs_a_reason_and_a_change(backend, village):
    create_notice(backend, STAFF, village, notice())
    before = counts(backend)
    with pytest.raises(ValidationError) as err:
        correct_notice(backend, STAFF, village, "GG-2024-001", notice(title="改了"), "  ")
    assert "原因" in err.value.errors["reason"]
    with pytest.raises(ValidationError, match="没有任何改动"):
        correct_notice(backend, STAFF, village, "GG-2024-001", notice(), "没改")
    assert counts(backend) == before
    create_notice(backend, STAFF, village, notice(number="GG-2024-002"))
    with pytest.raises(ValidationError, match="已存在"):
        correct_notice(backend, STAFF, village, "GG-2024-001", notice(number="GG-2024-002"), "改编号")
    with pytest.raises(NotFound):
        correct_notice(backend, STAFF, village, "GG-NOPE", notice(), "不存在")


# -- plans -------------------------------------------------------------------------------------

def test_a_plan_revision_is_a_new_version_with_its_reason(backend, village):
    create_plan(backend, STAFF, village, plan())
    revised = plan_input_from(create_plan(backend, STAFF, village, plan(number="FA-2024-002")))
    revised.body, revised.comment_until = "一、租金\n每亩每年500元", "2024-04-15"
    result = correct_plan(backend, STAFF, village, "FA-2024-002", revised, "根据村民意见提高租金")
    assert result.version == 2 and result.comment_until == date(2024, 4, 15)
    last = entries(backend)[-1]
    assert last["action"] == "plan.correct" and last["reason"] == "根据村民意见提高租金"
    assert last["data"]["body"] == "一、租金\n每亩每年500元"


BAD_PLANS = [
    (dict(comment_from="2024-03-31", comment_until="2024-03-01"), "comment_until", "不能早于开始日期"),
    (dict(comment_until="2025-06-01"), "comment_until", "不能超过一年"),
    (dict(comment_from="2024-13-01"), "comment_from", "不是有效日期"),
    (dict(comment_until=""), "comment_until", "请填写"),
    (dict(body="字" * 20001), "body", "不能超过 20000 个字"),
    (dict(title=""), "title", "请填写方案名称"),
]


def test_bad_plan_input_is_refused_with_a_message_and_nothing_written(backend, village):
    before = counts(backend)
    for changes, field, message in BAD_PLANS:
        with pytest.raises(ValidationError) as err:
            create_plan(backend, STAFF, village, plan(**changes))
        assert message in err.value.errors.get(field, ""), (changes, err.value.errors)
    assert counts(backend) == before


def test_a_revision_must_keep_the_dates_of_comments_already_made(backend, village):
    create_plan(backend, STAFF, village, plan())
    add_comment(backend, VILLAGER, village, "FA-2024-001", comment(submitted_on="2024-03-05"))
    with pytest.raises(ValidationError, match="必须包含这些日期"):
        correct_plan(backend, STAFF, village, "FA-2024-001", plan(comment_from="2024-03-10"), "缩短征求意见期")


def test_adoption_waits_for_the_end_of_the_comment_period(backend, village):
    create_plan(backend, STAFF, village, plan())
    with pytest.raises(ValidationError) as err:
        adopt_plan(backend, STAFF, village, "FA-2024-001", "2024-03-20", "表决通过")
    assert "结束前不能通过" in err.value.errors["adopted_on"]
    adopted = adopt_plan(backend, STAFF, village, "FA-2024-001", "2024-04-08", "村民代表会议表决通过")
    assert adopted.status.value == "adopted" and adopted.version == 2
    assert entries(backend)[-1]["action"] == "plan.adopt"
    with pytest.raises(ValidationError, match="不能再修改"):
        correct_plan(backend, STAFF, village, "FA-2024-001", plan(title="改"), "通过后再改")


def test_plan_state_derives_open_and_closed_from_the_dates(backend, village):
    p = create_plan(backend, STAFF, village, plan())
    assert [p.state(date(2024, 2, 29)), p.state(date(2024, 3, 1)), p.state(date(2024, 3, 31)),
            p.state(date(2024, 4, 1))] == ["upcoming", "open", "open", "closed"]
    withdrawn = withdraw_plan_and_reload(backend, village)
    assert withdrawn.state(date(2024, 3, 15)) == "withdrawn"


def withdraw_plan_and_reload(backend, village):
    from portal.plans.services import withdraw_plan

    return withdraw_plan(backend, STAFF, village, "FA-2024-001", "方案有误，撤回重拟")


# -- comments and replies ----------------------------------------------------------------------

def test_a_comment_masks_the_name_in_public_and_commits_to_it_privately(backend, village):
    create_plan(backend, STAFF, village, plan())
    made = add_comment(backend, VILLAGER, village, "FA-2024-001", comment())
    assert made.number == 1
    with backend.db.read() as session:
        line = session.scalars(select(AuditEntry.line).order_by(AuditEntry.seq.desc())).first()
        private = session.scalars(select(PrivateRecord)).all()
    assert "欧阳秀英" not in line and "13912345678" not in line
    entry = json.loads(line)
    assert entry["actor"] == "villager:villager" and entry["action"] == "plan_comment.create"
    assert entry["data"]["commenter"] == "欧**英" and entry["data"]["group"] == "第三村民小组"
    assert len(entry["private"]) == 64
    assert any("欧阳秀英" in p.personal and "13912345678" in p.personal for p in private)


BAD_COMMENTS = [
    (dict(submitted_on="2024-02-28"), "submitted_on", "只能在征求意见期内"),
    (dict(submitted_on="2024-04-01"), "submitted_on", "只能在征求意见期内"),
    (dict(submitted_on="2024-3-35"), "submitted_on", "不是有效日期"),
    (dict(commenter_name=""), "commenter_name", "请填写姓名"),
    (dict(body=""), "body", "请填写意见内容"),
    (dict(body="意" * 2001), "body", "不能超过 2000 个字"),
    (dict(body="请打我电话 13812345678"), "body", "不要写手机号或身份证号"),
    (dict(body="身份证 35059919650312001X"), "body", "不要写手机号或身份证号"),
    (dict(commenter_phone="12345"), "commenter_phone", "联系电话"),
]


def test_bad_comment_is_refused_with_a_message_and_nothing_written(backend, village):
    create_plan(backend, STAFF, village, plan())
    before = counts(backend)
    for changes, field, message in BAD_COMMENTS:
        with pytest.raises(ValidationError) as err:
            add_comment(backend, VILLAGER, village, "FA-2024-001", comment(**changes))
        assert message in err.value.errors.get(field, ""), (changes, err.value.errors)
    assert counts(backend) == before


def test_comments_are_refused_on_adopted_or_withdrawn_plans(backend, village):
    create_plan(backend, STAFF, village, plan())
    adopt_plan(backend, STAFF, village, "FA-2024-001", "2024-04-01", "表决通过")
    with pytest.raises(ValidationError, match="已通过"):
        add_comment(backend, VILLAGER, village, "FA-2024-001", comment())
    with pytest.raises(NotFound):
        add_comment(backend, VILLAGER, village, "FA-NOPE", comment())


def test_a_reply_is_a_new_version_and_changing_it_needs_a_reason(backend, village):
    create_plan(backend, STAFF, village, plan())
    add_comment(backend, VILLAGER, village, "FA-2024-001", comment())
    with pytest.raises(PermissionDenied):
        reply_to_comment(backend, VILLAGER, village, "FA-2024-001", 1, "我自己答复")
    with pytest.raises(ValidationError, match="不能早于意见提出日期"):
        reply_to_comment(backend, COMMITTEE, village, "FA-2024-001", 1, "答复", replied_on="2024-03-01")
    answered = reply_to_comment(backend, COMMITTEE, village, "FA-2024-001", 1, "已提高到500元", replied_on="2024-03-08")
    assert answered.version == 2 and answered.replied_by == "committee" and answered.answered
    entry = entries(backend)[-1]
    assert (entry["action"], entry["version"], entry["reason"]) == ("plan_comment.reply", 2, None)
    assert entry["data"]["reply"] == "已提高到500元" and entry["data"]["replied_on"] == "2024-03-08"
    before = counts(backend)
    with pytest.raises(ValidationError) as err:
        reply_to_comment(backend, STAFF, village, "FA-2024-001", 1, "改为每亩520元")
    assert "原因" in err.value.errors["reason"]
    assert counts(backend) == before
    changed = reply_to_comment(backend, STAFF, village, "FA-2024-001", 1, "改为每亩520元", reason="答复金额写错")
    assert changed.version == 3 and entries(backend)[-1]["reason"] == "答复金额写错"
    with pytest.raises(NotFound):
        reply_to_comment(backend, STAFF, village, "FA-2024-001", 9, "没有这条")


def test_a_withdrawn_comment_stays_listed_with_its_reason(backend, village, client):
    create_plan(backend, STAFF, village, plan())
    add_comment(backend, VILLAGER, village, "FA-2024-001", comment())
    add_comment(backend, VILLAGER, village, "FA-2024-001", comment(commenter_name="李四", body="第二条"))
    withdraw_comment(backend, STAFF, village, "FA-2024-001", 1, "提意见人要求撤回")
    assert entries(backend)[-1]["action"] == "plan_comment.withdraw"
    with pytest.raises(ValidationError, match="已撤回"):
        reply_to_comment(backend, COMMITTEE, village, "FA-2024-001", 1, "答复")
    page = client.get(f"/v/{village}/plans/FA-2024-001").get_data(as_text=True)
    assert "提意见人要求撤回" in page and "已撤回" in page and "第二条" in page
    assert "租金太低" not in page  # the text of a withdrawn comment is not shown again


# -- votes -------------------------------------------------------------------------------------

BAD_VOTES = [
    (dict(yes=44, no=1, abstain=1), "total", "超过了应参加表决的 45 人"),
    (dict(no=-1), "no", "不能是负数"),
    (dict(yes="-3"), "yes", "不能是负数"),
    (dict(eligible=0), "eligible", "必须在 1 到"),
    (dict(abstain="两"), "abstain", "必须是整数"),
    (dict(held_on="2024-02-01"), "held_on", "不能早于方案公示开始日期"),
    (dict(held_on="昨天"), "held_on", "不是有效日期"),
    (dict(result=""), "result", "请填写表决结果"),
]


def test_bad_vote_is_refused_with_a_message_and_nothing_written(backend, village):
    create_plan(backend, STAFF, village, plan())
    before = counts(backend)
    for changes, field, message in BAD_VOTES:
        with pytest.raises(ValidationError) as err:
            record_vote(backend, STAFF, village, "FA-2024-001", vote(**changes))
        assert message in err.value.errors.get(field, ""), (changes, err.value.errors)
    assert counts(backend) == before


def test_a_vote_records_tallies_and_a_correction_needs_a_reason(backend, village):
    create_plan(backend, STAFF, village, plan())
    recorded = record_vote(backend, STAFF, village, "FA-2024-001", vote(yes=40, no=2, abstain=2))
    assert recorded.number == 1 and recorded.not_voted == 1 and recorded.share(40) == "88.9"
    entry = entries(backend)[-1]
    assert entry["action"] == "consent_vote.create"
    assert {k: entry["data"][k] for k in ("eligible", "yes", "no", "abstain")} == {
        "eligible": 45, "yes": 40, "no": 2, "abstain": 2}
    with pytest.raises(ValidationError, match="原因"):
        correct_vote(backend, STAFF, village, "FA-2024-001", 1, vote(), "")
    fixed = correct_vote(backend, STAFF, village, "FA-2024-001", 1, vote(), "同意票少记一票，按会议记录更正")
    assert fixed.version == 2 and fixed.yes_count == 41
    assert entries(backend)[-1]["reason"] == "同意票少记一票，按会议记录更正"


def test_the_live_rows_match_the_log(backend, village):
    create_notice(backend, STAFF, village, notice())
    create_plan(backend, STAFF, village, plan())
    add_comment(backend, VILLAGER, village, "FA-2024-001", comment())
    reply_to_comment(backend, COMMITTEE, village, "FA-2024-001", 1, "谢谢", replied_on="2024-03-06")
    record_vote(backend, STAFF, village, "FA-2024-001", vote())
    with backend.db.read() as session:
        report = verify_log(session, session.scalar(select(Village)).code, backend.signer, backend.files_dir,
                            backend.registry)
    assert report.ok, report.problems


def test_line_diff_lists_only_the_changed_lines():
    assert line_diff("一\n二\n三", "一\n二改\n三\n\n四") == [("del", "二"), ("ins", "二改"), ("ins", "四")]
    assert line_diff(None, "新") == [("ins", "新")]


# -- pages on the demo -------------------------------------------------------------------------

DEMO_PAGES = {
    "/v/lianban/notices": ["公告", "莲坂村土地集中流转招租公告", "已撤回", "GG-2024-002"],
    "/v/lianban/notices?category=finance": ["2024年第一季度村级财务收支公开"],
    "/v/lianban/notices/GG-2024-002": ["35,000.00", "上级补助金额录入错误", "第 2 版", "核验此记录", "删去"],
    "/v/lianban/notices/GG-2023-005": ["招租公告", "每亩每年450元"],
    "/v/lianban/plans": ["方案公示", "已通过", "正在征求意见", "待回复 1 条"],
    "/v/lianban/plans?state=adopted": ["莲坂村土地集中流转方案"],
    "/v/lianban/plans/FA-2023-001": ["征求意见稿", "方案已通过", "陈*水", "第 7 条", "村民代表会议", "41 人",
                                     "91.1%", "width=\"911\"", "根据村民意见修改", "每亩每年450元", "核验此记录",
                                     "第 3 版"],
    "/v/lianban/plans/FA-{year}-001": ["正在征求意见", "还剩 15 天", "郑*玉", "许*亮", "待回复"],
    "/v/lianban/plans/FA-2023-001/comments": ["意见及答复汇总", "陈*水"],
}


@pytest.fixture
def demo_today(backend) -> int:
    """The demo built as of today (Beijing), so this year's plan is open whenever the test runs."""
    from portal.demo import build_demo

    build_demo(backend, backend.today())
    return backend.today().year


def test_notice_and_plan_pages_and_downloads_work_with_the_demo(client, demo_today):
    for url, expected in DEMO_PAGES.items():
        response = client.get(url.format(year=demo_today))
        page = _as_read(response.get_data(as_text=True))
        assert response.status_code == 200, url
        missing = [text for text in expected if text not in page]
        assert not missing, (url, missing)
    assert client.get("/v/lianban/notices?category=tender").get_data(as_text=True).count("<li><a") == 1
    village = client.get("/v/lianban/").get_data(as_text=True)
    assert "/v/lianban/notices" in village and "/v/lianban/plans" in village

    # the lists also download, with the same rows
    listing = client.get("/v/lianban/plans.json").get_json()
    assert listing["list"] == "plans" and [r["state"] for r in listing["rows"]] == ["open", "adopted"]
    adopted = next(r for r in listing["rows"] if r["number"] == "FA-2023-001")
    assert adopted["state"] == "adopted" and adopted["comments"] == 7 and adopted["version"] == 3
    notices = client.get("/v/lianban/notices.json").get_json()
    assert "GG-2025-003" in {r["number"] for r in notices["rows"]}
    assert "上级补助" not in json.dumps(notices, ensure_ascii=False)  # bodies stay on the record pages
    comments = client.get("/v/lianban/plans/FA-2023-001/comments.json").get_json()
    assert [r["commenter"] for r in comments["rows"]][:2] == ["陈*水", "林*兰"]
    csv = client.get("/v/lianban/notices.csv")
    assert csv.status_code == 200 and "公告编号" in csv.get_data().decode("utf-8-sig")
    xlsx = client.get("/v/lianban/plans/FA-2023-001/comments.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_unknown_numbers_get_a_friendly_404_and_bad_filters_a_400(client, backend, village):
    create_notice(backend, STAFF, village, notice())
    for url, what in (("/v/testcun/notices/NOPE", "公告"), ("/v/testcun/plans/NOPE", "方案"),
                      ("/v/testcun/plans/NOPE/comments", "方案"), ("/v/nowhere/notices", "村")):
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == 404, url
        assert "页面不存在" in page and f"的{what}" in page and "Traceback" not in page
    for url, status in (("/v/testcun/notices?category=gossip", 400), ("/v/testcun/plans?state=maybe", 400),
                        ("/v/testcun/notices?page=x", 400), ("/v/testcun/notices?page=99", 404),
                        ("/v/testcun/plans.exe", 404), ("/v/testcun/notices?category=finance", 200)):
        response = client.get(url)
        assert response.status_code == status, url
        assert "Traceback" not in response.get_data(as_text=True)


def _xlsx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return "".join(book.read(name).decode("utf-8") for name in book.namelist() if name.endswith(".xml"))


def test_no_full_commenter_name_in_any_public_byte(client, demo, backend):
    with backend.db.read() as session:
        names = set(session.scalars(select(PlanComment.commenter_name)))
    assert {name for name, *_ in CONSOLIDATION_COMMENTS} <= names and len(names) >= 9
    urls = ["/v/lianban/", "/v/lianban/plans", "/v/lianban/plans.json", "/v/lianban/plans.csv",
            "/v/lianban/plans/FA-2023-001", "/v/lianban/plans/FA-2026-001", "/v/lianban/notices",
            "/v/lianban/audit/entries.jsonl"]
    for number in ("FA-2023-001", "FA-2026-001"):
        urls += [f"/v/lianban/plans/{number}/comments{suffix}" for suffix in ("", ".json", ".csv")]
    public = {url: client.get(url).get_data().decode("utf-8") for url in urls}
    public["comments.xlsx"] = _xlsx_text(client.get("/v/lianban/plans/FA-2023-001/comments.xlsx").data)
    for url, text in public.items():
        assert not [name for name in names if name in text], url


# -- cross-site scripting ----------------------------------------------------------------------

class _Markup(HTMLParser):
    """The elements, attributes and text of a page, as a browser would parse them."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _without_proof_path(html: str) -> str:
    """The inclusion proof grows with the log, so its list of hashes is left out of comparisons."""
    return re.sub(r'<ol class="proof">.*?</ol>', "", html, flags=re.S)


def _tags(html: str) -> Counter:
    """The page's elements, but the portal's own <span class="nw"> that keeps a date, an amount or
    a record number on one line (portal/publishing/tokens.py): payload text may hold such tokens."""
    return Counter(tag for tag, attrs in _Markup(_without_proof_path(html)).tags if attrs != {"class": "nw"})


def _as_read(html: str) -> str:
    """The page without the <span class="nw"> around tokens, to find a phrase that holds one."""
    return re.sub(r'<span class="nw">(.*?)</span>', r"\1", html)


def assert_inert(html: str, payloads: list[str], expected_tags: Counter) -> None:
    """The payloads show as text, and the page has exactly the elements of a harmless one."""
    page = _Markup(html)
    text = "".join(page.text)
    assert [p for p in payloads if p not in text] == []
    assert _tags(html) == expected_tags
    for tag, attrs in page.tags:
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        assert tag != "script" or (attrs.get("src") or "").startswith("/static/"), attrs
        assert not any(str(v).strip().lower().startswith(("javascript:", "vbscript:", "data:text"))
                       for v in attrs.values() if v is not None), (tag, attrs)
    raw = html.lower()
    assert raw.count("<script") == raw.count('<script src="/static/')
    assert "<img" not in raw and "<svg" not in raw and "<iframe" not in raw and "<body onload" not in raw


def _payloads() -> list[str]:
    return [line.strip() for line in PAYLOADS.read_text(encoding="utf-8").splitlines() if line.strip()]


def _packed(payloads: list[str], limit: int, sep: str) -> list[str]:
    """The payloads joined into as few texts of at most `limit` characters as they fit in
    (a longer payload is cut to `limit`), so neighbours also meet inside one text."""
    packs: list[str] = []
    for payload in (p[:limit].strip() for p in payloads):
        if packs and len(packs[-1]) + len(sep) + len(payload) <= limit:
            packs[-1] += sep + payload
        else:
            packs.append(payload)
    return packs


@pytest.mark.slow
def test_xss_payloads_in_notices_and_comments_are_shown_as_text(backend, village, client):
    """Every line of payloads.txt goes into a notice title, a notice body and a comment body."""
    payloads = _payloads()
    assert len(payloads) > 500
    titles, bodies = _packed(payloads, 200, " "), _packed(payloads, 5000, "\n")
    create_notice(backend, STAFF, village, notice(number="GG-0", title="无害的标题", body="无害的正文"))
    harmless = _tags(client.get(f"/v/{village}/notices/GG-0").get_data(as_text=True))
    for i, title in enumerate(titles, start=1):
        body = bodies[i - 1] if i <= len(bodies) else "无害的正文"
        if looks_like_html(body) and not clean_html(body):
            with pytest.raises(ValidationError) as refused:  # nothing readable left of it
                create_notice(backend, STAFF, village, notice(number=f"GG-{i}", title=title, body=body))
            assert "body" in refused.value.errors
            body = "无害的正文"
        stored = create_notice(backend, STAFF, village, notice(number=f"GG-{i}", title=title, body=body)).body
        html = client.get(f"/v/{village}/notices/GG-{i}").get_data(as_text=True)
        # A body with tags is kept as the sanitizer's HTML (its elements only from the allowlist),
        # one without as text shown as typed.
        kept = _tags(stored) if looks_like_html(body) else Counter()
        assert set(kept) <= ALLOWED_TAGS
        assert_inert(html, [title] if looks_like_html(body) else [title, body], harmless + kept)
    for page in range(1, len(titles) // 20 + 2):
        listing = client.get(f"/v/{village}/notices?page={page}").get_data(as_text=True)
        assert "<script>" not in listing and "<img" not in listing and "<svg" not in listing

    # Comments: the page with an answered and an unanswered harmless comment, and what one more
    # unanswered comment adds, give the elements the page must have with every payload added.
    create_plan(backend, STAFF, village, plan(comment_until="2024-12-31"))
    add_comment(backend, VILLAGER, village, "FA-2024-001", comment(body="无害的意见"))
    reply_to_comment(backend, COMMITTEE, village, "FA-2024-001", 1, "无害的答复", replied_on="2024-03-06")
    add_comment(backend, VILLAGER, village, "FA-2024-001", comment(body="无害的第二条意见"))
    one = _tags(client.get(f"/v/{village}/plans/FA-2024-001").get_data(as_text=True))
    add_comment(backend, VILLAGER, village, "FA-2024-001", comment(body="无害的第三条意见"))
    two = _tags(client.get(f"/v/{village}/plans/FA-2024-001").get_data(as_text=True))
    per_comment = two - one
    texts = _packed(payloads, 2000, "\n")
    for text in texts:
        add_comment(backend, VILLAGER, village, "FA-2024-001", comment(body=text, group_name=text[:50].strip()))
    html = client.get(f"/v/{village}/plans/FA-2024-001").get_data(as_text=True)
    expected = two + Counter({tag: n * len(texts) for tag, n in per_comment.items()})
    assert_inert(html, texts + [t[:50].strip() for t in texts], expected)
    summary = client.get(f"/v/{village}/plans/FA-2024-001/comments").get_data(as_text=True)
    assert "<script>" not in summary and "<img" not in summary and "<svg" not in summary
