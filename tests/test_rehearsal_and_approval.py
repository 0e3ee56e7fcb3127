"""The kernel's rehearsal (run a service, keep nothing), its hook inside the audited transaction,
and approvals named in the log."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from .conftest import STAFF
from portal.auditlog.models import AuditEntry
from portal.kernel.errors import PermissionDenied, ValidationError
from portal.kernel.transaction import Actor
from portal.notices.models import Notice
from portal.notices.services import NoticeInput, create_notice

NOTICE = NoticeInput(number="GG-1", title="公告", category="affairs", body="正文", published_on="2026-11-01")
COMMITTEE = Actor("member", "committee", village="testcun")


def counts(backend):
    with backend.db.read() as session:
        return (session.scalar(select(func.count()).select_from(Notice)),
                session.scalar(select(func.count()).select_from(AuditEntry)))


def test_a_rehearsal_logs_what_it_would_and_keeps_nothing(backend, village):
    before = counts(backend)
    with backend.rehearse() as rehearsal:
        create_notice(backend, STAFF, village, NOTICE)
    assert counts(backend) == before
    assert [e["action"] for e in rehearsal.entries] == ["notice.create"]
    assert rehearsal.entries[0]["data"]["title"] == "公告"
    create_notice(backend, STAFF, village, NOTICE)  # the number is still free
    assert counts(backend) == (before[0] + 1, before[1] + 1)


def test_a_rehearsal_raises_what_the_service_would(backend, village):
    with pytest.raises(ValidationError) as refused, backend.rehearse():
        create_notice(backend, STAFF, village, NoticeInput(**{**NOTICE.__dict__, "title": ""}))
    assert "title" in refused.value.errors


def test_a_failing_hook_undoes_the_record_and_its_entry(backend, village):
    before = counts(backend)

    def fail(change):
        raise ValidationError({"state": "refused"})

    with pytest.raises(ValidationError), backend.alongside(fail):
        create_notice(backend, STAFF, village, NOTICE)
    assert counts(backend) == before


def test_the_log_names_author_and_approver(backend, village):
    create_notice(backend, STAFF.approved(COMMITTEE), village, NOTICE)
    with backend.db.read() as session:
        actor = session.scalar(select(AuditEntry.actor).order_by(AuditEntry.id.desc()).limit(1))
    assert actor == "staff:test-staff+committee:member"


@pytest.mark.parametrize("approver", [
    Actor("x", "staff", village="testcun"),             # not a committee member
    Actor("x", "committee", village="othercun"),        # another village's committee
    Actor("x", "township"),
])
def test_only_the_village_committee_may_approve(backend, village, approver):
    before = counts(backend)
    with pytest.raises(PermissionDenied):
        create_notice(backend, STAFF.approved(approver), village, NOTICE)
    assert counts(backend) == before
