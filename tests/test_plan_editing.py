"""Plans for comment and consent votes edited in the staff workspace: a plan drafted, revised and
adopted (通过) through committee approval; a vote's tallies checked, with the scan of its signed
opinion forms kept private and only its hash public. Flask test client, SQLite and PostgreSQL."""
from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import select

from portal.drafts.models import Draft, DraftState
from portal.plans.models import ConsentVote
from portal.plans.services import PlanInput, VoteInput, create_plan, record_vote
from tests.conftest import STAFF
from tests.test_receipt_editing import PDF, approve, field_error, png
from tests.test_workspace import count, login, only_draft, people  # noqa: F401  (fixture)

PLAN = {"number": "FA-2024-001", "title": "东洋片区土地集中流转方案", "body": "一、流转范围：东洋片区。\n二、租金每亩 500 元。",
        "comment_from": "2024-03-01", "comment_until": "2024年3月31日"}
VOTE = {"plan": "FA-2024-001", "meeting": "村民代表会议", "question": "是否同意土地集中流转方案",
        "held_on": "2024年4月8日", "eligible": "398", "yes": "350", "no": "30", "abstain": "10", "result": "通过"}


def newest_draft(backend, **where) -> Draft:
    with backend.db.read() as session:
        query = select(Draft).where(*(getattr(Draft, k) == v for k, v in where.items()))
        return session.scalars(query.order_by(Draft.id.desc())).first()


def test_a_plan_is_drafted_revised_and_adopted_through_approval(client, backend, people):
    login(client, "cun-staff")
    assert client.post("/staff/new/plan", data={**PLAN, "action": "submit"}).status_code == 302
    created = approve(client, backend, only_draft(backend).id)
    assert (created.action, created.data["comment_until"]) == ("plan.create", "2024-03-31")
    assert "东洋片区土地集中流转方案" in client.get("/v/testcun/plans/FA-2024-001").get_data(as_text=True)

    login(client, "cun-staff")  # a revision (修改稿) is a correction with its reason
    records = client.get("/staff/records/plan").get_data(as_text=True)
    assert "/staff/plan/FA-2024-001/correct" in records and "/staff/plan/FA-2024-001/adopt" in records
    revised = {**PLAN, "body": "一、流转范围：东洋片区。\n二、租金每亩 520 元。", "action": "submit", "reason": "采纳村民意见提高租金"}
    assert client.post("/staff/plan/FA-2024-001/correct", data=revised).status_code == 302
    draft = newest_draft(backend, verb="correct")
    login(client, "cun-committee")
    assert "与现行版本相比的改动" in client.get(f"/committee/drafts/{draft.id}").get_data(as_text=True)
    corrected = approve(client, backend, draft.id)
    assert (corrected.action, corrected.version, corrected.reason) == ("plan.correct", 2, "采纳村民意见提高租金")
    public = client.get("/v/testcun/plans/FA-2024-001").get_data(as_text=True)
    assert "520" in public and "第 2 版" in public

    login(client, "cun-staff")  # 通过: an act of its own, drafted with its date and reason
    form = client.get("/staff/plan/FA-2024-001/adopt").get_data(as_text=True)
    assert "通过日期" in form and "理由" in form and "方案正文" not in form
    early = client.post("/staff/plan/FA-2024-001/adopt",
                        data={"adopted_on": "2024-03-20", "reason": "村民代表会议表决通过", "action": "submit"})
    assert early.status_code == 400 and "结束前不能通过方案" in field_error(early.get_data(as_text=True), "adopted_on")
    no_reason = client.post("/staff/plan/FA-2024-001/adopt", data={"adopted_on": "2024-04-10", "action": "submit"})
    assert no_reason.status_code == 400 and "请填写通过的理由" in no_reason.get_data(as_text=True)
    assert client.post("/staff/plan/FA-2024-001/adopt", data={
        "adopted_on": "2024年4月10日", "reason": "2024年4月8日村民代表会议表决通过", "action": "submit"}).status_code == 302
    draft = newest_draft(backend, verb="adopt")
    assert draft.state is DraftState.SUBMITTED and draft.target == "FA-2024-001"
    assert "通过 · FA-2024-001" in client.get("/staff/").get_data(as_text=True)
    login(client, "cun-committee")
    page = client.get(f"/committee/drafts/{draft.id}").get_data(as_text=True)
    assert "<del>公示中</del>" in page and "<ins>已通过</ins>" in page and "通过日期" in page
    adopted = approve(client, backend, draft.id)
    assert (adopted.action, adopted.reason, adopted.data["adopted_on"]) == (
        "plan.adopt", "2024年4月8日村民代表会议表决通过", "2024-04-10")
    assert "方案已通过" in client.get("/v/testcun/plans/FA-2024-001").get_data(as_text=True)
    login(client, "cun-staff")
    assert "/staff/plan/FA-2024-001/adopt" not in client.get("/staff/records/plan").get_data(as_text=True)
    assert client.get("/staff/plan/FA-2024-001/publish").status_code == 404  # no such act


@pytest.fixture
def plan(backend, people):
    create_plan(backend, STAFF, people, PlanInput(**{k: v for k, v in PLAN.items()}))
    return "FA-2024-001"


def send_vote(client, url="/staff/new/consent_vote", *, forms=None, action="submit", **changes):
    data = {**VOTE, **changes, "action": action}
    if forms is not None:
        data["forms"] = forms
    return client.post(url, data=data, content_type="multipart/form-data")


def test_a_vote_with_its_signed_forms_is_published_with_only_the_hash_public(client, backend, plan):
    import io

    login(client, "cun-staff")
    form = client.get("/staff/new/consent_vote").get_data(as_text=True)
    assert '<option value="FA-2024-001">FA-2024-001 东洋片区土地集中流转方案</option>' in form
    assert send_vote(client, forms=(io.BytesIO(PDF), "签字表.pdf")).status_code == 302
    draft = only_draft(backend)
    assert draft.title == "FA-2024-001 · 村民代表会议 2024年4月8日 · 同意 350/398（87.9%）"
    assert draft.fields["forms"] == hashlib.sha256(PDF).hexdigest()
    login(client, "cun-committee")
    review = client.get(f"/committee/drafts/{draft.id}").get_data(as_text=True)
    assert "下载查看（PDF）" in review and hashlib.sha256(PDF).hexdigest() in review
    entry = approve(client, backend, draft.id)
    assert entry.action == "consent_vote.create" and entry.data["forms_sha256"] == hashlib.sha256(PDF).hexdigest()
    assert (entry.data["plan"], entry.data["number"], entry.data["yes"]) == ("FA-2024-001", 1, 350)
    assert only_draft(backend).published_number == "FA-2024-001/1"
    assert 'href="/v/testcun/plans/FA-2024-001#votes"' in client.get(f"/committee/drafts/{draft.id}").get_data(as_text=True)

    forms_url = "/v/testcun/plans/FA-2024-001/votes/1/forms"
    seen = client.get(forms_url)  # the village's committee may open it; never cached
    assert seen.status_code == 200 and seen.data == PDF and seen.headers["Cache-Control"] == "private, no-store"
    assert seen.headers["Content-Disposition"].startswith("attachment")
    assert forms_url in client.get("/v/testcun/plans/FA-2024-001").get_data(as_text=True)
    login(client, "other-staff")
    assert client.get(forms_url).status_code == 403
    client.post("/logout")
    assert client.get(forms_url).status_code == 403
    public = client.get("/v/testcun/plans/FA-2024-001").get_data(as_text=True)
    assert "87.9%" in public and hashlib.sha256(PDF).hexdigest() in public and forms_url not in public
    assert 'id="vote-1"' in public

    login(client, "cun-staff")  # a correction names the vote by plan and number
    assert "/staff/consent_vote/FA-2024-001/1/correct" in client.get("/staff/records/consent_vote").get_data(as_text=True)
    prefilled = client.get("/staff/consent_vote/FA-2024-001/1/correct").get_data(as_text=True)
    assert 'value="350"' in prefilled and "计票核对" in prefilled and "87.9%" in prefilled
    image = png()
    assert send_vote(client, "/staff/consent_vote/FA-2024-001/1/correct", yes="351", no="29",
                     forms=(io.BytesIO(image), "签字表.png"), reason="同意票少计一张").status_code == 302
    draft = newest_draft(backend, verb="correct")
    assert draft.target == "FA-2024-001/1"
    login(client, "cun-committee")
    page = client.get(f"/committee/drafts/{draft.id}").get_data(as_text=True)
    assert "<del>350</del>" in page and "<ins>351</ins>" in page
    assert f'<img class="scan" src="/committee/drafts/{draft.id}/files/forms"' in page
    corrected = approve(client, backend, draft.id)
    assert (corrected.action, corrected.version, corrected.reason) == ("consent_vote.correct", 2, "同意票少计一张")
    served = client.get(forms_url)  # the new scan replaced the first; the log names the file served
    assert served.mimetype == "image/png" and corrected.data["forms_sha256"] == hashlib.sha256(served.data).hexdigest()


def test_a_correction_cannot_move_a_vote_to_another_plan(client, backend, plan):
    create_plan(backend, STAFF, "testcun", PlanInput("FA-2024-002", "另一方案", "正文", "2024-03-01", "2024-03-31"))
    record_vote(backend, STAFF, "testcun", plan, VoteInput(**{k: v for k, v in VOTE.items() if k != "plan"}))
    login(client, "cun-staff")
    moved = send_vote(client, "/staff/consent_vote/FA-2024-001/1/correct", plan="FA-2024-002", reason="改方案")
    assert moved.status_code == 400 and "不能改到别的方案" in field_error(moved.get_data(as_text=True), "plan")
    assert client.get("/staff/consent_vote/FA-2024-001/9/correct").status_code == 404
    assert client.get("/staff/consent_vote/FA-2024-001/correct").status_code == 404  # not plan/number


@pytest.mark.parametrize("changes, field, message", [
    ({"yes": "390", "no": "10", "abstain": "1"}, "eligible", "合计 401 票，超过了应参加表决的 398 人"),
    ({"no": "-3"}, "no", "反对票数不能是负数"),
    ({"yes": "三百"}, "yes", "同意票数必须是整数"),
    ({"eligible": "0"}, "eligible", "应参加表决人数必须在 1 到"),
    ({"plan": ""}, "plan", "请选择表决的方案"),
    ({"plan": "FA-NONE"}, "plan", "FA-NONE"),
    ({"held_on": "2024-02-20"}, "held_on", "不能早于方案公示开始日期"),
    ({"held_on": "2099-01-01"}, "held_on", "不能晚于今天"),
])
def test_each_bad_tally_is_named_next_to_its_field_and_nothing_is_saved(client, backend, plan, changes, field,
                                                                       message):
    login(client, "cun-staff")
    response = send_vote(client, **changes)
    assert response.status_code == 400
    assert message in field_error(response.get_data(as_text=True), field), response.get_data(as_text=True)
    assert count(backend, Draft) == 0 and count(backend, ConsentVote) == 0


def test_a_saved_vote_draft_shows_its_shares_of_the_eligible(client, backend, plan):
    login(client, "cun-staff")
    assert send_vote(client, action="save", yes="390", no="10", abstain="1").status_code == 302  # saving checks little
    page = client.get(f"/staff/drafts/{only_draft(backend).id}/edit").get_data(as_text=True)
    shares = re.findall(r"<td>(\d+)</td><td>([\d.]+%|—)</td>", page)
    assert shares == [("390", "98.0%"), ("10", "2.5%"), ("1", "0.3%")] and "—" in page
    assert "合计 401 票，超过了应参加表决的 398 人" in page


def test_audit_verify_accepts_votes_and_comments_with_and_without_the_new_keys(client, backend, plan, runner):
    from portal.plans.services import CommentInput, add_comment

    record_vote(backend, STAFF, "testcun", plan, VoteInput(**{k: v for k, v in VOTE.items() if k != "plan"}))
    record_vote(backend, STAFF, "testcun", plan, VoteInput(**{k: v for k, v in VOTE.items() if k != "plan"},
                                                          forms=PDF))
    add_comment(backend, STAFF, "testcun", plan, CommentInput("张三", "意见", submitted_on="2024-03-05",
                                                              on_behalf="村民口述，村干部代录"))
    with backend.db.read() as session:
        states = [v.public_state() for v in session.scalars(select(ConsentVote).order_by(ConsentVote.number))]
    assert "forms_sha256" not in states[0] and states[1]["forms_sha256"] == hashlib.sha256(PDF).hexdigest()
    result = runner.invoke(args=["audit", "verify", "--village", "testcun"])
    assert result.exit_code == 0, result.output
