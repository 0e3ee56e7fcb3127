"""A checked ledger file becomes ONE draft that a committee member approves (or returns) before
anything is public, on SQLite and PostgreSQL: the committee sees each record of the file with
names masked, approval publishes the very file that was checked as one audited batch naming
author and approver, a village that changed meanwhile is refused with the problem named, and a
village that needs no approval imports at once."""
from __future__ import annotations

import subprocess

import pytest
from sqlalchemy import select, update

from portal.accounts.services import UserInput, create_user
from portal.drafts.models import Draft, DraftState
from portal.kernel.transaction import SYSTEM
from portal.parcels.services import AssetInput, create_asset
from portal.villages.models import Village
from portal.villages.services import VillageInput, create_village

from .conftest import DEMO_STAFF
from .importfiles import approve, confirm, digest_of, file_of, problems_of, upload
from .test_imports import entries_since, state


@pytest.fixture
def staff(client, auth, demo):
    assert auth.login().status_code == 302
    return client


def committee(app, username: str = "demo-committee", password: str = "demo-2026"):
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": password}).status_code == 302
    return client


def draft_of(backend, submitted) -> Draft:
    draft_id = int(submitted.headers["Location"].rsplit("/", 1)[-1])
    with backend.db.read() as session:
        found = session.get(Draft, draft_id)
        assert found is not None
        return found


def test_the_committee_reviews_the_file_masked_and_approval_publishes_it(app, staff, backend, runner):
    data, name = file_of("contracts", "xlsx")
    parcels, parcels_name = file_of("parcels", "xlsx")
    approve(app, confirm(staff, "parcels", digest_of(upload(staff, "parcels", parcels, parcels_name))))
    before = state(backend)
    submitted = confirm(staff, "contracts", digest_of(upload(staff, "contracts", data, name)), source=name)
    draft = draft_of(backend, submitted)
    assert draft.title == "contracts.xlsx（3 条）"
    assert (draft.entity, draft.verb, draft.state, len(draft.batch or [])) == ("ledger", "import", DraftState.SUBMITTED, 3)
    member = committee(app)
    home = member.get("/committee/").get_data(as_text=True)
    assert f"/committee/drafts/{draft.id}" in home and "导入台账" in home
    page = member.get(f"/committee/drafts/{draft.id}").get_data(as_text=True)
    assert "导入的记录（3 条）" in page and "合同 IM-HT-001 · 张*，2020-01-01 至 2029-12-31（第 2 行）" in page
    assert "莲坂茶业合作社，2021-03-01 至 2026-02-28" in page
    assert "张三" not in page and "李四" not in page and "现在还不能发布" not in page
    assert state(backend) == before
    approved = approve(app, submitted)
    assert approved.status_code == 302
    entries = entries_since(backend, before[0])
    assert [e["data"]["number"] for e in entries] == ["IM-HT-001", "IM-HT-002", "IM-HT-003"]
    assert {e["actor"] for e in entries} == {"staff:demo-staff+committee:demo-committee"}
    assert draft_of(backend, submitted).state is DraftState.PUBLISHED
    assert draft_of(backend, submitted).published_seq == entries[0]["seq"]
    assert approve(app, submitted).status_code == 302  # a second approval publishes nothing more
    assert state(backend)[0] == before[0] + 3
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_a_village_changed_since_the_check_is_refused_with_the_problem_named(app, staff, backend):
    data, name = file_of("parcels", "xlsx")
    submitted = confirm(staff, "parcels", digest_of(upload(staff, "parcels", data, name)))
    create_asset(backend, DEMO_STAFF, "lianban", AssetInput(number="IM-002", name="抢先登记", kind="land", area="1"))
    before = state(backend)
    member = committee(app)
    draft = draft_of(backend, submitted)
    page = member.get(f"/committee/drafts/{draft.id}").get_data(as_text=True)
    assert "现在还不能发布" in page and "第 3 行" in page and "本村已有编号为“IM-002”的地块" in page
    refused = member.post(f"/committee/drafts/{draft.id}/approve")
    assert refused.status_code == 302 and "未能发布" in member.get(refused.headers["Location"]).get_data(as_text=True)
    assert state(backend) == before and draft_of(backend, submitted).state is DraftState.SUBMITTED
    returned = member.post(f"/committee/drafts/{draft.id}/return", data={"comment": "IM-002 已登记，请改编号后重新导入"})
    assert returned.status_code == 302
    page = staff.get(submitted.headers["Location"]).get_data(as_text=True)
    assert "已退回" in page and "请改编号后重新导入" in page
    assert staff.get(f"/staff/drafts/{draft.id}/edit").status_code == 409  # a file is fixed and imported again
    assert staff.post(f"/staff/drafts/{draft.id}/discard").status_code == 302
    assert state(backend) == before


def test_a_village_that_needs_no_approval_imports_at_once(staff, backend):
    with backend.db.write("lianban") as session:
        session.execute(update(Village).where(Village.code == "lianban").values(approval_required=False))
    data, name = file_of("parcels", "csv-gbk")
    checked = upload(staff, "parcels", data, name)
    assert "确认导入" in checked.get_data(as_text=True)
    before = state(backend)
    done = confirm(staff, "parcels", digest_of(checked))
    assert done.status_code == 302 and done.headers["Location"].endswith("/staff/import")
    assert "已导入 3 条记录" in staff.get("/staff/import").get_data(as_text=True)
    entries = entries_since(backend, before[0])
    assert [e["actor"] for e in entries] == ["staff:demo-staff"] * 3


def test_the_file_is_printed_and_kept_only_for_its_village(app, staff, backend, tmp_path):
    data, name = file_of("contracts", "csv-bom")
    parcels, parcels_name = file_of("parcels", "xlsx")
    approve(app, confirm(staff, "parcels", digest_of(upload(staff, "parcels", parcels, parcels_name))))
    submitted = confirm(staff, "contracts", digest_of(upload(staff, "contracts", data, name)))
    draft = draft_of(backend, submitted)
    printed = staff.get(f"/staff/drafts/{draft.id}.pdf")
    assert printed.status_code == 200 and printed.headers["Cache-Control"] == "private, no-store"
    (tmp_path / "draft.pdf").write_bytes(printed.data)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "draft.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "导入的记录（3 条）" in text and "IM-HT-002" in text and "监委会审核签字" in text
    create_village(backend, SYSTEM, VillageInput(code="othercun", name="邻村", township="莲花镇（演示）"))
    create_user(backend, SYSTEM, UserInput("other-member", "邻村监委会", "other-2026-pass", "committee", "othercun"))
    create_user(backend, SYSTEM, UserInput("other-staff", "邻村报账员", "other-2026-pass", "staff", "othercun"))
    stranger = committee(app, "other-member", "other-2026-pass")
    assert stranger.get(f"/committee/drafts/{draft.id}").status_code in (403, 404)
    assert stranger.post(f"/committee/drafts/{draft.id}/approve").status_code in (403, 404)
    other_staff = committee(app, "other-staff", "other-2026-pass")
    assert other_staff.post(f"/staff/drafts/{draft.id}/submit").status_code in (403, 404)
    assert other_staff.get(f"/staff/drafts/{draft.id}.pdf").status_code in (403, 404)
    with backend.db.read() as session:
        assert session.scalar(select(Draft.state).where(Draft.id == draft.id)) is DraftState.SUBMITTED


def test_a_file_refused_at_submission_keeps_its_report(app, staff, backend):
    data, name = file_of("parcels", "xlsx")
    digest = digest_of(upload(staff, "parcels", data, name))
    create_asset(backend, DEMO_STAFF, "lianban", AssetInput(number="IM-001", name="抢先登记", kind="land", area="1"))
    refused = confirm(staff, "parcels", digest)
    assert refused.status_code == 400 and [(r, c) for r, c, _ in problems_of(refused)] == [("2", "地块编号")]
    with backend.db.read() as session:
        assert session.scalar(select(Draft.id).where(Draft.entity == "ledger")) is None
