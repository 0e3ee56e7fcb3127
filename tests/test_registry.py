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
from portal.contracts.services import ContractInput, create_contract
from portal.kernel.base import Base
from portal.kernel.errors import PermissionDenied
from portal.kernel.registry import ROLES, RecordType
from portal.kernel.transaction import SYSTEM, Actor, Backend
from portal.notices.services import NoticeInput, create_notice
from portal.parcels.services import AssetInput, create_asset
from portal.plans.services import CommentInput, PlanInput, VoteInput, add_comment, create_plan, record_vote
from portal.receipts.services import ReceiptInput, record_receipt
from portal.registry import REGISTRY
from portal.villages.services import VillageInput, create_village

from .conftest import DATABASES, DEMO_STAFF

VILLAGER = Actor("villager", "villager")
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


# What must exist before a record of the type can be made (written by the village's staff).
PREPARE: dict[str, Callable[[Backend], None]] = {
    "contract": prepare_contract, "plan_comment": _open_plan, "consent_vote": _open_plan,
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
}
TYPES = [pytest.param(t, id=t.entity) for t in REGISTRY]
# Tables that hold no audited state of their own, and why; every other table must be a
# registered record type's, or `audit verify` would not check it.
NOT_RECORD_TABLES = {
    "contract_asset": "a contract's parcels: part of the contract's public state (assets)",
    "audit_entry": "the log itself", "audit_head": "the log's head", "audit_node": "the log's Merkle nodes",
    "audit_checkpoint": "signed checkpoints of the log", "private_record": "salts and personal data of entries",
    "stored_file": "files by SHA-256, named in records' public state",
    "page_visit": "visit counts per day: statistics, not a record",
    "instalment": "a contract's schedule and payments, derived and re-derived by audit verify",
    "draft": "staff drafts: private working state; publishing one is the audited act",
    "login_session": "who is logged in: sessions, ended by logout and account changes",
    "login_failure": "failed logins counted by the throttle",
    "request_count": "expensive requests counted per client address by the rate limits",
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
