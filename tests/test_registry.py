"""Every registered record type gets what the registry promises: a history, a feed entry, a search
entry (when public), an export, and writes refused to the wrong role or another village's actor.

Each test is parametrised over the registry itself, so a new record type is covered the moment it
is registered; `RECORD_MAKERS` must then say how to make one through its service (the first test
fails until it does).
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts.services import UserInput, create_user
from portal.auditlog.models import AuditEntry
from portal.complaints.services import ComplaintInput, file_complaint
from portal.contracts.services import ContractInput, create_contract
from portal.dividends.models import DividendLine
from portal.dividends.services import PlanInput as DividendPlanInput
from portal.dividends.services import create_plan as create_dividend_plan
from portal.findings.services import FindingInput, create_finding
from portal.kernel.base import Base
from portal.kernel.errors import PermissionDenied
from portal.kernel.registry import ROLES, RecordType
from portal.kernel.transaction import SYSTEM, Actor, Backend
from portal.ledger.services import EntryInput, FundInput, book_entry, create_fund
from portal.meetings.services import MeetingInput, create_meeting
from portal.notices.services import NoticeInput, create_notice
from portal.signings.services import SigningInput, record_signing
from portal.entrustments.services import EntrustmentInput, create_entrustment
from portal.parcels.services import AssetInput, create_asset
from portal.plans.services import CommentInput, PlanInput, VoteInput, add_comment, create_plan, record_vote
from portal.receipts.services import ReceiptInput, record_receipt
from portal.registry import REGISTRY
from portal.tenders.services import TenderInput, create_tender
from portal.villages.services import VillageInput, create_village
from portal.witnessing.models import CommitteeKey

from .conftest import DATABASES, DEMO_STAFF

VILLAGER = Actor("villager", "villager")
DEMO_COMMITTEE = Actor("demo-committee", "committee", village="lianban")
OTHER_VILLAGE_STAFF = Actor("other-staff", "staff", village="other")
OTHER_VILLAGE_COMMITTEE = Actor("other-committee", "committee", village="other")


@dataclass(frozen=True)
class Made:
    entity_id: str
    search: str | None  # a word only this record's public state holds (None: not searchable)


def _open_plan(backend: Backend, number: str = "REG-FA-002") -> None:
    today = backend.today()
    create_plan(backend, DEMO_STAFF, "lianban", PlanInput(
        number=number, title="测试方案（登记表测试）", body="测试方案正文",
        comment_from=(today - timedelta(days=3)).isoformat(), comment_until=(today + timedelta(days=10)).isoformat()))


def make_village(backend: Backend, actor: Actor) -> Made:
    create_village(backend, actor, VillageInput(code="regtest", name="登记测试村", township="测试镇"))
    return Made("regtest", None)


def make_user(backend: Backend, actor: Actor) -> Made:
    user = create_user(backend, actor, UserInput(username="reg-staff", display_name="登记测试员",
                                                 password="long-enough-1", role="staff", village_code="lianban"))
    return Made(str(user.id), None)


def make_asset(backend: Backend, actor: Actor) -> Made:
    asset = create_asset(backend, actor, "lianban", AssetInput(number="REG-001", name="登记测试地块甲", kind="land",
                                                               area="3.50"))
    return Made(asset.audit_id(), "登记测试地块甲")


def prepare_contract(backend: Backend) -> None:
    create_asset(backend, DEMO_STAFF, "lianban", AssetInput(number="REG-002", name="登记测试地块乙", kind="land",
                                                            area="2.00"))


def make_contract(backend: Backend, actor: Actor) -> Made:
    contract = create_contract(backend, actor, "lianban", ContractInput(
        number="REG-HT-001", title="登记测试合同", lessee_kind="company", lessee_name="登记测试农业有限公司",
        start_date="2024-01-01", end_date="2028-12-31", rent_rate="500", rent_unit="mu_year",
        assets=[("REG-002", None)]))
    return Made(contract.audit_id(), "登记测试农业有限公司")


def make_receipt(backend: Backend, actor: Actor) -> Made:
    receipt = record_receipt(backend, actor, "lianban", ReceiptInput(
        number="REG-SK-001", amount="123.45", received_on=backend.today().isoformat(),
        payer_name="登记测试茶业有限公司", note="登记测试收款"))
    return Made(receipt.audit_id(), "登记测试收款")


def make_notice(backend: Backend, actor: Actor) -> Made:
    notice = create_notice(backend, actor, "lianban", NoticeInput(
        number="REG-GG-001", title="登记测试公告", category="affairs", body="登记测试公告正文",
        published_on=backend.today().isoformat()))
    return Made(notice.audit_id(), "登记测试公告")


def make_plan(backend: Backend, actor: Actor) -> Made:
    today = backend.today()
    plan = create_plan(backend, actor, "lianban", PlanInput(
        number="REG-FA-001", title="登记测试方案", body="登记测试方案正文",
        comment_from=today.isoformat(), comment_until=(today + timedelta(days=7)).isoformat()))
    return Made(plan.audit_id(), "登记测试方案")


def make_plan_comment(backend: Backend, actor: Actor) -> Made:
    comment = add_comment(backend, actor, "lianban", "REG-FA-002", CommentInput(
        commenter_name="登记测试人", body="登记测试意见内容", group_name="第九村民小组"))
    return Made(comment.audit_id(), "登记测试意见内容")


def make_consent_vote(backend: Backend, actor: Actor) -> Made:
    vote = record_vote(backend, actor, "lianban", "REG-FA-002", VoteInput(
        meeting="登记测试村民代表会议", question="登记测试表决事项", held_on=backend.today().isoformat(),
        eligible="40", yes="30", no="5", abstain="5", result="通过"))
    return Made(vote.audit_id(), "登记测试表决事项")


def make_signing(backend: Backend, actor: Actor) -> Made:
    signing = record_signing(backend, actor, "lianban", SigningInput(
        number="REG-QY-001", contract_number="LB-HT-2016-002", signed_on=backend.today().isoformat(),
        place="登记测试签约地点", lessor_role="村委会主任", lessor_name="王建国", lessee_role="承包人",
        lessee_name="登记测试人"))
    return Made(signing.audit_id(), "登记测试签约地点")
def make_complaint(backend: Backend, actor: Actor) -> Made:
    filed = file_complaint(backend, actor, "lianban", ComplaintInput(
        kind="complaint", body="登记测试投诉内容", name="登记测试人", phone="13812345678"))
    return Made(filed.complaint.audit_id(), "登记测试投诉内容")
def make_tender(backend: Backend, actor: Actor) -> Made:
    tender = create_tender(backend, actor, "lianban", TenderInput(
        number="REG-ZZ-001", title="登记测试招租公告", mode="auction", use="登记测试用途", term_start="2030-01-01",
        term_end="2034-12-31", reserve_price="500", increment="10", deposit="1000", eligibility="不限",
        bid_deadline=(backend.today() + timedelta(days=30)).isoformat(), lots=[("REG-003", None)]))
    return Made(tender.audit_id(), "登记测试招租公告")


def prepare_tender(backend: Backend) -> None:
    create_asset(backend, DEMO_STAFF, "lianban", AssetInput(number="REG-003", name="登记测试地块丙", kind="land",
                                                            area="4.00"))


# What must exist before a record of the type can be made (written by the village's staff).
def make_meeting(backend: Backend, actor: Actor) -> Made:
    found = create_meeting(backend, actor, "lianban", MeetingInput(
        number="REG-HY-001", held_on=backend.today().isoformat(), kind="representatives", title="登记测试会议",
        expected="10", present="9", agenda="登记测试议程", votes_for="8", votes_against="1", abstained="0",
        decision="登记测试决议"))
    return Made(found.audit_id(), "登记测试决议")


def make_finding(backend: Backend, actor: Actor) -> Made:
    found = create_finding(backend, actor, "lianban", FindingInput(
        title="登记测试问题", description="登记测试问题说明", records="LB-HT-2016-017", responsible="村委会",
        due_on=(backend.today() + timedelta(days=30)).isoformat(), responsible_person="登记测试人"))
    return Made(found.audit_id(), "登记测试问题说明")


def make_fund(backend: Backend, actor: Actor) -> Made:
    fund = create_fund(backend, actor, "lianban", FundInput("REG-JJ-001", "登记测试基金", "all", "1", "10"))
    return Made(fund.audit_id(), "登记测试基金")


def make_ledger_entry(backend: Backend, actor: Actor) -> Made:
    entry = book_entry(backend, actor, "lianban", EntryInput(
        number="REG-ZJ-001", booked_on=backend.today().isoformat(), direction="expense", category="admin",
        amount="12.30", counterparty="登记测试文具店", note="登记测试支出"))
    return Made(entry.audit_id(), "登记测试支出")


def prepare_entrustment(backend: Backend) -> None:
    create_asset(backend, DEMO_STAFF, "lianban", AssetInput(number="REG-004", name="登记测试地块丁", kind="land",
                                                            area="8.5"))


def make_entrustment(backend: Backend, actor: Actor) -> Made:
    made = create_entrustment(backend, actor, "lianban", EntrustmentInput(
        number="REG-WT-001", household_name="登记测试农户", start_date="2024-01-01", end_date="2030-12-31",
        rent_rate="450", assets=[("REG-004", None)], note="登记测试委托"))
    return Made(made.audit_id(), "登记测试委托")


def _meeting_for_plan(backend: Backend) -> None:
    make_meeting(backend, DEMO_STAFF)


def make_dividend_plan(backend: Backend, actor: Actor) -> Made:
    today = backend.today()
    made = create_dividend_plan(backend, actor, "lianban", DividendPlanInput(
        number="REG-FH-001", year="2031", title="登记测试分红方案", total="100", meeting_number="REG-HY-001",
        publicity_from=today.isoformat(), publicity_until=(today + timedelta(days=6)).isoformat(),
        roll="REG-H1,登记甲,1\nREG-H2,登记乙,2"))
    return Made(made.audit_id(), "登记测试分红方案")


def make_committee_key(backend: Backend, actor: Actor) -> Made:
    from audit import cosignature
    from portal.witnessing.services import key_name, register_key

    from portal.accounts.models import User

    with backend.db.read() as session:
        number = (session.scalar(select(func.max(CommitteeKey.number))) or 0) + 1
        actor = replace(actor, user_id=session.scalar(select(User.id).where(User.username == actor.username)))
    signer = cosignature.generate_signer(key_name(backend, "lianban", number))
    key = register_key(backend, actor, "lianban", cosignature.verifier_from_signer(signer))
    return Made(key.audit_id(), None)


def make_dividend_line(backend: Backend, actor: Actor) -> Made:
    make_dividend_plan(backend, actor)
    with backend.db.read() as session:
        line = session.scalar(select(DividendLine).where(DividendLine.household == "REG-H2"))
        assert line is not None
        return Made(line.audit_id(), "REG-H2")


PREPARE: dict[str, Callable[[Backend], None]] = {
    "contract": prepare_contract, "tender": prepare_tender, "plan_comment": _open_plan, "consent_vote": _open_plan,
    "dividend_plan": _meeting_for_plan, "dividend_line": _meeting_for_plan, "entrustment": prepare_entrustment,
}
# entity → (how to make one through its service, an actor allowed to)
RECORD_MAKERS: dict[str, tuple[Callable[[Backend, Actor], Made], Actor]] = {
    "village": (make_village, SYSTEM),
    "user": (make_user, SYSTEM),
    "asset": (make_asset, DEMO_STAFF),
    "contract": (make_contract, DEMO_STAFF),
    "receipt": (make_receipt, DEMO_STAFF),
    "notice": (make_notice, DEMO_STAFF),
    "plan": (make_plan, DEMO_STAFF),
    "plan_comment": (make_plan_comment, VILLAGER),
    "consent_vote": (make_consent_vote, DEMO_STAFF),
    "signing": (make_signing, DEMO_STAFF),
    "complaint": (make_complaint, VILLAGER),
    "tender": (make_tender, DEMO_STAFF),
    "meeting": (make_meeting, DEMO_STAFF),
    "entrustment": (make_entrustment, DEMO_STAFF),
    "finding": (make_finding, Actor("demo-committee", "committee", village="lianban")),
    "fund": (make_fund, DEMO_STAFF),
    "ledger_entry": (make_ledger_entry, DEMO_STAFF),
    "dividend_plan": (make_dividend_plan, DEMO_STAFF),
    "dividend_line": (make_dividend_line, DEMO_STAFF),
    "committee_key": (make_committee_key, DEMO_COMMITTEE),
}
TYPES = [pytest.param(t, id=t.entity) for t in REGISTRY]
# Tables that hold no audited state of their own, and why; every other table must be a
# registered record type's, or `audit verify` would not check it.
NOT_RECORD_TABLES = {
    "contract_asset": "a contract's parcels: part of the contract's public state (assets)",
    "entrusted_asset": "an entrustment's parcels: part of its public state (assets)",
    "audit_entry": "the log itself", "audit_head": "the log's head", "audit_node": "the log's Merkle nodes",
    "audit_checkpoint": "signed checkpoints of the log", "private_record": "salts and personal data of entries",
    "stored_file": "files by SHA-256, named in records' public state",
    "page_visit": "visit counts per day: statistics, not a record",
    "instalment": "a contract's schedule and payments, derived and re-derived by audit verify",
    "draft": "staff drafts: private working state; publishing one is the audited act",
    "login_session": "who is logged in: sessions, ended by logout and account changes",
    "login_failure": "failed logins counted by the throttle",
    "complaint_attempt": "complaints filed, counted by their throttle",
    "complaint_setting": "a village's answer deadline for complaints; each complaint's due date is logged",
    "request_count": "expensive requests counted per client address by the rate limits",
    "desk_seen": "how far each committee member has read the log on the desk",
    "verification_run": "results of integrity checks of the log (the log is what they check)",
    "township": "a township's code and name: which villages an officer oversees, set on the server by the CLI",
    "visit_salt": "the visit counter's random salt of the day: statistics, forgotten the next day",
    "visit_seen": "salted fingerprints of the day's visitors: statistics, forgotten the next day",
    "village_figures": "the township table's figures counted from the records, counted again when the log grows",
}


def log_size(backend: Backend) -> int:
    with backend.db.read() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def test_every_record_type_has_a_maker_and_every_table_is_a_record_or_known():
    assert set(RECORD_MAKERS) == {t.entity for t in REGISTRY}
    record_tables = {t.model.__table__.name for t in REGISTRY}  # type: ignore[attr-defined]
    unknown = set(Base.metadata.tables) - record_tables - set(NOT_RECORD_TABLES)
    assert not unknown, f"tables holding state that no registered record type covers: {unknown}"


@pytest.mark.parametrize("record_type", TYPES)
def test_registry_entry_is_complete(record_type: RecordType):
    assert record_type.name and record_type.labels and record_type.writers
    assert all(roles <= ROLES and roles for roles in record_type.writers.values())
    assert "create" in record_type.writers


@pytest.mark.parametrize("database_url", DATABASES, indirect=True)
@pytest.mark.parametrize("record_type", TYPES)
def test_a_new_record_has_history_feed_search_and_export(record_type: RecordType, backend, client, demo):
    make, actor = RECORD_MAKERS[record_type.entity]
    PREPARE.get(record_type.entity, lambda _: None)(backend)
    made = make(backend, actor)

    with backend.db.read() as session:
        lines = session.scalars(select(AuditEntry.line).where(
            AuditEntry.entity == record_type.entity, AuditEntry.entity_id == made.entity_id)
            .order_by(AuditEntry.seq)).all()
    assert lines, "no log entry for the new record"
    entry = json.loads(lines[-1])
    assert entry["action"] == f"{record_type.entity}.create" and entry["version"] == 1

    label, link = REGISTRY.describe(entry["log"], entry)
    if link is not None:  # its page shows it, with its history
        page = client.get(link.split("#")[0])
        assert page.status_code == 200, link
        assert "修改历史" in page.get_data(as_text=True) or record_type.entity == "village"

    feed = client.get(f"/v/{entry['log']}/feed.atom")
    assert feed.status_code == 200 and label in feed.get_data(as_text=True)

    if record_type.public:
        found = client.get(f"/v/lianban/search", query_string={"q": made.search})
        assert label in found.get_data(as_text=True), f"search for {made.search!r} did not find {label}"
    else:
        assert made.search is None

    exported = client.get(f"/v/{entry['log']}/audit/entries.jsonl").get_data(as_text=True).splitlines()
    assert lines[-1] in exported


@pytest.mark.parametrize("database_url", DATABASES, indirect=True)
@pytest.mark.parametrize("record_type", TYPES)
def test_another_villages_actor_or_a_wrong_role_is_refused_and_writes_nothing(record_type: RecordType, backend,
                                                                               demo):
    create_village(backend, SYSTEM, VillageInput(code="other", name="另一村", township="测试镇"))
    make, allowed = RECORD_MAKERS[record_type.entity]
    PREPARE.get(record_type.entity, lambda _: None)(backend)
    intruders = [replace(allowed, village="other") if allowed.village else OTHER_VILLAGE_STAFF,
                 OTHER_VILLAGE_COMMITTEE, Actor("town", "township"), Actor("mallory", "superuser", village="lianban")]
    intruders += [Actor(f"any-{role}", role, village="lianban") for role in sorted(ROLES)
                  if role not in record_type.writers["create"]]
    for intruder in intruders:
        # a new village's log is no village account's own; township and system accounts have none
        own_log = intruder.village is None or (intruder.village == "lianban" and record_type.entity != "village")
        if intruder.role in record_type.writers["create"] and own_log:
            continue  # allowed: not an intruder for this type
        before = log_size(backend)
        with pytest.raises(PermissionDenied):
            make(backend, intruder)
        assert log_size(backend) == before, f"{intruder} wrote to the log"
    for verb, roles in record_type.writers.items():  # every other action, at the kernel's door
        for role in sorted(ROLES - roles):
            with pytest.raises(PermissionDenied):
                with backend.change("lianban", Actor("x", role, village="lianban"), f"{record_type.entity}.{verb}"):
                    raise AssertionError("the transaction must not open")


@pytest.mark.parametrize("database_url", DATABASES, indirect=True)
@pytest.mark.parametrize("edit", ["update", "delete"])
@pytest.mark.parametrize("record_type", TYPES)
def test_a_direct_edit_of_any_record_types_rows_fails_audit_verify_naming_it(record_type: RecordType, edit, backend,
                                                                             runner, demo):
    from .test_integrity import direct, verify

    table = record_type.model.__table__.name  # type: ignore[attr-defined]
    key = record_type.id_column
    with backend.db.read() as session:  # the demo's first record of the type
        first = session.scalar(select(func.min(getattr(record_type.model, key))))
    assert first is not None, f"the demo has no {record_type.entity}"
    where = f"WHERE {key} = " + (f"'{first}'" if isinstance(first, str) else str(first))
    if edit == "update":
        direct(backend, f"UPDATE {table} SET version = version + 1 {where}")
    else:
        direct(backend, f"DELETE FROM {table} {where}", foreign_keys_off=True)

    result = verify(runner)
    assert result.exit_code == 1, result.output
    assert f"{record_type.entity} {first}" in result.output, result.output
