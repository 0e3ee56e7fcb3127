"""立即核验 on the committee's desk and the daily `audit verify-all`: a row edited straight in the
database is reported by both, recorded, and raises the integrity warning on the village's public
home page (through the page cache) until a later check passes."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.auditdesk.models import VerificationRun

from .test_auditdesk_log import login, page
from .test_integrity import direct

TAMPER = "UPDATE contract SET rent_rate = rent_rate + 1 WHERE number = 'LB-HT-2016-001'"
REPAIR = "UPDATE contract SET rent_rate = rent_rate - 1 WHERE number = 'LB-HT-2016-001'"
WARNING = "完整性警告"


def runs(backend) -> list[VerificationRun]:
    with backend.db.read() as session:
        return list(session.scalars(select(VerificationRun).order_by(VerificationRun.id)))


def verify_now(client) -> str:
    response = client.post("/committee/integrity")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return page(client, response.headers["Location"])


def test_a_tampered_row_is_reported_by_verify_now_and_the_daily_command_until_repaired(client, runner, backend, demo):
    assert WARNING not in page(client, f"/v/{demo}/")  # rendered, and kept in the page cache
    login(client, "demo-committee")
    clean = verify_now(client)
    assert "核验通过" in clean and "数据库中的每一条记录都与日志一致" in clean

    direct(backend, TAMPER)
    found = verify_now(client)
    assert "核验未通过" in found and "LB-HT-2016-001" in found and "被直接修改" in found
    assert "核验未通过" in page(client, "/committee/")
    client.post("/logout")
    home = page(client, f"/v/{demo}/")
    assert WARNING in home and "镇纪委" in home and "纸质公告" in home

    daily = runner.invoke(args=["audit", "verify-all"])
    assert daily.exit_code == 1, daily.output
    assert f"FAIL {demo}" in daily.output and "LB-HT-2016-001" in daily.output
    assert [(r.trigger, r.ok) for r in runs(backend) if r.log == demo] == [
        ("desk", True), ("desk", False), ("daily", False)]
    assert WARNING in page(client, f"/v/{demo}/")

    direct(backend, REPAIR)
    assert WARNING in page(client, f"/v/{demo}/")  # until a check passes
    again = runner.invoke(args=["audit", "verify-all"])
    assert again.exit_code == 0, again.output
    assert f"OK {demo} size=" in again.output
    assert WARNING not in page(client, f"/v/{demo}/")


def test_verify_now_needs_the_form_token(app, client, backend, demo):
    login(client, "demo-committee")
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/committee/integrity").status_code == 400
    assert not runs(backend)


@pytest.mark.parametrize("username", ["demo-staff", "demo-township"])
def test_only_committee_members_verify_on_the_desk(client, backend, demo, username):
    login(client, username)
    assert client.post("/committee/integrity").status_code == 403
    assert client.get("/committee/integrity").status_code == 403
    assert not runs(backend)
